# METADATA
# title: Privilege escalation
# description: |
#   Processes must not gain more privileges than their parent, e.g. through set-user-ID
#   binaries (Pod Security Standards, restricted): every container sets
#   securityContext.allowPrivilegeEscalation=false. Windows pods (spec.os.name: windows) are
#   exempt, as in the reference implementation, since the API forbids the field for them.
# custom:
#   id: POD-021
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_allowPrivilegeEscalation.go
#     - CIS EKS Benchmark 4.2.5
package pod.privilege_escalation

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.windows
	some c in pods.containers
	not c.container.securityContext.allowPrivilegeEscalation == false
	msg := sprintf("%s must set securityContext.allowPrivilegeEscalation=false", [pods.describe(c)])
	field := pods.field(c, "securityContext.allowPrivilegeEscalation")
}
