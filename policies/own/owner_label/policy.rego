# METADATA
# title: Owner label on workloads and access objects
# description: |
#   Every top-level workload, service, access and storage object names its accountable team in
#   the owner label, and so does every pod template, so that incidents route to an owner and an
#   auditor can sample by owner. When the namespace is known, the owner is the namespace's
#   owner or one of the teams its shared-with annotation lists (comma separated). An object a
#   controller makes for its owner inherits accountability from that owner and is skipped: one
#   with a controller ownerReference (controller: true) whose request comes from a controller
#   identity (parameter controllerUsernames, default the kube-controller-manager and its
#   controllers' service accounts, lib/identities.rego). Anyone can write ownerReferences, so
#   an object a user creates with one, or with non-controller ownerReferences only, is judged.
#   Tiered: denied in prod namespaces, a warning elsewhere.
# custom:
#   id: OWN-002
#   severity: medium
#   controls: [CC1.3, CC6.1, CC7.3]
#   groups: [ownership]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing, Service, Ingress, ServiceAccount, PersistentVolumeClaim, NetworkPolicy, Role, RoleBinding, ClusterRole, ClusterRoleBinding, StorageClass]
#   references:
#     - SOC 2 CC1.3 defined roles and responsibilities
package own.owner_label

import data.lib.identities
import data.lib.kubernetes
import data.lib.namespaces
import data.lib.objects
import data.lib.params
import data.lib.pods
import data.lib.rbac

_owned_kinds := {
	"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
	"ReplicationController", "PodTemplate", "Service", "Ingress", "ServiceAccount",
	"PersistentVolumeClaim", "NetworkPolicy", "Role", "RoleBinding", "ClusterRole",
	"ClusterRoleBinding", "StorageClass",
}

deny contains {"msg": _missing(""), "field": sprintf("metadata.labels[%q]", [params.owner_label])} if {
	_judged
	_object_owner == ""
}

deny contains {"msg": _missing(" pod template"), "field": sprintf("%s.labels[%q]", [pods.metadata_path, params.owner_label])} if {
	_judged_template
	_template_owner == ""
}

# The owner must be the namespace's or shared into it; unknown when the namespace (or its
# owner) is unknown, and then not compared.
deny contains {"msg": _foreign(_object_owner, ""), "field": sprintf("metadata.labels[%q]", [params.owner_label])} if {
	_judged
	namespaces.owner != _object_owner
	_object_owner != ""
	not _object_owner in namespaces.shared_with
}

deny contains {"msg": _foreign(_template_owner, " pod template"), "field": sprintf("%s.labels[%q]", [pods.metadata_path, params.owner_label])} if {
	_judged_template
	namespaces.owner != _template_owner
	_template_owner != ""
	not _template_owner in namespaces.shared_with
}

_judged if {
	input.request.operation in {"CREATE", "UPDATE"}
	input.request.kind.kind in _owned_kinds
	not _controller_made
	not rbac.bootstrap # the apiserver's own RBAC defaults, reconciled at every start
	not kubernetes.apiserver_service
}

# _controller_made is true for an object a controller identity makes for its owner.
_controller_made if {
	identities.controller
	some owner in input.request.object.metadata.ownerReferences
	owner.controller == true
}

_judged_template if {
	_judged
	input.request.kind.kind != "Pod"
	pods.spec
}

# _object_owner and _template_owner are the owners the object and its pod template name, ""
# for none.
_object_owner := trim_space(label) if {
	label := input.request.object.metadata.labels[params.owner_label]
	is_string(label)
} else := ""

_template_owner := trim_space(label) if {
	label := pods.metadata.labels[params.owner_label]
	is_string(label)
} else := ""

_missing(noun) := sprintf("%s %q%s must carry label %q naming its owning team%s", [input.request.kind.kind, objects.name, noun, params.owner_label, _hint])

_foreign(owner, noun) := sprintf("%s %q%s has label %q=%q but namespace %q belongs to %q: set it to %s, or list %q in the namespace's %q annotation", [input.request.kind.kind, objects.name, noun, params.owner_label, owner, namespaces.name, namespaces.owner, _teams, owner, params.shared_with_annotation])

# _teams lists the owners the namespace allows, for messages.
_teams := concat(" or ", [sprintf("%q", [team]) | some team in ({namespaces.owner} | namespaces.shared_with)])

# _hint names the allowed owners when the namespace is known.
default _hint := ""

_hint := sprintf(" (namespace %q allows %s)", [namespaces.name, _teams]) if namespaces.owner
