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
package rbac.sensitive_grants

import data.lib.rbac
import data.lib.update

# Each permission lists every verb, API group and resource name that grants it, wildcards
# included, as the RBAC authorizer matches them.
_read_secrets := {"verbs": {"get", "list", "watch", "*"}, "groups": {"", "*"}, "resources": {"secrets", "*"}}

_pod_access := {
	"verbs": {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"},
	"groups": {"", "*"},
	"resources": {
		"pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers",
		"*/exec", "*/attach", "*/portforward", "*/ephemeralcontainers", "*",
	},
}

# deny and warn split _violations as lib/update.rego says: on an update judged only for new
# violations, those the object already had (_before) are warned about, not refused.
deny := update.new_violations(_violations, _before)

warn := update.carried_violations(_violations, _before)

_before := before if {
	update.only_new_violations
	count(_violations) > 0
	before := _violations with input.request.object as input.request.oldObject
}

default _before := set()

_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	input.request.kind.kind == "ClusterRole"
	some i, rule in rbac.judged_rules
	some resource in rule.resources
	resource in _read_secrets.resources
	grant := rbac.granted(rule, _read_secrets)
	msg := sprintf("%s rule %d grants %s on %s, which reads Secrets in every namespace once bound by a ClusterRoleBinding: grant it in a Role in the namespaces that need it, with resourceNames where possible", [rbac.describe, i, rbac.quoted(grant.verbs), rbac.quoted(grant.resources)])
}

_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	some i, rule in rbac.judged_rules
	some resource in rule.resources
	resource in _pod_access.resources
	grant := rbac.granted(rule, _pod_access)
	msg := sprintf("%s rule %d grants %s on %s, which reaches into running containers: keep it to break-glass roles", [rbac.describe, i, rbac.quoted(grant.verbs), rbac.quoted(grant.resources)])
}

_violations contains {"msg": msg, "field": "roleRef.name"} if {
	input.request.kind.kind == "ClusterRoleBinding"
	rbac.obj.roleRef.kind == "ClusterRole"
	rbac.obj.roleRef.name in {"admin", "edit"}
	msg := sprintf("%s grants ClusterRole %q in every namespace: bind it with a RoleBinding in the namespaces that need it", [rbac.describe, rbac.obj.roleRef.name])
}
