# METADATA
# title: Approved image registries
# description: |
#   Every image, including those of init and ephemeral containers and the references of image
#   volumes (volumes[].image.reference, GA in Kubernetes 1.36, pulled like container images),
#   comes from an approved registry. References are normalised first (implicit docker.io/library/, index.docker.io,
#   host case, registry ports, tags and digests) and matched against the allowedRegistries
#   parameter on whole path segments, so public.ecr.aws.evil.io/x or
#   123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x never pass. The ECR private
#   registries of the awsAccountIds parameter are approved in every region, at their IPv4
#   (<account>.dkr.ecr.<region>.amazonaws.com, FIPS and China included) and dual-stack
#   (<account>.dkr-ecr.<region>.on.aws) endpoints. Default:
#   public.ecr.aws and the ECR registries of the listed accounts (none by default).
# custom:
#   id: IMG-001
#   severity: high
#   controls: [CC6.8, CC7.1]
#   groups: [images, supply-chain]
#   action: deny
#   kinds: [pod-bearing]
#   references:
#     - CIS EKS Benchmark 5.1.4
#     - EKS Best Practices Guide, Image security, "Use approved registries"
package img.image_registry

import data.lib.images
import data.lib.pods

deny contains {"msg": msg, "field": field} if {
	some ref in pods.images
	image := ref.image
	is_string(image)
	not image in images.approved_as_written
	not images.approved(image)
	msg := sprintf("%s image %q (%s) is not from an approved registry; pull it from %s", [pods.describe_image(ref), image, images.name(image), images.approved_text])
	field := pods.image_field(ref)
}
