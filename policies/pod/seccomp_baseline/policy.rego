# METADATA
# title: Seccomp (baseline)
# description: |
#   The seccomp profile must not be explicitly disabled (Pod Security Standards, baseline):
#   securityContext.seccompProfile.type on the pod and every container is unset,
#   RuntimeDefault or Localhost, never Unconfined. The restricted profile replaces this check
#   with POD-024 (which exempts Windows pods), as the reference implementation does, so this
#   policy belongs to pss-baseline only.
# custom:
#   id: POD-010
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"seccompProfile"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_seccompProfile_baseline.go
#     - CIS EKS Benchmark 4.6.2
package pod.seccomp_baseline

import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	some s in pss.contexts
	profile := s.context.seccompProfile
	is_object(profile)
	not pss.valid_seccomp(profile)
	msg := sprintf("%s must not set securityContext.seccompProfile.type to %q; use RuntimeDefault or Localhost", [pss.describe(s), object.get(profile, "type", "")])
	field := pss.field(s, "seccompProfile.type")
}
