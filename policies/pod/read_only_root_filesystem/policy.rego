# METADATA
# title: Read-only root filesystem
# description: |
#   Containers should run with an immutable root filesystem, so that an intruder cannot
#   plant binaries or alter configuration, writing only to explicit volumes: every container
#   and init container sets securityContext.readOnlyRootFilesystem=true. Ephemeral
#   (debugging) containers are not judged: kubectl debug's profiles cannot set the field and
#   access through them is governed by CHG-002. Windows pods are exempt: the API forbids the
#   field for them.
# custom:
#   id: POD-030
#   severity: medium
#   controls: [CC6.8]
#   groups: [pod-security, hardening]
#   action: warn
#   kinds: [pod-bearing]
#   references:
#     - NSA/CISA Kubernetes Hardening Guide, "Use immutable container file systems"
#     - EKS Best Practices Guide, Pod security, "Configure your images with read-only root file system"
package pod.read_only_root_filesystem

import data.lib.pods
import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	not pss.windows
	some c in pods.containers
	c.type != "ephemeralContainers"
	not c.container.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("%s should set securityContext.readOnlyRootFilesystem=true and write only to mounted volumes (an emptyDir for scratch space)", [pods.describe(c)])
	field := pods.field(c, "securityContext.readOnlyRootFilesystem")
}
