# METADATA
# title: Seccomp (restricted)
# description: |
#   A seccomp profile must be in force for every container (Pod Security Standards,
#   restricted): securityContext.seccompProfile.type is RuntimeDefault or Localhost on the
#   pod, or on each container that does not inherit it; a container's own profile overrides
#   the pod's, and Unconfined is refused at either level. Windows pods (spec.os.name:
#   windows) are exempt, as in the reference implementation. The reference checks the type
#   only: Localhost without localhostProfile is left to API validation, which refuses it.
#   Replaces the baseline seccomp check (POD-010) in the restricted profile.
# custom:
#   id: POD-024
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_seccompProfile_restricted.go
#     - CIS EKS Benchmark 4.6.2
package pod.seccomp_restricted

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.windows
	some s in pss.contexts
	profile := s.context.seccompProfile
	is_object(profile)
	not pss.valid_seccomp(profile)
	msg := sprintf("%s must not set securityContext.seccompProfile.type to %q; use RuntimeDefault or Localhost", [pss.describe(s), object.get(profile, "type", "")])
	field := pss.field(s, "seccompProfile.type")
}

# A container without a profile inherits the pod's; report it only when the pod sets none
# (a bad pod-level profile is reported above, and fixing it fixes both).
deny contains {"msg": msg, "field": field} if {
	not pss.windows
	not _pod_sets
	some c in pods.containers
	not is_object(object.get(c.container, ["securityContext", "seccompProfile"], null))
	msg := sprintf("%s must set securityContext.seccompProfile.type to RuntimeDefault or Localhost (or the pod must set it for all containers)", [pods.describe(c)])
	field := pods.field(c, "securityContext.seccompProfile.type")
}

_pod_sets if is_object(pods.spec.securityContext.seccompProfile)
