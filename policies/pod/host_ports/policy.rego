# METADATA
# title: Host ports
# description: |
#   Host ports expose a container on the node's own addresses and must be disallowed (Pod
#   Security Standards, baseline: ports[*].hostPort unset or 0 in every container).
# custom:
#   id: POD-003
#   severity: high
#   controls: [CC6.1, CC6.6]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"hostPort"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_hostPorts.go
package pod.host_ports

import data.lib.pods

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some i, port in c.container.ports
	host_port := port.hostPort
	is_number(host_port)
	host_port != 0
	msg := sprintf("%s must not set ports[%d].hostPort=%v; remove hostPort and expose the port through a Service", [pods.describe(c), i, host_port])
	field := pods.field(c, sprintf("ports[%d].hostPort", [i]))
}
