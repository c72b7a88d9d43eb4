# METADATA
# title: Image tags and digests
# description: |
#   Every image names an immutable version: no :latest and no tag-less references (which
#   mean :latest), unless pinned by digest. In production namespaces (the namespace label
#   named by the environmentLabel parameter equals prodEnvironment, default
#   environment=prod) every image must be pinned by digest (@sha256:...), so that what runs
#   is exactly what was reviewed and scanned.
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
package container.image_tag

import data.lib.images
import data.lib.params
import data.lib.pods

_prod if input.namespace.labels[params.environment_label] == params.prod_environment

deny contains {"msg": msg, "field": field} if {
	not _prod
	some r in images.references
	r.ref.digest == ""
	r.ref.tag in {"", "latest"}
	msg := sprintf("%s image %q must name a version tag instead of %s, or be pinned by digest", [pods.describe(r.container), r.container.container.image, _tag_text(r.ref.tag)])
	field := pods.field(r.container, "image")
}

deny contains {"msg": msg, "field": field} if {
	_prod
	some r in images.references
	not regex.match(`^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$`, r.ref.digest)
	msg := sprintf("%s image %q must be pinned by digest (image@sha256:<digest>) in production namespace %q", [pods.describe(r.container), r.container.container.image, object.get(input.namespace, "name", "")])
	field := pods.field(r.container, "image")
}

_tag_text("") := "no tag"

_tag_text("latest") := ":latest"
