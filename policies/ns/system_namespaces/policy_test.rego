package ns.system_namespaces_test

import data.lib.review_test as t
import data.ns.system_namespaces

_request(operation, kind, namespace, user) := t.by_user(t.review(operation, kind, {"metadata": {"name": "web", "namespace": namespace}}), user)

_alice := {"username": "alice@example.com", "groups": ["developers", "system:authenticated"]}

test_fail_user_workload_in_default if {
	got := system_namespaces.deny with input as _request("CREATE", "Deployment", "default", _alice)
	got == {{"msg": `Deployment "web" must not be placed in namespace "default", which no team owns: move it to its team's namespace`, "field": "metadata.namespace"}}
}

test_fail_admin_workload_in_default if {
	admin := {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]}
	got := system_namespaces.deny with input as _request("UPDATE", "ConfigMap", "default", admin)
	got == {{"msg": `ConfigMap "web" must not be placed in namespace "default", which no team owns: move it to its team's namespace`, "field": "metadata.namespace"}}
}

test_fail_user_writes_in_system_namespaces if {
	every ns in ["kube-system", "kube-public", "kube-node-lease"] {
		got := system_namespaces.deny with input as _request("CREATE", "ConfigMap", ns, _alice)
		got == {{"msg": sprintf(`"alice@example.com" may not create ConfigMap "web" in system namespace %q: only the control plane and platform identities write there`, [ns]), "field": "metadata.namespace"}}
	}
}

test_fail_other_namespaces_service_account_is_not_the_control_plane if {
	sa := {"username": "system:serviceaccount:shop:deployer", "groups": ["system:serviceaccounts", "system:serviceaccounts:shop"]}
	got := system_namespaces.deny with input as _request("DELETE", "Secret", "kube-system", sa)
	got == {{"msg": `"system:serviceaccount:shop:deployer" may not delete Secret "web" in system namespace "kube-system": only the control plane and platform identities write there`, "field": "metadata.namespace"}}
}

test_success_control_plane_writes_everywhere if {
	identities := [
		{"username": "system:apiserver", "groups": ["system:authenticated"]},
		{"username": "system:kube-controller-manager"},
		{"username": "system:node:ip-10-0-1-1.ec2.internal", "groups": ["system:nodes"]},
		{"username": "system:serviceaccount:kube-system:root-ca-cert-publisher", "groups": ["system:serviceaccounts:kube-system"]},
		{"username": "eks:addon-manager"},
	]
	every user in identities {
		every ns in ["default", "kube-system"] {
			system_namespaces.deny == set() with input as _request("CREATE", "ConfigMap", ns, user)
		}
	}
}

test_success_platform_identities_write_system_namespaces if {
	admin := {"username": "kubernetes-admin", "groups": ["system:masters"]}
	system_namespaces.deny == set() with input as _request("CREATE", "DaemonSet", "kube-system", admin)
	gitops := {"username": "system:serviceaccount:argocd:argocd-application-controller", "groups": ["system:serviceaccounts:argocd"]}
	configured := object.union(_request("UPDATE", "DaemonSet", "kube-system", gitops), {"params": {"platformUsernames": [gitops.username]}})
	system_namespaces.deny == set() with input as configured
	by_group := object.union(_request("UPDATE", "DaemonSet", "kube-system", gitops), {"params": {"platformGroups": ["system:serviceaccounts:argocd"]}})
	system_namespaces.deny == set() with input as by_group
}

test_success_team_namespace_and_deletes_in_default if {
	system_namespaces.deny == set() with input as _request("CREATE", "Deployment", "shop", _alice)
	system_namespaces.deny == set() with input as _request("DELETE", "Deployment", "default", _alice)
}
