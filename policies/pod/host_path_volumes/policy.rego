# METADATA
# title: HostPath volumes
# description: |
#   HostPath volumes give a pod the node's file system and must be disallowed (Pod Security
#   Standards, baseline: spec.volumes[*].hostPath unset). The restricted profile replaces
#   this check with its volume type allowlist (POD-020), as the reference implementation
#   does, so this policy belongs to pss-baseline only.
# custom:
#   id: POD-004
#   severity: critical
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"hostPath"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_hostPathVolumes.go
package pod.host_path_volumes

import data.lib.pods

deny contains {"msg": msg, "field": field} if {
	some i, volume in pods.spec.volumes
	volume.hostPath != null
	msg := sprintf("volume %q must not use hostPath; use a persistentVolumeClaim, configMap, secret or emptyDir volume instead", [object.get(volume, "name", "")])
	field := sprintf("%s.volumes[%d].hostPath", [pods.spec_path, i])
}
