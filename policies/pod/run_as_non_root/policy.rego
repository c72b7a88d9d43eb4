# METADATA
# title: Running as non-root
# description: |
#   Containers must be required to run as a non-root user (Pod Security Standards,
#   restricted): securityContext.runAsNonRoot is true on every container, either set there
#   or inherited from the pod, and false nowhere. Pods in a user namespace (hostUsers: false)
#   are exempt since Kubernetes 1.35, where root in the container is not root on the node.
# custom:
#   id: POD-022
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_runAsNonRoot.go
#     - CIS EKS Benchmark 4.2.6
package pod.run_as_non_root

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.user_namespace
	some s in pss.contexts
	s.context.runAsNonRoot == false
	msg := sprintf("%s must not set securityContext.runAsNonRoot=false; set it to true", [pss.describe(s)])
	field := pss.field(s, "runAsNonRoot")
}

# A container that leaves runAsNonRoot unset inherits the pod's; report it only when the pod
# does not set it either (a pod-level false is reported above, and fixing it fixes both).
deny contains {"msg": msg, "field": field} if {
	not pss.user_namespace
	not _pod_sets
	some c in pods.containers
	not is_boolean(object.get(c.container, ["securityContext", "runAsNonRoot"], null))
	msg := sprintf("%s must set securityContext.runAsNonRoot=true (or the pod must set it for all containers)", [pods.describe(c)])
	field := pods.field(c, "securityContext.runAsNonRoot")
}

_pod_sets if is_boolean(pods.spec.securityContext.runAsNonRoot)
