# METADATA
# title: Image tags and digests
# description: |
#   Every image, of containers (init and ephemeral included) and of image volumes
#   (volumes[].image.reference), names an immutable version: no :latest and no tag-less references (which
#   mean :latest), unless pinned by digest. In production namespaces (labelled
#   environment=prod, the label key being the environmentLabel parameter, as for tiering)
#   every image must be pinned by digest (@sha256:...), so that what runs is exactly what was
#   reviewed and scanned. Like tiering, an unknown namespace is judged as production.
# custom:
#   id: IMG-002
#   severity: medium
#   controls: [CC8.1, CC7.1]
#   groups: [images, supply-chain]
#   action: deny
#   kinds: [pod-bearing]
#   references:
#     - EKS Best Practices Guide, Image security, "Use immutable tags"
#     - NSA/CISA Kubernetes Hardening Guide, "Container images"
package img.image_tag

import data.lib.params
import data.lib.pods

# _floating matches a reference whose tag is "latest" or absent (which means latest): its last
# path component has no ":", or it ends in ":latest". Only references without a digest are
# asked.
_floating := `(^|/)[^/:]*$|:latest$`

# _pinned matches a reference that ends in a sha256 or sha512 digest.
_pinned := `@sha256:[a-f0-9]{64}$|@sha512:[a-f0-9]{128}$`

# _prod holds in a production namespace and, failing closed as tiering does, when the
# namespace is unknown.
_prod if input.namespace.labels[params.environment_label] == "prod"

_prod if not input.namespace

deny contains {"msg": msg, "field": field} if {
	not _prod
	some ref in pods.images
	image := ref.image
	is_string(image)
	not contains(image, "@")
	regex.match(_floating, image)
	msg := sprintf("%s image %q must name a version tag (not latest) or be pinned by digest", [pods.describe_image(ref), image])
	field := pods.image_field(ref)
}

deny contains {"msg": msg, "field": field} if {
	_prod
	some ref in pods.images
	image := ref.image
	is_string(image)
	not regex.match(_pinned, image)
	msg := sprintf("%s image %q must be pinned by digest (image@sha256:<digest>) %s", [pods.describe_image(ref), image, _where])
	field := pods.image_field(ref)
}

_where := sprintf("in production namespace %q", [input.namespace.name]) if input.namespace.name

else := "in a production namespace (the namespace is unknown, so it is judged as production)"
