# METADATA
# title: Host probes and lifecycle hooks
# description: |
#   Probes and lifecycle hooks must not target another host, which would let the kubelet
#   reach arbitrary addresses on the pod's behalf (Pod Security Standards, baseline,
#   Kubernetes 1.34+): the host field of httpGet and tcpSocket in livenessProbe,
#   readinessProbe, startupProbe, lifecycle.postStart and lifecycle.preStop is unset or
#   empty on every container.
# custom:
#   id: POD-012
#   severity: medium
#   controls: [CC6.1, CC6.6]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_hostProbesAndhostLifecycle.go
package container.host_probes

import data.lib.pods

# _handlers are where a container keeps probe and lifecycle handlers.
_handlers := [
	["livenessProbe"],
	["readinessProbe"],
	["startupProbe"],
	["lifecycle", "postStart"],
	["lifecycle", "preStop"],
]

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some path in _handlers
	handler := object.get(c.container, path, null)
	some action in ["httpGet", "tcpSocket"]
	host := handler[action].host
	is_string(host)
	host != ""
	suffix := concat(".", array.concat(path, [action, "host"]))
	msg := sprintf("%s must not set %s; remove it so that the handler targets the pod itself", [pods.describe(c), suffix])
	field := pods.field(c, suffix)
}
