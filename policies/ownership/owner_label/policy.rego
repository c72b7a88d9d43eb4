# METADATA
# title: Owner label on workloads and access objects
# description: |
#   Every top-level workload, service, access and storage object names its accountable team in
#   the owner label, and so does every pod template, so that incidents route to an owner and an
#   auditor can sample by owner. Objects a controller creates (with ownerReferences) inherit
#   accountability from their owner and are skipped.
# custom:
#   id: OWN-002
#   severity: medium
#   controls: [CC1.3, CC6.1, CC7.3]
#   groups: [ownership]
#   action: deny
#   kinds: [pod-bearing, Service, Ingress, ServiceAccount, PersistentVolumeClaim, NetworkPolicy, Role, RoleBinding, ClusterRole, ClusterRoleBinding, StorageClass]
#   references:
#     - SOC 2 CC1.3 defined roles and responsibilities
package ownership.owner_label

import data.lib.params
import data.lib.pods
import data.lib.rbac

_owned_kinds := {
	"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
	"ReplicationController", "PodTemplate", "Service", "Ingress", "ServiceAccount",
	"PersistentVolumeClaim", "NetworkPolicy", "Role", "RoleBinding", "ClusterRole",
	"ClusterRoleBinding", "StorageClass",
}

deny contains {"msg": msg, "field": field} if {
	_judged
	not _has_owner(input.request.object.metadata)
	msg := sprintf("%s %q must carry label %q naming its owning team", [input.request.kind.kind, _name, params.owner_label])
	field := sprintf("metadata.labels[%q]", [params.owner_label])
}

deny contains {"msg": msg, "field": field} if {
	_judged
	input.request.kind.kind != "Pod"
	pods.spec
	not _has_owner(pods.metadata)
	msg := sprintf("%s %q pod template must carry label %q naming its owning team", [input.request.kind.kind, _name, params.owner_label])
	field := sprintf("%s.labels[%q]", [pods.metadata_path, params.owner_label])
}

_judged if {
	input.request.operation in {"CREATE", "UPDATE"}
	input.request.kind.kind in _owned_kinds
	count(object.get(input.request.object.metadata, "ownerReferences", [])) == 0
	not rbac.bootstrap # the apiserver's own RBAC defaults, reconciled at every start
}

_has_owner(metadata) if trim_space(metadata.labels[params.owner_label]) != ""

_name := object.get(input.request.object.metadata, "name", object.get(input.request.object.metadata, "generateName", ""))
