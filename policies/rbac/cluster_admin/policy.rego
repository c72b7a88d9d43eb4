# METADATA
# title: cluster-admin only for allowlisted subjects
# description: |
#   A RoleBinding or ClusterRoleBinding may bind ClusterRole cluster-admin only to subjects
#   listed in parameters.clusterAdminSubjects (`Group:name`, `User:name`,
#   `ServiceAccount:namespace/name`); none are listed by default. Kubernetes' own cluster-admin
#   binding to system:masters stays admissible: it is recognised by its bootstrap label, name,
#   role and subject together, so a look-alike binding to another subject is still refused.
#   Cluster-wide bindings to admin and edit are reported by RBAC-005 (a warning).
#   UPDATE: only violations the binding did not have before are judged on metadata-only updates
#   (lib/update.rego); a DELETE is never refused.
# custom:
#   id: RBAC-001
#   severity: critical
#   controls: [CC6.1, CC6.2, CC6.3]
#   groups: [least-privilege, rbac]
#   action: deny
#   kinds: [RoleBinding, ClusterRoleBinding]
#   references:
#     - CIS EKS Benchmark 4.1.1
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
package rbac.cluster_admin

import data.lib.params
import data.lib.rbac
import data.lib.update

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
	rbac.obj.roleRef.kind == "ClusterRole"
	rbac.obj.roleRef.name == "cluster-admin"
	some i, subject in rbac.obj.subjects
	not rbac.subject_key(subject) in params.cluster_admin_subjects
	not rbac.default_binding(subject)
	msg := sprintf(`%s must not bind ClusterRole "cluster-admin" to %s %q (subject %d): bind a narrower role, or list %q in parameters.clusterAdminSubjects`, [rbac.describe, subject.kind, subject.name, i, rbac.subject_key(subject)])
	field := sprintf("subjects[%d]", [i])
}
