# METADATA
# title: No external IPs, no NodePorts outside allowed namespaces
# description: |
#   A Service must not set spec.externalIPs: anyone allowed to create Services could then
#   intercept traffic to any IP address (CVE-2020-8554). A Service of type NodePort opens a
#   port on every node and bypasses the load balancers' controls; it is allowed only in the
#   config's nodePortNamespaces (none by default).
# custom:
#   id: NET-003
#   severity: high
#   controls: [CC6.6]
#   groups: [network]
#   action: deny
#   kinds: [Service]
#   references:
#     - https://github.com/kubernetes/kubernetes/issues/97076 (CVE-2020-8554)
#     - NSA/CISA Kubernetes Hardening Guide, network separation
package net.service_exposure

import data.lib.objects
import data.lib.params

deny contains {"msg": msg, "field": "spec.externalIPs"} if {
	_judged
	ips := input.request.object.spec.externalIPs
	is_array(ips)
	count(ips) > 0
	msg := sprintf("Service %q must not set spec.externalIPs, which lets a Service intercept traffic to any address (CVE-2020-8554): expose it through a load balancer", [objects.name])
}

deny contains {"msg": msg, "field": "spec.type"} if {
	_judged
	input.request.object.spec.type == "NodePort"
	not input.request.namespace in params.node_port_namespaces
	msg := sprintf("Service %q must not be of type NodePort in namespace %q (allowed only in: %s): use ClusterIP behind an Ingress or a LoadBalancer", [objects.name, input.request.namespace, _allowed])
}

_judged if {
	input.request.kind.kind == "Service"
	input.request.operation in {"CREATE", "UPDATE"}
}

default _allowed := "no namespace"

_allowed := concat(", ", params.node_port_namespaces) if count(params.node_port_namespaces) > 0
