# METADATA
# title: Self-protection of govhook's and monitoring's namespaces
# description: |
#   The workloads, Services, RBAC, NetworkPolicies and config of the protected namespaces
#   (the config's protectedNamespaces: govhook-system and monitoring by default) are updated
#   or deleted only by platform identities (lib/identities.rego: the control plane,
#   system:masters and the config's platformUsernames/platformGroups), so that nobody else can
#   switch off enforcement or the monitoring that watches it. The same identities alone may
#   delete a protected namespace or change or remove its labels, which the webhook
#   configuration's namespace selectors rely on.
# custom:
#   id: MON-001
#   severity: critical
#   controls: [CC7.2, CC4.1]
#   groups: [change-control]
#   action: deny
#   kinds: [pod-bearing, Service, ConfigMap, Secret, ServiceAccount, Role, RoleBinding, NetworkPolicy, Namespace]
#   references:
#     - SOC 2 CC7.2 monitoring of system components; CC4.1 monitoring activities
package mon.protected_namespaces

import data.lib.identities
import data.lib.objects
import data.lib.params

_advice := "govhook and the monitoring that watches it change only through platform identities"

deny contains {"msg": msg, "field": ""} if {
	input.request.operation in {"UPDATE", "DELETE"}
	input.request.kind.kind != "Namespace"
	input.request.namespace in params.protected_namespaces
	not identities.platform
	msg := sprintf("%q may not %s %s %q in protected namespace %q: %s", [identities.username, objects.verb, input.request.kind.kind, objects.name, input.request.namespace, _advice])
}

deny contains {"msg": msg, "field": ""} if {
	input.request.kind.kind == "Namespace"
	input.request.operation == "DELETE"
	objects.name in params.protected_namespaces
	not identities.platform
	msg := sprintf("%q may not delete protected namespace %q: %s", [identities.username, objects.name, _advice])
}

deny contains {"msg": msg, "field": sprintf("metadata.labels[%q]", [key])} if {
	input.request.kind.kind == "Namespace"
	input.request.operation == "UPDATE"
	objects.name in params.protected_namespaces
	some key, old in object.get(objects.old_metadata, "labels", {})
	object.get(objects.metadata, ["labels", key], null) != old
	not identities.platform
	msg := sprintf("%q may not change or remove label %q of protected namespace %q: %s", [identities.username, key, objects.name, _advice])
}
