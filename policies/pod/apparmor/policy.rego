# METADATA
# title: AppArmor
# description: |
#   The runtime's default AppArmor profile must not be disabled or overridden with anything
#   but a node-local profile (Pod Security Standards, baseline): securityContext
#   appArmorProfile.type RuntimeDefault or Localhost (or unset) on the pod and every
#   container, and the legacy annotations container.apparmor.security.beta.kubernetes.io/*
#   empty, "runtime/default" or "localhost/<profile>".
# custom:
#   id: POD-007
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"appArmorProfile"', 'container.apparmor.security.beta.kubernetes.io/']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_appArmorProfile.go
package pod.apparmor

import data.lib.pods
import data.lib.pss

_annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

_types := {"RuntimeDefault", "Localhost"}

deny contains {"msg": msg, "field": field} if {
	some s in pss.contexts
	profile := s.context.appArmorProfile
	is_object(profile)
	not _allowed_type(profile)
	msg := sprintf("%s must not set securityContext.appArmorProfile.type to %q; use RuntimeDefault or Localhost", [pss.describe(s), object.get(profile, "type", "")])
	field := pss.field(s, "appArmorProfile.type")
}

deny contains {"msg": msg, "field": field} if {
	some key, value in pods.metadata.annotations
	startswith(key, _annotation_prefix)
	not _allowed_annotation(value)
	msg := sprintf("pod annotation %q must not be %q; use runtime/default or localhost/<profile>, or better securityContext.appArmorProfile", [key, value])
	field := sprintf("%s.annotations[%q]", [pods.metadata_path, key])
}

_allowed_type(profile) if profile.type in _types

_allowed_annotation("")

_allowed_annotation("runtime/default")

_allowed_annotation(value) if startswith(value, "localhost/")
