# METADATA
# title: Who may create workloads, Services and RBAC in govhook's namespace
# description: |
#   Pods, Services, EndpointSlices and RoleBindings are created in govhook's own namespace
#   (parameter govhookNamespace, default govhook-system) only by platform identities
#   (lib/identities.rego, as for MON-001: the control plane, which includes the ReplicaSet
#   controller that makes govhook's pods and the EndpointSlice controller that publishes them;
#   system:masters; and the config's platformUsernames/platformGroups, where govhook's deployer
#   belongs). Anyone else could otherwise add a Pod with the labels of govhook's Service
#   (parameter govhookSelector), or an EndpointSlice of that Service, and so receive the
#   apiserver's admission requests, or bind themselves a Role there. MON-001 guards UPDATE and
#   DELETE of the same namespace. The webhook entry own-namespace.govhook.io sends these
#   CREATEs with failurePolicy Fail, except those of the controllers that make govhook's pods
#   and EndpointSlices, of kubelets and of system:masters, so that govhook's own pods never
#   wait for govhook and a break-glass administrator can always repair it. Only requests that
#   name their requester are judged: `govhook test` and `govhook audit` have none.
# custom:
#   id: MON-002
#   severity: critical
#   controls: [CC6.1, CC7.2]
#   groups: [change-control]
#   action: deny
#   rationale: |
#     A Pod that joins govhook's Service answers admission requests in govhook's place, and a
#     RoleBinding in govhook's namespace can hand out its Secrets (the serving key, the evidence
#     signing key): both switch off enforcement without touching govhook's own objects.
#   remediation: |
#     Create objects in govhook's namespace through the platform's deployment identity (a
#     GitOps controller or an identity in parameters.platformUsernames or
#     parameters.platformGroups), not as a person; in an emergency ask for a time-bound
#     exception.
#   parameters: [govhookNamespace, govhookSelector, platformUsernames, platformGroups]
#   kinds: [Pod, Service, EndpointSlice, RoleBinding]
#   references:
#     - SOC 2 CC6.1 logical access; CC7.2 monitoring of system components
package mon.own_namespace

import data.lib.identities
import data.lib.objects
import data.lib.params

_advice := "only govhook's deployer and the control plane create objects there"

deny contains {"msg": msg, "field": "metadata.labels"} if {
	_judged
	_joins_service
	msg := sprintf("%q may not create Pod %q in govhook's namespace %q: its labels match govhook's Service selector (%s), so it would receive the apiserver's admission requests; %s", [identities.username, objects.name, input.request.namespace, _selector_text, _advice])
}

deny contains {"msg": msg, "field": ""} if {
	_judged
	not _joins_service
	msg := sprintf("%q may not create %s %q in govhook's namespace %q: %s", [identities.username, input.request.kind.kind, objects.name, input.request.namespace, _advice])
}

# _judged holds for a CREATE that names its requester: `govhook test` and `govhook audit` have
# none, and who made an object is not written in the object.
_judged if {
	input.request.operation == "CREATE"
	identities.username != ""
	input.request.kind.kind in {"Pod", "Service", "EndpointSlice", "RoleBinding"}
	input.request.namespace == params.govhook_namespace
	not identities.platform
}

# _joins_service holds for a Pod whose labels include every label of govhook's Service selector.
_joins_service if {
	input.request.kind.kind == "Pod"
	count(params.govhook_selector) > 0
	every key, value in params.govhook_selector {
		object.get(objects.metadata, ["labels", key], null) == value
	}
}

_selector_text := concat(", ", sort([sprintf("%s=%s", [k, v]) | some k, v in params.govhook_selector]))
