# METADATA
# title: Running as non-root user
# description: |
#   Containers must not run as user ID 0 (Pod Security Standards, restricted):
#   securityContext.runAsUser is unset or non-zero on the pod and on every container. Pods
#   in a user namespace (hostUsers: false) are exempt since Kubernetes 1.35.
# custom:
#   id: POD-023
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   triggers: ['"runAsUser"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_runAsUser.go
#     - CIS EKS Benchmark 4.2.6
package pod.run_as_user

import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.user_namespace
	some s in pss.contexts
	s.context.runAsUser == 0
	msg := sprintf("%s must not set securityContext.runAsUser=0; run as a non-zero user ID", [pss.describe(s)])
	field := pss.field(s, "runAsUser")
}
