# METADATA
# title: Pod specs of every pod-bearing kind
# description: |
#   The one place that knows where each pod-bearing kind keeps its pod spec, so that no policy
#   walks objects on its own. Lookups go through constant tables keyed on the request's kind:
#   a request that carries no pod spec leaves every rule here undefined at once, and nothing
#   is formatted until a policy reports a violation.
package lib.pods

# _places maps each pod-bearing kind to where its pod spec and pod metadata live.
_places := {
	"Pod": {"spec": ["spec"], "metadata": ["metadata"], "spec_path": "spec", "metadata_path": "metadata"},
	"Deployment": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"ReplicaSet": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"StatefulSet": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"DaemonSet": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"Job": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"ReplicationController": {"spec": ["spec", "template", "spec"], "metadata": ["spec", "template", "metadata"], "spec_path": "spec.template.spec", "metadata_path": "spec.template.metadata"},
	"CronJob": {
		"spec": ["spec", "jobTemplate", "spec", "template", "spec"],
		"metadata": ["spec", "jobTemplate", "spec", "template", "metadata"],
		"spec_path": "spec.jobTemplate.spec.template.spec",
		"metadata_path": "spec.jobTemplate.spec.template.metadata",
	},
	"PodTemplate": {"spec": ["template", "spec"], "metadata": ["template", "metadata"], "spec_path": "template.spec", "metadata_path": "template.metadata"},
}

_place := _places[input.request.kind.kind]

# obj is the request's object as it will be after the request; undefined on DELETE.
obj := input.request.object if is_object(input.request.object)

# spec_path is the dotted path of the pod spec inside the object, for violation fields.
spec_path := _place.spec_path

# metadata_path is the dotted path of the pod's metadata inside the object.
metadata_path := _place.metadata_path

# spec is the pod spec of the request's object; undefined when the object has none.
spec := s if {
	s := object.get(obj, _place.spec, null)
	s != null
}

# metadata is the pod's metadata (the template's for controllers), {} when absent.
metadata := object.get(obj, _place.metadata, {})

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
