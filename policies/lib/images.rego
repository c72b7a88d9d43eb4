# METADATA
# title: Image references, normalised
# description: |
#   Image references resolved the way container runtimes resolve them
#   (github.com/distribution/reference): an implicit docker.io registry and library/
#   namespace, index.docker.io as docker.io, the registry host in lower case, registry ports
#   kept, tag and digest split off; and which registries the parameters approve, matched on
#   whole path segments so that a look-alike host such as public.ecr.aws.evil.io never passes
#   for public.ecr.aws. It runs on every pod-bearing request, so the common case is cheap: a
#   reference that already names an approved registry as its normalised name would is
#   approved as written, and only the others are normalised.
package lib.images

import data.lib.aws
import data.lib.params
import data.lib.pods

# _reference splits [host "/"] path [":" tag] ["@" digest]. The first path component is a
# registry host only when it contains "." or ":", is "localhost" or has upper-case letters,
# exactly as distribution/reference decides. Anything else (not a valid reference; no
# runtime would pull it) is caught whole by the last group.
_reference := `^(?:([^/]*[.:A-Z][^/]*|localhost)/)?([^:@]+)(?::([^:@/]+))?(?:@(.+))?$|^(.*)$`

# _hosts maps the host spellings that mean Docker Hub to docker.io.
_hosts := {"": "docker.io", "index.docker.io": "docker.io"}

# _official gives the implicit namespace of a one-component Docker Hub repository:
# _official[domain][contains(repository, "/")].
_official := {"docker.io": {false: "library/"}}

# name is the normalised repository of an image reference: "nginx:1.27" gives
# "docker.io/library/nginx", "Registry.Example.com:5000/team/app@sha256:..." gives
# "registry.example.com:5000/team/app". A string that is not a reference keeps its whole text
# after "docker.io/library/".
name(image) := concat("", [domain, "/", object.get(_official, [domain, contains(m[2], "/")], ""), m[2], m[5]]) if {
	[m] := regex.find_all_string_submatch_n(_reference, image, 1)
	host := lower(m[1])
	domain := object.get(_hosts, host, host)
}

# approved holds for an image reference from an approved registry: under an entry of the
# allowedRegistries parameter on a segment boundary, or in an ECR private registry of an
# account of the awsAccountIds parameter (accounts as lib.aws reads them). A reference that
# names an approved registry exactly as its normalised name would is approved as written;
# only the others are normalised.
approved(image) if _under(image)

else if _under(concat("", [name(image), "/"]))

# approved_as_written holds the images of the request's containers and image volumes that approved holds for
# without normalisation: what a policy checks first, computed once per request.
approved_as_written contains image if {
	some ref in pods.images
	image := ref.image
	is_string(image)
	some prefix in _prefixes
	startswith(image, prefix)
}

approved_as_written contains image if {
	count(aws.allowed_accounts) > 0
	some ref in pods.images
	image := ref.image
	is_string(image)
	regex.match(_ecr, image)
	substring(image, 0, 12) in aws.allowed_accounts
}

# _under holds for a string that starts with an approved prefix or with the host of an
# approved account's ECR registry, followed by "/".
_under(s) if {
	some prefix in _prefixes
	startswith(s, prefix)
}

_under(s) if {
	regex.match(_ecr, s)
	substring(s, 0, 12) in aws.allowed_accounts
}

# _ecr matches the host of an ECR private registry, followed by "/": the IPv4 endpoints
# <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] and the dual-stack (IPv6) endpoints
# <account>.dkr-ecr[-fips].<region>.on.aws and, in China,
# <account>.dkr-ecr.<region>.on.amazonwebservices.com.cn.
_ecr := `^[0-9]{12}\.(dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?|dkr-ecr(-fips)?\.[a-z0-9-]+\.on\.aws|dkr-ecr\.[a-z0-9-]+\.on\.amazonwebservices\.com\.cn)/`

# _prefixes are the allowedRegistries entries normalised like names (trimmed, in lower case,
# index.docker.io as docker.io) and ending in "/", so that a prefix only ever matches whole
# segments: "public.ecr.aws/" is no prefix of "public.ecr.aws.evil.io/x". Valid references
# have lower-case paths, so lowering a whole entry changes nothing they can match.
_prefixes contains concat("", [entry, "/"]) if {
	some raw in params.allowed_registries
	is_string(raw)
	entry := regex.replace(lower(trim_right(trim_space(raw), "/")), `^index\.docker\.io(/|$)`, "docker.io$1")
	entry != ""
}

# approved_text lists what is approved, for messages.
approved_text := concat(", ", array.concat(
	sort([trim_suffix(p, "/") | some p in _prefixes]),
	sort([sprintf("%s.dkr.ecr.<region>.amazonaws.com (or dkr-ecr.<region>.on.aws)", [a]) | some a in aws.allowed_accounts]),
)) if {
	count(_prefixes) + count(aws.allowed_accounts) > 0
} else := "no registry is approved; set the allowedRegistries or awsAccountIds parameter"
