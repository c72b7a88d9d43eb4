# METADATA
# title: No user objects in default or the system namespaces
# description: |
#   Workloads and their config belong in a team namespace, never in default, where nobody owns
#   them; only the control plane writes there (the kubernetes Service, the default
#   ServiceAccount, the kube-root-ca.crt ConfigMap). The system namespaces (kube-system,
#   kube-public, kube-node-lease by default) are written only by the control plane and by
#   platform identities (system:masters and the config's platformUsernames/platformGroups).
#   lib/identities.rego defines both sets of identities exactly.
#   What the cluster enforces is what the webhook registration sends (deploy/base): CREATE and
#   UPDATE of the kinds listed here in default, kube-public and kube-node-lease, none of which
#   the default config exempts. kube-system is deliberately not sent (except the aws-auth
#   ConfigMap), so that a govhook outage can never lock the cluster out of repairing itself:
#   there NS-001 is enforced by RBAC alone, and `govhook test` and `govhook audit` report what
#   they see. DELETE is not sent for these kinds, so deletions are judged only where a
#   registration sends them (MON-001's protected namespaces).
# custom:
#   id: NS-001
#   severity: high
#   controls: [CC6.1, CC6.3]
#   groups: [namespaces]
#   action: deny
#   kinds: [pod-bearing, Service, ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim, Ingress, NetworkPolicy, Role, RoleBinding]
#   references:
#     - CIS Amazon EKS Benchmark, General Policies (the default namespace should not be used)
#     - EKS Best Practices Guide, multi-tenancy
package ns.system_namespaces

import data.lib.identities
import data.lib.kubernetes
import data.lib.objects
import data.lib.params

deny contains {"msg": msg, "field": "metadata.namespace"} if {
	input.request.namespace == "default"
	input.request.operation in {"CREATE", "UPDATE"}
	not identities.control_plane
	not kubernetes.apiserver_service
	msg := sprintf("%s %q must not be placed in namespace \"default\", which no team owns: move it to its team's namespace", [input.request.kind.kind, objects.name])
}

deny contains {"msg": msg, "field": "metadata.namespace"} if {
	input.request.namespace in params.system_namespaces
	input.request.operation in {"CREATE", "UPDATE", "DELETE"}
	not identities.platform
	msg := sprintf("%q may not %s %s %q in system namespace %q: only the control plane and platform identities write there", [identities.username, objects.verb, input.request.kind.kind, objects.name, input.request.namespace])
}
