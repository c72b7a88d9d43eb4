# METADATA
# title: /proc mount type in user namespaces
# description: |
#   The restricted profile requires the default /proc masks in every pod (Kubernetes 1.35+),
#   including pods in a user namespace (hostUsers: false) that the baseline relaxes for:
#   securityContext.procMount unset or "Default" on every container. Pods outside a user
#   namespace are judged by POD-009, which both profiles include, so a violation is reported
#   once.
# custom:
#   id: POD-026
#   severity: medium
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   triggers: ['"procMount"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_procMount_restricted.go
package pod.proc_mount_restricted

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	pss.user_namespace
	some c in pods.containers
	pss.proc_mount_unmasked(c.container)
	msg := sprintf("%s must not set securityContext.procMount to %q, even with hostUsers: false; remove it or set it to Default", [pods.describe(c), c.container.securityContext.procMount])
	field := pods.field(c, "securityContext.procMount")
}
