# METADATA
# title: Privileged containers
# description: |
#   Privileged containers disable most security mechanisms and must be disallowed
#   (Pod Security Standards, baseline: securityContext.privileged unset or false). Applies
#   to containers, initContainers and ephemeralContainers of every pod-bearing kind.
# custom:
#   id: POD-001
#   severity: critical
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"privileged"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_privileged.go
#     - CIS EKS Benchmark 4.2.1
package pod.privileged

import data.lib.pods

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	c.container.securityContext.privileged == true
	msg := sprintf("%s must not set securityContext.privileged=true", [pods.describe(c)])
	field := pods.field(c, "securityContext.privileged")
}
