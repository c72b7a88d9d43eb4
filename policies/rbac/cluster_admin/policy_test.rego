package rbac.cluster_admin_test

import data.lib.review_test as review
import data.rbac.cluster_admin

_binding(name, subjects) := {
	"metadata": {"name": name, "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
	"subjects": subjects,
}

_bootstrap := {
	"metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
	"subjects": [{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}],
}

test_fail_cluster_role_binding_to_group if {
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", _binding("devs-admin", [{"kind": "Group", "name": "devs"}]))
	got == {{
		"msg": `ClusterRoleBinding "devs-admin" must not bind ClusterRole "cluster-admin" to Group "devs" (subject 0): bind a narrower role, or list "Group:devs" in parameters.clusterAdminSubjects`,
		"field": "subjects[0]",
	}}
}

test_fail_role_binding_names_each_subject_not_allowlisted if {
	got := cluster_admin.deny with input as review.create("RoleBinding", _binding("ns-admin", [
		{"kind": "Group", "name": "platform-admins"},
		{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"},
		{"kind": "User", "name": "bob@example.com"},
	]))
		with input.params.clusterAdminSubjects as ["Group:platform-admins"]
	got == {
		{
			"msg": `RoleBinding "ns-admin" must not bind ClusterRole "cluster-admin" to ServiceAccount "deployer" (subject 1): bind a narrower role, or list "ServiceAccount:ci/deployer" in parameters.clusterAdminSubjects`,
			"field": "subjects[1]",
		},
		{
			"msg": `RoleBinding "ns-admin" must not bind ClusterRole "cluster-admin" to User "bob@example.com" (subject 2): bind a narrower role, or list "User:bob@example.com" in parameters.clusterAdminSubjects`,
			"field": "subjects[2]",
		},
	}
}

test_fail_bootstrap_label_on_another_subject if {
	binding := object.union(_bootstrap, {"subjects": [{"kind": "Group", "name": "devs"}]})
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", binding)
	got == {{
		"msg": `ClusterRoleBinding "cluster-admin" must not bind ClusterRole "cluster-admin" to Group "devs" (subject 0): bind a narrower role, or list "Group:devs" in parameters.clusterAdminSubjects`,
		"field": "subjects[0]",
	}}
}

test_fail_default_subject_without_bootstrap_label if {
	binding := json.remove(_bootstrap, ["metadata/labels"])
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", binding)
	count(got) == 1
}

test_fail_update_adding_a_subject if {
	old := _binding("ops", [{"kind": "Group", "name": "ops"}])
	new := _binding("ops", [{"kind": "Group", "name": "ops"}, {"kind": "Group", "name": "devs"}])
	got := cluster_admin.deny with input as review.update("ClusterRoleBinding", old, new)
	got == {
		{
			"msg": `ClusterRoleBinding "ops" must not bind ClusterRole "cluster-admin" to Group "ops" (subject 0): bind a narrower role, or list "Group:ops" in parameters.clusterAdminSubjects`,
			"field": "subjects[0]",
		},
		{
			"msg": `ClusterRoleBinding "ops" must not bind ClusterRole "cluster-admin" to Group "devs" (subject 1): bind a narrower role, or list "Group:devs" in parameters.clusterAdminSubjects`,
			"field": "subjects[1]",
		},
	}
}

test_success_kubernetes_default_binding if {
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", _bootstrap)
	got == set()
}

test_success_allowlisted_subjects if {
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", _binding("break-glass", [
		{"kind": "Group", "name": "platform-admins"},
		{"kind": "ServiceAccount", "name": "break-glass", "namespace": "ops"},
	]))
		with input.params.clusterAdminSubjects as ["Group:platform-admins", "ServiceAccount:ops/break-glass"]
	got == set()
}

test_success_other_roles if {
	binding := object.union(_binding("view", [{"kind": "Group", "name": "devs"}]), {"roleRef": {"name": "view"}})
	got := cluster_admin.deny with input as review.create("ClusterRoleBinding", binding)
	got == set()
}

test_success_metadata_only_update_of_a_violating_binding if {
	old := _binding("legacy", [{"kind": "Group", "name": "devs"}])
	new := object.union(old, {"metadata": {"labels": {"owner": "platform"}, "finalizers": []}})
	got := cluster_admin.deny with input as review.update("ClusterRoleBinding", old, new)
	got == set()
	warned := cluster_admin.warn with input as review.update("ClusterRoleBinding", old, new)
	warned == {{
		"msg": `ClusterRoleBinding "legacy" must not bind ClusterRole "cluster-admin" to Group "devs" (subject 0): bind a narrower role, or list "Group:devs" in parameters.clusterAdminSubjects`,
		"field": "subjects[0]",
	}}
}

test_success_new_violations_never_only_warn if {
	old := _binding("ops", [{"kind": "Group", "name": "ops"}])
	new := _binding("ops", [{"kind": "Group", "name": "ops"}, {"kind": "Group", "name": "devs"}])
	warned := cluster_admin.warn with input as review.update("ClusterRoleBinding", old, new)
	warned == set()
}

test_success_delete if {
	got := cluster_admin.deny with input as review.delete("ClusterRoleBinding", _binding("legacy", [{"kind": "Group", "name": "devs"}]))
	got == set()
}
