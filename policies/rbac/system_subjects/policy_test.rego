package rbac.system_subjects_test

import data.lib.review_test as review
import data.rbac.system_subjects

_binding(name, role, subjects) := {"metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": subjects}

_bootstrap(name, role, subjects) := json.patch(_binding(name, role, subjects), [{"op": "add", "path": "/metadata/labels", "value": {"kubernetes.io/bootstrapping": "rbac-defaults"}}])

test_fail_cluster_role_binding_to_anonymous if {
	got := system_subjects.deny with input as review.create("ClusterRoleBinding", _binding("open", "view", [
		{"kind": "ServiceAccount", "name": "ci", "namespace": "ci"},
		{"kind": "User", "name": "system:anonymous"},
	]))
	got == {{"msg": `ClusterRoleBinding "open" must not bind User "system:anonymous" (subject 1)`, "field": "subjects[1].name"}}
}

test_fail_role_binding_to_every_forbidden_group if {
	got := system_subjects.deny with input as review.create("RoleBinding", _binding("wide", "edit", [
		{"kind": "Group", "name": "system:masters"},
		{"kind": "Group", "name": "system:authenticated"},
		{"kind": "Group", "name": "system:unauthenticated"},
	]))
	got == {
		{"msg": `RoleBinding "wide" must not bind Group "system:masters" (subject 0)`, "field": "subjects[0].name"},
		{"msg": `RoleBinding "wide" must not bind Group "system:authenticated" (subject 1)`, "field": "subjects[1].name"},
		{"msg": `RoleBinding "wide" must not bind Group "system:unauthenticated" (subject 2)`, "field": "subjects[2].name"},
	}
}

test_fail_default_binding_name_with_another_role if {
	got := system_subjects.deny with input as review.create("ClusterRoleBinding", _bootstrap("system:discovery", "cluster-admin", [{"kind": "Group", "name": "system:authenticated"}]))
	got == {{"msg": `ClusterRoleBinding "system:discovery" must not bind Group "system:authenticated" (subject 0)`, "field": "subjects[0].name"}}
}

test_fail_default_binding_without_bootstrap_label if {
	got := system_subjects.deny with input as review.create("ClusterRoleBinding", _binding("system:discovery", "system:discovery", [{"kind": "Group", "name": "system:authenticated"}]))
	got == {{"msg": `ClusterRoleBinding "system:discovery" must not bind Group "system:authenticated" (subject 0)`, "field": "subjects[0].name"}}
}

test_fail_update_adding_a_forbidden_subject if {
	old := _binding("team", "view", [{"kind": "Group", "name": "devs"}])
	new := _binding("team", "view", [{"kind": "Group", "name": "devs"}, {"kind": "Group", "name": "system:authenticated"}])
	got := system_subjects.deny with input as review.update("ClusterRoleBinding", old, new)
	got == {{"msg": `ClusterRoleBinding "team" must not bind Group "system:authenticated" (subject 1)`, "field": "subjects[1].name"}}
}

test_success_kubernetes_default_bindings if {
	every b in [
		_bootstrap("cluster-admin", "cluster-admin", [{"kind": "Group", "name": "system:masters"}]),
		_bootstrap("system:discovery", "system:discovery", [{"kind": "Group", "name": "system:authenticated"}]),
		_bootstrap("system:basic-user", "system:basic-user", [{"kind": "Group", "name": "system:authenticated"}]),
		_bootstrap("system:public-info-viewer", "system:public-info-viewer", [
			{"kind": "Group", "name": "system:authenticated"},
			{"kind": "Group", "name": "system:unauthenticated"},
		]),
	] {
		got := system_subjects.deny with input as review.create("ClusterRoleBinding", b)
		got == set()
	}
}

test_success_ordinary_subjects if {
	got := system_subjects.deny with input as review.create("RoleBinding", _binding("team", "edit", [
		{"kind": "Group", "name": "payments-developers"},
		{"kind": "ServiceAccount", "name": "system:masters", "namespace": "x"},
	]))
	got == set()
}

test_success_metadata_only_update_of_a_violating_binding if {
	old := _binding("legacy", "view", [{"kind": "Group", "name": "system:authenticated"}])
	new := json.patch(old, [{"op": "add", "path": "/metadata/labels", "value": {"owner": "platform"}}])
	got := system_subjects.deny with input as review.update("ClusterRoleBinding", old, new)
	got == set()
}

test_fail_every_service_account if {
	got := system_subjects.deny with input as review.create("RoleBinding", _binding("all-sas", "edit", [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:serviceaccounts"}]))
	got == {{"msg": `RoleBinding "all-sas" must not bind Group "system:serviceaccounts" (subject 0)`, "field": "subjects[0].name"}}
}

test_fail_namespace_service_accounts_cluster_wide if {
	got := system_subjects.deny with input as review.create("ClusterRoleBinding", _binding("ci-everywhere", "edit", [
		{"kind": "Group", "name": "system:serviceaccounts:ci"},
		{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"},
	]))
	got == {{"msg": `ClusterRoleBinding "ci-everywhere" must not bind Group "system:serviceaccounts:ci" (subject 0) cluster-wide: it grants every service account of namespace "ci" the role in every namespace; bind the service accounts by name, or use a RoleBinding`, "field": "subjects[0].name"}}
}

test_success_namespace_service_accounts_in_their_namespace if {
	binding := json.patch(_binding("ci-sas", "edit", [{"kind": "Group", "name": "system:serviceaccounts:ci"}]), [{"op": "add", "path": "/metadata/namespace", "value": "ci"}])
	got := system_subjects.deny with input as review.create("RoleBinding", binding)
	got == set()
}

test_success_kubernetes_default_service_account_bindings if {
	every name in ["system:service-account-issuer-discovery", "system:cluster-trust-bundle-discovery"] {
		got := system_subjects.deny with input as review.create("ClusterRoleBinding", _bootstrap(name, name, [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:serviceaccounts"}]))
		got == set()
	}
}
