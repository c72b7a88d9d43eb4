# METADATA
# title: Capabilities (baseline)
# description: |
#   Adding Linux capabilities beyond the container runtime's default set must be disallowed
#   (Pod Security Standards, baseline: securityContext.capabilities.add holds only
#   AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
#   SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT). Names compare exactly, as in the
#   reference: "ALL", "CAP_CHOWN" and "chown" are not in the set. The restricted profile
#   replaces this check with POD-025 (which exempts Windows pods), as the reference
#   implementation does, so this policy belongs to pss-baseline only.
# custom:
#   id: POD-005
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"add"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_capabilities_baseline.go
#     - CIS EKS Benchmark 4.2.7, 4.2.8
package pod.capabilities_baseline

import data.lib.pods
import data.lib.pss

_allowed := sprintf("; the baseline allows only %s", [concat(", ", sort(pss.baseline_capabilities))])

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some i, capability in c.container.securityContext.capabilities.add
	not capability in pss.baseline_capabilities
	msg := sprintf("%s must not include %q in securityContext.capabilities.add%s", [pods.describe(c), capability, pss.capability_hint(capability, pss.baseline_capabilities, _allowed)])
	field := pods.field(c, sprintf("securityContext.capabilities.add[%d]", [i]))
}
