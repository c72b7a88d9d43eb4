# METADATA
# title: Who is asking (control plane, platform or user)
# description: |
#   The identities some policies trust, defined once.
#
#   control_plane: the kube-apiserver (system:apiserver), kube-controller-manager,
#   kube-scheduler and kube-proxy by their fixed usernames; kubelets (usernames system:node:*,
#   group system:nodes); the service accounts in kube-system under which the
#   kube-controller-manager runs its controllers (--use-service-account-credentials), by exact
#   name, as Kubernetes v1.37.2 binds them (_controller_manager_accounts); and Amazon EKS's own
#   control-plane users (usernames eks:*, which EKS reserves). Other service accounts of
#   kube-system are not the control plane: on EKS they include add-ons (external-dns, the load
#   balancer controller, CNI and CSI drivers) that anyone able to deploy there controls. A
#   service account of any other namespace is not the control plane either, and neither are
#   system:anonymous and the system:authenticated / system:unauthenticated groups.
#
#   controller: the identities in parameter controllerUsernames (default: the
#   kube-controller-manager and its controllers' service accounts in kube-system), whose
#   ownerReferences are trusted: an object such an identity makes for its owner is judged
#   through the owner. Nothing in the object itself (ownerReferences, labels, volume names) can
#   make a request count as a controller's.
#
#   platform: the control plane, members of system:masters (break-glass administrators, whom
#   RBAC cannot restrict anyway) and the platformUsernames / platformGroups of the config.
package lib.identities

import data.lib.params

_control_plane_usernames := {"system:apiserver", "system:kube-controller-manager", "system:kube-scheduler", "system:kube-proxy"}

_control_plane_username_prefixes := ["system:node:", "eks:"]

_control_plane_groups := {"system:nodes"}

# _controller_manager_accounts are the kube-system service accounts Kubernetes' bootstrap RBAC
# binds to the kube-controller-manager's controllers (v1.37.2), as usernames.
_controller_manager_accounts := {sprintf("system:serviceaccount:kube-system:%s", [name]) | some name in [
	"attachdetach-controller", "bootstrap-signer", "certificate-controller", "cloud-provider",
	"clusterrole-aggregation-controller", "cronjob-controller", "daemon-set-controller",
	"deployment-controller", "device-taint-eviction-controller", "disruption-controller",
	"endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
	"ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
	"horizontal-pod-autoscaler", "job-controller", "kube-apiserver-serving-clustertrustbundle-publisher",
	"kube-controller-manager", "kube-scheduler", "leader-election-controller",
	"legacy-service-account-token-cleaner", "namespace-controller", "node-controller",
	"persistent-volume-binder", "pod-garbage-collector", "podcertificaterequestcleaner",
	"pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
	"replication-controller", "resource-claim-controller", "resourcequota-controller",
	"root-ca-cert-publisher", "route-controller", "selinux-warning-controller",
	"service-account-controller", "service-cidrs-controller", "service-controller",
	"statefulset-controller", "storage-version-migrator-controller", "token-cleaner",
	"ttl-after-finished-controller", "ttl-controller", "validatingadmissionpolicy-status-controller",
	"volumeattributesclass-protection-controller",
]}

_username := object.get(input.request, ["userInfo", "username"], "")

_groups := object.get(input.request, ["userInfo", "groups"], [])

# username is the requesting user's name, for messages.
username := _username

# control_plane holds when the request comes from Kubernetes itself.
control_plane if _username in _control_plane_usernames

control_plane if _username in _controller_manager_accounts

control_plane if {
	some prefix in _control_plane_username_prefixes
	startswith(_username, prefix)
}

control_plane if {
	some group in _groups
	group in _control_plane_groups
}

# apiserver holds when the kube-apiserver itself makes the request (its loopback identity):
# it creates and reconciles the bootstrap RBAC.
apiserver if _username == "system:apiserver"

# controller holds when the request comes from an identity that makes objects from their
# owner's template (params.controller_usernames), exact usernames only.
controller if _username in params.controller_usernames

# platform holds when the request comes from the control plane, system:masters or an identity
# the config names as the platform's.
platform if control_plane

platform if "system:masters" in _groups

platform if _username in params.platform_usernames

platform if {
	some group in _groups
	group in params.platform_groups
}
