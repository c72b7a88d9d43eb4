package mon.own_namespace_test

import data.lib.review_test
import data.mon.own_namespace

_in(inp) := object.union(inp, {"request": {"namespace": "govhook-system"}})

_pod(labels) := _in(review_test.create("Pod", {"metadata": {"name": "impostor", "labels": labels}, "spec": {}}))

_govhook_labels := {"app.kubernetes.io/name": "govhook", "app.kubernetes.io/component": "webhook"}

test_fail_pod_with_the_service_selector if {
	got := own_namespace.deny with input as _pod(object.union(_govhook_labels, {"owner": "platform"}))
	got == {{"msg": `"alice@example.com" may not create Pod "impostor" in govhook's namespace "govhook-system": its labels match govhook's Service selector (app.kubernetes.io/component=webhook, app.kubernetes.io/name=govhook), so it would receive the apiserver's admission requests; only govhook's deployer and the control plane create objects there`, "field": "metadata.labels"}}
}

test_fail_other_pods_services_slices_and_bindings if {
	every kind in ["Pod", "Service", "EndpointSlice", "RoleBinding"] {
		got := own_namespace.deny with input as _in(review_test.create(kind, {"metadata": {"name": "impostor", "labels": {"app.kubernetes.io/name": "govhook"}}}))
		got == {{"msg": sprintf(`"alice@example.com" may not create %s "impostor" in govhook's namespace "govhook-system": only govhook's deployer and the control plane create objects there`, [kind]), "field": ""}}
	}
}

test_fail_configured_namespace_and_selector if {
	params := {"govhookNamespace": "policy", "govhookSelector": {"app": "gh"}}
	inp := object.union(review_test.create("Pod", {"metadata": {"name": "impostor", "labels": {"app": "gh"}}}), {"request": {"namespace": "policy"}, "params": params})
	got := own_namespace.deny with input as inp
	got == {{"msg": `"alice@example.com" may not create Pod "impostor" in govhook's namespace "policy": its labels match govhook's Service selector (app=gh), so it would receive the apiserver's admission requests; only govhook's deployer and the control plane create objects there`, "field": "metadata.labels"}}
	own_namespace.deny == set() with input as _pod(_govhook_labels) with input.params as params
}

test_success_control_plane_and_platform if {
	pod := _pod(_govhook_labels)
	every username in ["system:serviceaccount:kube-system:replicaset-controller", "system:kube-controller-manager", "eks:addon-manager"] {
		own_namespace.deny == set() with input as review_test.by(pod, username)
	}
	slice := _in(review_test.create("EndpointSlice", {"metadata": {"name": "govhook-x7k2p"}}))
	own_namespace.deny == set() with input as review_test.by(slice, "system:serviceaccount:kube-system:endpointslice-controller")
	deployer := object.union(review_test.by(pod, "system:serviceaccount:argocd:argocd-application-controller"), {"params": {"platformUsernames": ["system:serviceaccount:argocd:argocd-application-controller"]}})
	own_namespace.deny == set() with input as deployer
	masters := object.union(pod, {"request": {"userInfo": {"username": "admin", "groups": ["system:masters"]}}})
	own_namespace.deny == set() with input as masters
}

test_success_without_a_requester if {
	own_namespace.deny == set() with input as review_test.by(_pod(_govhook_labels), "")
}

test_success_other_namespaces_operations_and_kinds if {
	own_namespace.deny == set() with input as review_test.create("Pod", {"metadata": {"name": "web", "labels": _govhook_labels}, "spec": {}})
	own_namespace.deny == set() with input as object.union(_pod(_govhook_labels), {"request": {"operation": "UPDATE"}})
	own_namespace.deny == set() with input as _in(review_test.create("ConfigMap", {"metadata": {"name": "notes"}}))
}

test_success_kubelet_and_other_kube_system_accounts_differ if {
	kubelet := object.union(_pod(_govhook_labels), {"request": {"userInfo": {"username": "system:node:ip-10-0-1-5", "groups": ["system:nodes"]}}})
	own_namespace.deny == set() with input as kubelet
	addon := review_test.by(_pod({}), "system:serviceaccount:kube-system:external-dns")
	count(own_namespace.deny) == 1 with input as addon
}
