# METADATA
# title: Interactive access to pods (exec, attach, port-forward, debug containers)
# description: |
#   kubectl exec, attach, port-forward and debug (an ephemeral container added through
#   pods/ephemeralcontainers) change or read a running workload outside change control. Tiered:
#   denied in prod namespaces, where break-glass access takes an approved, time-bound
#   exception; a warning elsewhere. Every such request is in the evidence with its container
#   and tty/stdin flags, never its command.
# custom:
#   id: CHG-002
#   severity: high
#   controls: [CC6.1, CC7.2, CC8.1]
#   groups: [change-control]
#   action: deny
#   tiered: true
#   kinds: [PodExecOptions, PodAttachOptions, PodPortForwardOptions, Pod]
#   references:
#     - SOC 2 CC8.1 changes are authorized, tested and approved
#     - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#what-are-they (CONNECT)
package chg.interactive_access

import data.lib.objects

_connects := {"exec": "exec into", "attach": "attach to", "portforward": "port-forward to"}

_advice := "is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception"

deny contains {"msg": msg, "field": ""} if {
	input.request.operation == "CONNECT"
	action := _connects[input.request.subResource]
	msg := sprintf("%s pod %q%s %s", [action, input.request.name, _container, _advice])
}

deny contains {"msg": msg, "field": sprintf("spec.ephemeralContainers[%d]", [i])} if {
	input.request.kind.kind == "Pod"
	input.request.subResource == "ephemeralcontainers"
	input.request.operation == "UPDATE"
	some i, container in input.request.object.spec.ephemeralContainers
	not container.name in _old_ephemeral
	msg := sprintf("adding ephemeral container %q to pod %q %s", [container.name, objects.name, _advice])
}

# _container names the container a CONNECT targets, when it names one.
default _container := ""

_container := sprintf(" (container %q)", [input.request.object.container]) if {
	is_string(input.request.object.container)
	input.request.object.container != ""
}

_old_ephemeral contains container.name if {
	some container in input.request.oldObject.spec.ephemeralContainers
}
