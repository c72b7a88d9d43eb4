# METADATA
# title: Self-protection of govhook's and monitoring's namespaces
# description: |
#   The workloads, Services, RBAC, NetworkPolicies and config of the protected namespaces
#   (the config's protectedNamespaces: govhook-system and monitoring by default) are updated
#   or deleted only by platform identities (lib/identities.rego: the control plane, which is
#   Kubernetes' own components and the kube-controller-manager's service accounts by name, not
#   every service account of kube-system; system:masters; and the config's
#   platformUsernames/platformGroups, where govhook's deployer belongs), so that nobody else
#   can switch off enforcement or the monitoring that watches it. That includes the scale
#   subresource of their Deployments, StatefulSets and ReplicaSets (scaling govhook or
#   Prometheus to zero) and the Prometheus Operator's PrometheusRules and ServiceMonitors
#   (silencing govhook's alerts). The same identities alone may delete a protected namespace or
#   change or remove its labels, which the webhook configuration's namespace selectors rely
#   on, and update or delete govhook's ValidatingWebhookConfiguration (parameter
#   webhookConfiguration, default govhook). The kube-apiserver never sends admission webhooks
#   requests about webhook configurations, so in the cluster that last rule is enforced by the
#   ValidatingAdmissionPolicy govhook-self-protection (deploy/base), which the apiserver
#   evaluates itself; this policy judges it in `govhook test` and `govhook audit` and documents it.
# custom:
#   id: MON-001
#   severity: critical
#   controls: [CC7.2, CC4.1]
#   groups: [change-control]
#   action: deny
#   kinds: [pod-bearing, Service, ConfigMap, Secret, ServiceAccount, Role, RoleBinding, NetworkPolicy, Namespace, Scale, PrometheusRule, ServiceMonitor, ValidatingWebhookConfiguration]
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
	msg := sprintf("%q may not %s %s %q in protected namespace %q: %s", [identities.username, objects.verb, _what, objects.name, input.request.namespace, _advice])
}

deny contains {"msg": msg, "field": ""} if {
	input.request.kind.kind == "ValidatingWebhookConfiguration"
	input.request.operation in {"UPDATE", "DELETE"}
	objects.name == params.webhook_configuration
	not identities.platform
	msg := sprintf("%q may not %s ValidatingWebhookConfiguration %q, which sends requests to govhook: %s", [identities.username, objects.verb, objects.name, _advice])
}

# _what names what the request changes: its kind, or for a subresource the resource and
# subresource (`deployments/scale`), since a Scale names no workload kind.
_what := sprintf("%s/%s", [input.request.resource.resource, input.request.subResource]) if {
	input.request.subResource != ""
} else := input.request.kind.kind

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
