# METADATA
# title: No bindings to system groups and anonymous users
# description: |
#   RoleBindings and ClusterRoleBindings must not grant anything to system:masters (which bypasses
#   authorization entirely), system:anonymous, system:unauthenticated or system:authenticated
#   (every identity in the cluster, including any AWS principal mapped into it), or
#   system:serviceaccounts (every service account of every namespace). A ClusterRoleBinding must
#   not bind a namespace's service account group system:serviceaccounts:<namespace> either: it
#   hands every service account of that namespace, present and future, the role in every
#   namespace (bind the accounts that need it by name, or use a RoleBinding). Kubernetes' own
#   default bindings to these groups stay admissible: each is recognised by its bootstrap label,
#   binding name, role and subject together (lib/rbac.rego), so copying the label onto another
#   binding does not make it admissible.
#   UPDATE: only violations the binding did not have before are judged on metadata-only updates
#   (lib/update.rego); a DELETE is never refused.
# custom:
#   id: RBAC-002
#   severity: critical
#   controls: [CC6.1, CC6.2, CC6.3]
#   groups: [least-privilege, rbac]
#   action: deny
#   kinds: [RoleBinding, ClusterRoleBinding]
#   references:
#     - CIS EKS Benchmark 4.1.1
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
package rbac.system_subjects

import data.lib.rbac
import data.lib.update

_forbidden := {"system:masters", "system:anonymous", "system:unauthenticated", "system:authenticated", "system:serviceaccounts"}

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

_violations contains {"msg": msg, "field": field} if {
	input.request.kind.kind in rbac.binding_kinds
	some i, subject in rbac.obj.subjects
	subject.kind in {"User", "Group"}
	subject.name in _forbidden
	not rbac.default_binding(subject)
	msg := sprintf("%s must not bind %s %q (subject %d)", [rbac.describe, subject.kind, subject.name, i])
	field := sprintf("subjects[%d].name", [i])
}

_violations contains {"msg": msg, "field": field} if {
	input.request.kind.kind == "ClusterRoleBinding"
	some i, subject in rbac.obj.subjects
	subject.kind == "Group"
	startswith(subject.name, "system:serviceaccounts:")
	msg := sprintf("%s must not bind Group %q (subject %d) cluster-wide: it grants every service account of namespace %q the role in every namespace; bind the service accounts by name, or use a RoleBinding", [rbac.describe, subject.name, i, substring(subject.name, count("system:serviceaccounts:"), -1)])
	field := sprintf("subjects[%d].name", [i])
}
