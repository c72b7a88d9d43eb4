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

deny contains violation if {
	some violation in _violations
	not _unchanged(violation)
}

# warn keeps a violation the object already had in view when an update that is judged only for
# new violations is admitted, so clean-up never gets stuck and nothing passes unremarked.
warn contains violation if {
	some violation in _violations
	_unchanged(violation)
}

# _unchanged is true of a violation the old object had too, on an UPDATE that is only judged
# for new violations (lib/update.rego).
_unchanged(violation) if {
	update.only_new_violations
	violation in _violations with input.request.object as input.request.oldObject
}

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
