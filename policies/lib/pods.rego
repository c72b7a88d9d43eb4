# METADATA
# title: Pod specs of every pod-bearing kind
# description: |
#   The one place that knows where each pod-bearing kind keeps its pod spec, so that no policy
#   walks objects on its own. Lookups are rules indexed on the request's kind: a request that
#   carries no pod spec leaves every rule here undefined at once, and nothing is formatted
#   until a policy reports a violation.
package lib.pods

# _template is the part of the object that holds the pod's metadata and spec: the Pod itself,
# or the controller's pod template. One rule per kind, each indexed on the request's kind, so
# exactly one is looked at and a kind without pods leaves everything here undefined.
_template := input.request.object if input.request.kind.kind == "Pod"

_template := input.request.object.spec.template if input.request.kind.kind == "Deployment"

_template := input.request.object.spec.template if input.request.kind.kind == "ReplicaSet"

_template := input.request.object.spec.template if input.request.kind.kind == "StatefulSet"

_template := input.request.object.spec.template if input.request.kind.kind == "DaemonSet"

_template := input.request.object.spec.template if input.request.kind.kind == "Job"

_template := input.request.object.spec.template if input.request.kind.kind == "ReplicationController"

_template := input.request.object.spec.jobTemplate.spec.template if input.request.kind.kind == "CronJob"

_template := input.request.object.template if input.request.kind.kind == "PodTemplate"

# _places maps each pod-bearing kind to the dotted path of its pod spec and pod metadata, read
# only to name a violation's field.
_places := {
	"Pod": {"spec_path": "spec", "metadata_path": "metadata"},
	"Deployment": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"ReplicaSet": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"StatefulSet": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"DaemonSet": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"Job": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"ReplicationController": {"spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"CronJob": {"spec_path": "spec.jobTemplate.spec.template.spec", "metadata_path": "spec.jobTemplate.spec.template.metadata"},
	"PodTemplate": {"spec_path": "template.spec", "metadata_path": "template.metadata"},
}

# obj is the request's object as it will be after the request; undefined on DELETE.
obj := input.request.object if is_object(input.request.object)

# spec_path is the dotted path of the pod spec inside the object, for violation fields.
spec_path := _places[input.request.kind.kind].spec_path

# metadata_path is the dotted path of the pod's metadata inside the object.
metadata_path := _places[input.request.kind.kind].metadata_path

# spec is the pod spec of the request's object; undefined when the object has none.
spec := s if {
	s := _template.spec
	is_object(s)
}

# metadata is the pod's metadata (the template's for controllers), {} when absent.
metadata := object.get(_template, "metadata", {}) if is_object(_template)

# container_types lists the pod spec fields that hold containers, in PSS order.
container_types := ["initContainers", "containers", "ephemeralContainers"]

# containers holds every container of the pod spec, whatever its type:
# {"type": "containers", "index": 0, "name": "app", "container": {...}}.
containers contains {"type": type, "index": i, "name": container.name, "container": container} if {
	some type in container_types
	some i, container in spec[type]
}

# noun is how a message names a container of the given type.
noun := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# describe names a container for a message: `init container "setup"`.
describe(c) := sprintf("%s %q", [noun[c.type], c.name])

# field is the path of a field of a container, for violations:
# field(c, "securityContext.privileged") = "spec.template.spec.containers[0].securityContext.privileged".
field(c, suffix) := sprintf("%s.%s[%d].%s", [spec_path, c.type, c.index, suffix])

# images holds every image the pod pulls: each container's image and, since Kubernetes 1.36
# (GA), each image volume's reference (volumes[].image.reference), which a runtime pulls like
# a container image. {"image": "nginx:1.27", "container": c} for a container (c as in
# containers), {"image": ..., "volume": index, "name": volume name} for a volume.
images contains {"image": c.container.image, "container": c} if some c in containers

images contains {"image": volume.image.reference, "volume": i, "name": volume.name} if {
	some i, volume in spec.volumes
	is_object(volume.image)
}

# describe_image names where an image of images is used, for a message: `container "app"`,
# `volume "models"`.
describe_image(ref) := describe(ref.container) if ref.container

else := sprintf("volume %q", [ref.name])

# image_field is the path of an image of images, for violations.
image_field(ref) := field(ref.container, "image") if ref.container

else := sprintf("%s.volumes[%d].image.reference", [spec_path, ref.volume])
