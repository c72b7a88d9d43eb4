# METADATA
# title: Volume types
# description: |
#   The restricted profile limits volumes to the core, pod-scoped sources (Pod Security
#   Standards, restricted): every entry of spec.volumes uses configMap, csi, downwardAPI,
#   emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret. Like the
#   reference implementation, it replaces the baseline hostPath check (POD-004) in the
#   restricted profile, so hostPath volumes are reported here too.
# custom:
#   id: POD-020
#   severity: medium
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-restricted]
#   action: deny
#   tiered: true
#   kinds: [pod-bearing]
#   triggers: ['"volumes"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - k8s.io/pod-security-admission/policy/check_restrictedVolumes.go
package pod.volume_types

import data.lib.pods

_allowed := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

# _restricted are the other volume sources of the API. A volume with no source at all is an
# emptyDir (the API server defaults it so before admission), and so allowed.
_restricted := {
	"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume",
	"flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs",
	"photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos",
	"vsphereVolume",
}

deny contains {"msg": msg, "field": field} if {
	some i, volume in pods.spec.volumes
	some type, source in volume
	type in _restricted
	source != null
	not _allowed_source(volume)
	msg := sprintf("volume %q must not use volume type %q; the restricted profile allows only %s", [object.get(volume, "name", ""), type, concat(", ", sort(_allowed))])
	field := sprintf("%s.volumes[%d].%s", [pods.spec_path, i, type])
}

_allowed_source(volume) if {
	some key, source in volume
	key in _allowed
	source != null
}
