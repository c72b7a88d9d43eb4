# METADATA
# title: /proc mount type
# description: |
#   The default /proc masks reduce the attack surface and must be kept (Pod Security
#   Standards, baseline: securityContext.procMount unset or "Default" on every container),
#   except in pods that run in a user namespace (hostUsers: false), where the baseline
#   allows any value since Kubernetes 1.35. The restricted profile keeps the requirement for
#   those pods too (POD-026).
# custom:
#   id: POD-009
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"procMount"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_procMount_baseline.go
package pod.proc_mount

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.user_namespace
	some c in pods.containers
	pss.proc_mount_unmasked(c.container)
	msg := sprintf("%s must not set securityContext.procMount to %q; remove it or set it to Default", [pods.describe(c), c.container.securityContext.procMount])
	field := pods.field(c, "securityContext.procMount")
}
