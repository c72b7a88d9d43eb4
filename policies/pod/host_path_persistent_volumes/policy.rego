# METADATA
# title: HostPath PersistentVolumes
# description: |
#   A PersistentVolume must not be a hostPath volume (spec.hostPath). Pod Security Admission
#   and POD-004 look only at a pod's own volumes: a pod that mounts a persistentVolumeClaim
#   bound to a hostPath PersistentVolume gets the node's file system all the same, and the
#   claim is allowed even under the restricted profile. PersistentVolumes are cluster-scoped
#   and created by administrators or provisioners, so this is judged where the volume is
#   created or changed. A provisioner that makes hostPath volumes on purpose (local-path
#   provisioners on single-node clusters) needs an approved exception matching its volumes
#   (names such as pvc-*). Local volumes (spec.local, a dedicated disk or partition bound to
#   one node) are not judged: they are what local storage provisioners make, and their path
#   is chosen by the administrator who creates the volume.
# custom:
#   id: POD-032
#   severity: critical
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, hardening]
#   action: deny
#   kinds: [PersistentVolume]
#   triggers: ['"hostPath"']
#   references:
#     - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
package pod.host_path_persistent_volumes

import data.lib.objects

deny contains {"msg": msg, "field": "spec.hostPath"} if {
	input.request.kind.kind == "PersistentVolume"
	input.request.operation in {"CREATE", "UPDATE"}
	is_object(input.request.object.spec.hostPath)
	not _unchanged
	msg := sprintf("PersistentVolume %q must not use hostPath (%s): any pod that claims it gets the node's file system, which POD-004 refuses in pods; use a storage class backed by a CSI driver, or a local volume on a dedicated disk", [objects.name, _path])
}

# _unchanged is true for an UPDATE that keeps the volume's hostPath (the binder setting its
# claimRef, a label change): a volume that predates the policy keeps working.
_unchanged if {
	input.request.operation == "UPDATE"
	input.request.oldObject.spec.hostPath == input.request.object.spec.hostPath
}

_path := sprintf("path %q", [input.request.object.spec.hostPath.path]) if is_string(input.request.object.spec.hostPath.path)

else := "no path"
