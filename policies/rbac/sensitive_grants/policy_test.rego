package rbac.sensitive_grants_test

import data.lib.review_test as review
import data.rbac.sensitive_grants

_role(name, rules) := {"metadata": {"name": name}, "rules": rules}

_binding(role) := {"metadata": {"name": "devs"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": [{"kind": "Group", "name": "devs"}]}

test_fail_cluster_role_reading_secrets_and_pod_access if {
	got := sensitive_grants.deny with input as review.create("ClusterRole", _role("debug", [
		{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list", "create"]},
		{"apiGroups": [""], "resources": ["pods/exec", "pods/portforward", "pods/log"], "verbs": ["create"]},
	]))
	got == {
		{"msg": `ClusterRole "debug" rule 0 grants "get", "list" on "secrets", which reads Secrets in every namespace once bound by a ClusterRoleBinding: grant it in a Role in the namespaces that need it, with resourceNames where possible`, "field": "rules[0]"},
		{"msg": `ClusterRole "debug" rule 1 grants "create" on "pods/exec", "pods/portforward", which reaches into running containers: keep it to break-glass roles`, "field": "rules[1]"},
	}
}

test_fail_role_with_pod_access_through_wildcards if {
	got := sensitive_grants.deny with input as review.create("Role", _role("debug", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"]}]))
	got == {{"msg": `Role "debug" rule 0 grants "get" on "*", which reaches into running containers: keep it to break-glass roles`, "field": "rules[0]"}}
}

test_fail_cluster_wide_edit_and_admin if {
	every role in ["admin", "edit"] {
		got := sensitive_grants.deny with input as review.create("ClusterRoleBinding", _binding(role))
		got == {{"msg": sprintf(`ClusterRoleBinding "devs" grants ClusterRole %q in every namespace: bind it with a RoleBinding in the namespaces that need it`, [role]), "field": "roleRef.name"}}
	}
}

test_success_role_reading_secrets_in_its_namespace if {
	got := sensitive_grants.deny with input as review.create("Role", _role("app", [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["app-tls"], "verbs": ["get"]}]))
	got == set()
}

test_success_cluster_role_without_sensitive_grants if {
	got := sensitive_grants.deny with input as review.create("ClusterRole", _role("reader", [
		{"apiGroups": [""], "resources": ["pods", "pods/log", "configmaps"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
	]))
	got == set()
}

test_success_bindings_of_other_roles if {
	got := sensitive_grants.deny with input as review.create("ClusterRoleBinding", _binding("view"))
	got == set()
}

_edit_component := {
	"metadata": {"name": "system:aggregate-to-edit", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
	"rules": [{"apiGroups": [""], "resources": ["pods/exec", "secrets"], "verbs": ["create", "get", "list"]}],
}

test_success_bootstrap_edit_components if {
	got := sensitive_grants.deny with input as review.by(review.create("ClusterRole", _edit_component), "system:apiserver")
	got == set()
}

test_fail_bootstrap_label_and_name_on_other_rules if {
	got := sensitive_grants.deny with input as review.create("ClusterRole", _edit_component)
	got == {
		{"msg": `ClusterRole "system:aggregate-to-edit" rule 0 grants "get", "list" on "secrets", which reads Secrets in every namespace once bound by a ClusterRoleBinding: grant it in a Role in the namespaces that need it, with resourceNames where possible`, "field": "rules[0]"},
		{"msg": `ClusterRole "system:aggregate-to-edit" rule 0 grants "create", "get", "list" on "pods/exec", which reaches into running containers: keep it to break-glass roles`, "field": "rules[0]"},
	}
}
