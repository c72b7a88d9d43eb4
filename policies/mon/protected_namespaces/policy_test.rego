package mon.protected_namespaces_test

import data.lib.review_test as t
import data.mon.protected_namespaces

_alice := {"username": "alice@example.com", "groups": ["developers", "system:authenticated"]}

_request(operation, kind, namespace, user) := t.by_user(t.review(operation, kind, {"metadata": {"name": "govhook", "namespace": namespace}}), user)

_namespace(name, labels) := {"metadata": {"name": name, "labels": labels}}

_namespace_update(user, labels, old) := t.by_user(t.update("Namespace", _namespace("govhook-system", old), _namespace("govhook-system", labels)), user)

test_fail_user_deletes_govhook if {
	got := protected_namespaces.deny with input as _request("DELETE", "Deployment", "govhook-system", _alice)
	got == {{"msg": `"alice@example.com" may not delete Deployment "govhook" in protected namespace "govhook-system": govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

test_fail_user_updates_monitoring_config if {
	review := object.union(_request("UPDATE", "ConfigMap", "monitoring", _alice), {"request": {"name": "prometheus-rules", "object": {"metadata": {"name": "prometheus-rules"}}}})
	got := protected_namespaces.deny with input as review
	got == {{"msg": `"alice@example.com" may not update ConfigMap "prometheus-rules" in protected namespace "monitoring": govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

test_fail_user_deletes_protected_namespace if {
	got := protected_namespaces.deny with input as t.by_user(t.delete("Namespace", _namespace("monitoring", {})), _alice)
	got == {{"msg": `"alice@example.com" may not delete protected namespace "monitoring": govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

test_fail_user_removes_or_changes_namespace_labels if {
	old := {"govhook.io/exclude": "true", "environment": "prod", "owner": "platform"}
	labels := {"environment": "dev", "owner": "platform", "extra": "x"}
	got := protected_namespaces.deny with input as _namespace_update(_alice, labels, old)
	got == {
		{"msg": `"alice@example.com" may not change or remove label "govhook.io/exclude" of protected namespace "govhook-system": govhook and the monitoring that watches it change only through platform identities`, "field": `metadata.labels["govhook.io/exclude"]`},
		{"msg": `"alice@example.com" may not change or remove label "environment" of protected namespace "govhook-system": govhook and the monitoring that watches it change only through platform identities`, "field": `metadata.labels["environment"]`},
	}
}

test_fail_custom_protected_namespace if {
	review := object.union(_request("DELETE", "RoleBinding", "security-tools", _alice), {"params": {"protectedNamespaces": ["security-tools"]}})
	got := protected_namespaces.deny with input as review
	got == {{"msg": `"alice@example.com" may not delete RoleBinding "govhook" in protected namespace "security-tools": govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

test_success_platform_identities if {
	identities := [
		{"username": "kubernetes-admin", "groups": ["system:masters"]},
		{"username": "system:serviceaccount:kube-system:replicaset-controller", "groups": ["system:serviceaccounts:kube-system"]},
		{"username": "system:serviceaccount:kube-system:horizontal-pod-autoscaler", "groups": ["system:serviceaccounts:kube-system"]},
		{"username": "system:node:ip-10-0-1-1.ec2.internal", "groups": ["system:nodes"]},
	]
	every user in identities {
		protected_namespaces.deny == set() with input as _request("DELETE", "Pod", "govhook-system", user)
	}
	gitops := {"username": "system:serviceaccount:argocd:argocd-application-controller"}
	configured := object.union(_request("UPDATE", "Deployment", "monitoring", gitops), {"params": {"platformUsernames": [gitops.username]}})
	protected_namespaces.deny == set() with input as configured
}

test_success_creates_other_namespaces_and_added_labels if {
	protected_namespaces.deny == set() with input as _request("CREATE", "Deployment", "govhook-system", _alice)
	protected_namespaces.deny == set() with input as _request("DELETE", "Deployment", "shop", _alice)
	protected_namespaces.deny == set() with input as _namespace_update(_alice, {"owner": "platform", "new": "x"}, {"owner": "platform"})
}

_scale_object(namespace, replicas) := {"metadata": {"name": "govhook", "namespace": namespace}, "spec": {"replicas": replicas}}

_scale(namespace, user) := t.by_user(t.subresource(t.update("Scale", _scale_object(namespace, 2), _scale_object(namespace, 0)), "apps", "deployments", "scale"), user)

test_fail_scale_to_zero if {
	got := protected_namespaces.deny with input as _scale("govhook-system", _alice)
	got == {{"msg": `"alice@example.com" may not update deployments/scale "govhook" in protected namespace "govhook-system": govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

# Any service account of kube-system is not the control plane: EKS add-ons run there.
test_fail_kube_system_add_on if {
	addon := {"username": "system:serviceaccount:kube-system:external-dns", "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system"]}
	got := protected_namespaces.deny with input as _scale("govhook-system", addon)
	count(got) == 1
}

test_fail_silencing_alerts if {
	every kind in ["PrometheusRule", "ServiceMonitor"] {
		got := protected_namespaces.deny with input as _request("DELETE", kind, "monitoring", _alice)
		got == {{"msg": sprintf(`"alice@example.com" may not delete %s "govhook" in protected namespace "monitoring": govhook and the monitoring that watches it change only through platform identities`, [kind]), "field": ""}}
	}
}

_webhook_configuration(operation, user) := t.by_user(t.review(operation, "ValidatingWebhookConfiguration", {"metadata": {"name": "govhook"}}), user)

test_fail_webhook_configuration if {
	got := protected_namespaces.deny with input as _webhook_configuration("DELETE", _alice)
	got == {{"msg": `"alice@example.com" may not delete ValidatingWebhookConfiguration "govhook", which sends requests to govhook: govhook and the monitoring that watches it change only through platform identities`, "field": ""}}
}

test_success_scale_and_webhook_by_platform if {
	hpa := {"username": "system:serviceaccount:kube-system:horizontal-pod-autoscaler", "groups": ["system:serviceaccounts:kube-system"]}
	protected_namespaces.deny == set() with input as _scale("monitoring", hpa)
	protected_namespaces.deny == set() with input as _scale("shop", _alice)
	admin := {"username": "kubernetes-admin", "groups": ["system:masters"]}
	protected_namespaces.deny == set() with input as _webhook_configuration("UPDATE", admin)
	other := t.by_user(t.delete("ValidatingWebhookConfiguration", {"metadata": {"name": "other"}}), _alice)
	protected_namespaces.deny == set() with input as other
}
