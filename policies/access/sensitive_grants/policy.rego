# METADATA
# title: Sensitive grants
# description: |
#   Grants that expose data or running workloads and deserve a second look: reading Secrets
#   (get, list, watch) in a ClusterRole, which a ClusterRoleBinding makes cluster-wide (a Role
#   stays in its namespace and is not reported); pods/exec, pods/attach, pods/portforward and
#   pods/ephemeralcontainers in any role; and ClusterRoleBindings to the admin or edit
#   ClusterRoles, which give those rights in every namespace (bind them per namespace with a
#   RoleBinding instead). Wildcards count. Bootstrap and aggregated roles are skipped as in
#   RBAC-003 (lib/rbac.rego). UPDATE: only violations the object did not have before are judged
#   on metadata-only updates (lib/update.rego).
# custom:
#   id: RBAC-005
#   severity: medium
#   controls: [CC6.1, CC6.3]
#   groups: [least-privilege, rbac]
#   action: warn
#   kinds: [Role, ClusterRole, ClusterRoleBinding]
#   references:
#     - CIS EKS Benchmark 4.1.2
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
package access.sensitive_grants

import data.lib.rbac
import data.lib.update

_pod_access := {"pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers"}

_any_verb := {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}

deny := _violations - _unchanged

_unchanged := old if {
	update.only_new_violations
	old := _violations with input.request.object as input.request.oldObject
} else := set()

_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	input.request.kind.kind == "ClusterRole"
	some [i, rule] in rbac.judged_rules
	verbs := rbac.verbs_granted(rule, {"get", "list", "watch"})
	count(verbs) > 0
	resources := rbac.resources_granted(rule, {""}, {"secrets"})
	count(resources) > 0
	msg := sprintf("%s rule %d grants %s on %s, which reads Secrets in every namespace once bound by a ClusterRoleBinding: grant it in a Role in the namespaces that need it, with resourceNames where possible", [rbac.describe, i, rbac.quoted(verbs), rbac.quoted(resources)])
}

_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	some [i, rule] in rbac.judged_rules
	verbs := rbac.verbs_granted(rule, _any_verb)
	count(verbs) > 0
	resources := rbac.resources_granted(rule, {""}, _pod_access)
	count(resources) > 0
	msg := sprintf("%s rule %d grants %s on %s, which reaches into running containers: keep it to break-glass roles", [rbac.describe, i, rbac.quoted(verbs), rbac.quoted(resources)])
}

_violations contains {"msg": msg, "field": "roleRef.name"} if {
	input.request.kind.kind == "ClusterRoleBinding"
	rbac.obj.roleRef.kind == "ClusterRole"
	rbac.obj.roleRef.name in {"admin", "edit"}
	msg := sprintf("%s grants ClusterRole %q in every namespace: bind it with a RoleBinding in the namespaces that need it", [rbac.describe, rbac.obj.roleRef.name])
}
