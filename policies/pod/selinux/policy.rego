# METADATA
# title: SELinux
# description: |
#   Setting a custom SELinux user or role must be disallowed and the SELinux type limited
#   to the container types (Pod Security Standards, baseline): securityContext.seLinuxOptions
#   on the pod and every container has type unset, empty, container_t, container_init_t,
#   container_kvm_t or container_engine_t, and no user or role.
# custom:
#   id: POD-008
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"seLinuxOptions"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_seLinuxOptions.go
package pod.selinux

import data.lib.pss

_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

deny contains {"msg": msg, "field": field} if {
	some s in pss.contexts
	options := s.context.seLinuxOptions
	is_object(options)
	some key in ["type", "user", "role"]
	not _allowed(key, object.get(options, key, null))
	msg := _message(key, pss.describe(s), options[key])
	field := pss.field(s, concat(".", ["seLinuxOptions", key]))
}

# Absent and null read as empty, as in the reference's decoded objects.
_allowed(_, null)

_allowed("type", value) if value in _types

_allowed("user", "")

_allowed("role", "")

_message("type", owner, value) := sprintf("%s must not set securityContext.seLinuxOptions.type to %q; use container_t, container_init_t, container_kvm_t or container_engine_t, or leave it unset", [owner, value])

_message(key, owner, _) := sprintf("%s must not set securityContext.seLinuxOptions.%s; remove it", [owner, key]) if key != "type"
