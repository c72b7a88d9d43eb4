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
#   triggers: ['"host"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_hostProbesAndhostLifecycle.go
package pod.host_probes

import data.lib.pods

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some probe in ["livenessProbe", "readinessProbe", "startupProbe"]
	some action in ["httpGet", "tcpSocket"]
	host := c.container[probe][action].host
	is_string(host)
	host != ""
	msg := sprintf("%s must not set %s.%s.host; remove it so that the probe targets the pod itself", [pods.describe(c), probe, action])
	field := pods.field(c, concat(".", [probe, action, "host"]))
}

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some hook in ["postStart", "preStop"]
	some action in ["httpGet", "tcpSocket"]
	host := c.container.lifecycle[hook][action].host
	is_string(host)
	host != ""
	msg := sprintf("%s must not set lifecycle.%s.%s.host; remove it so that the hook targets the pod itself", [pods.describe(c), hook, action])
	field := pods.field(c, concat(".", ["lifecycle", hook, action, "host"]))
}
