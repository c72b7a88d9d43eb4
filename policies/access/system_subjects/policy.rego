# METADATA
# title: No bindings to system groups and anonymous users
# description: |
#   RoleBindings and ClusterRoleBindings must not grant anything to system:masters (which bypasses
#   authorization entirely), system:anonymous, system:unauthenticated or system:authenticated
#   (every identity in the cluster, including any AWS principal mapped into it). Kubernetes' own
#   default bindings to these groups stay admissible.
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
package access.system_subjects

_binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

_forbidden := {"system:masters", "system:anonymous", "system:unauthenticated", "system:authenticated"}

# Kubernetes' bootstrap bindings, as [binding name, role name, subject name]: the apiserver
# creates and reconciles them, and they must never be refused.
_kubernetes_defaults := {
	["cluster-admin", "cluster-admin", "system:masters"],
	["system:basic-user", "system:basic-user", "system:authenticated"],
	["system:discovery", "system:discovery", "system:authenticated"],
	["system:public-info-viewer", "system:public-info-viewer", "system:authenticated"],
	["system:public-info-viewer", "system:public-info-viewer", "system:unauthenticated"],
}

deny contains {"msg": msg, "field": field} if {
	input.request.kind.kind in _binding_kinds
	binding := input.request.object
	some i, subject in binding.subjects
	subject.kind in {"User", "Group"}
	subject.name in _forbidden
	not _kubernetes_default(binding, subject)
	msg := sprintf("%s %q must not bind %s %q (subject %d)", [input.request.kind.kind, binding.metadata.name, subject.kind, subject.name, i])
	field := sprintf("subjects[%d].name", [i])
}

_kubernetes_default(binding, subject) if {
	input.request.kind.kind == "ClusterRoleBinding"
	binding.roleRef.kind == "ClusterRole"
	[binding.metadata.name, binding.roleRef.name, subject.name] in _kubernetes_defaults
}
