# METADATA
# title: Resource requests and memory limits
# description: |
#   Every container and init container declares what it needs and caps its memory, so that
#   the scheduler can place it, one workload cannot starve its neighbours and capacity can be
#   planned: resources.requests.cpu, resources.requests.memory and resources.limits.memory.
#   A request the API defaults from the matching limit counts as set, and pod-level
#   resources (spec.resources) cover every container. Ephemeral containers may not set
#   resources and are not judged.
# custom:
#   id: POD-031
#   severity: low
#   controls: [A1.1, CC7.2]
#   groups: [resources]
#   action: warn
#   kinds: [pod-bearing]
#   references:
#     - NSA/CISA Kubernetes Hardening Guide, "Resource policies"
#     - EKS Best Practices Guide, Reliability, "Configure and size resource requests and limits"
package pod.resources

import data.lib.pods

# _required are the resource fields every container must have, as [section, resource].
_required := [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]

# A request the API would default from the limit of the same resource counts as set, so
# each need is also met by limits[resource] (for limits.memory that is the same field).
deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	c.type != "ephemeralContainers"
	some [section, resource] in _required
	not c.container.resources[section][resource]
	not c.container.resources.limits[resource]
	not pods.spec.resources[section][resource]
	not pods.spec.resources.limits[resource]
	suffix := concat(".", ["resources", section, resource])
	msg := sprintf("%s should set %s", [pods.describe(c), suffix])
	field := pods.field(c, suffix)
}
