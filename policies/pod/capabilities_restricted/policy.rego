# METADATA
# title: Capabilities (restricted)
# description: |
#   Containers must drop every Linux capability and may add back only NET_BIND_SERVICE (Pod
#   Security Standards, restricted): securityContext.capabilities.drop includes "ALL" and
#   capabilities.add holds nothing but "NET_BIND_SERVICE", on every container. Names compare
#   exactly, as in the reference ("all" does not drop everything). Windows pods
#   (spec.os.name: windows) are exempt, as in the reference implementation. Replaces the
#   baseline capabilities check (POD-005) in the restricted profile.
# custom:
#   id: POD-025
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_capabilities_restricted.go
#     - CIS EKS Benchmark 4.2.7, 4.2.8, 4.2.9
package pod.capabilities_restricted

import data.lib.pods
import data.lib.pss

_allowed := {"NET_BIND_SERVICE"}

deny contains {"msg": msg, "field": field} if {
	not pss.windows
	some c in pods.containers
	not "ALL" in object.get(c.container, ["securityContext", "capabilities", "drop"], [])
	msg := sprintf(`%s must set securityContext.capabilities.drop=["ALL"]%s`, [pods.describe(c), _drop_hint(c.container)])
	field := pods.field(c, "securityContext.capabilities.drop")
}

deny contains {"msg": msg, "field": field} if {
	not pss.windows
	some c in pods.containers
	some i, capability in c.container.securityContext.capabilities.add
	capability != "NET_BIND_SERVICE"
	msg := sprintf("%s must not include %q in securityContext.capabilities.add%s", [pods.describe(c), capability, pss.capability_hint(capability, _allowed, "; only NET_BIND_SERVICE may be added")])
	field := pods.field(c, sprintf("securityContext.capabilities.add[%d]", [i]))
}

_drop_hint(container) := `; names are case-sensitive: write "ALL"` if {
	some name in container.securityContext.capabilities.drop
	is_string(name)
	upper(name) == "ALL"
} else := ""
