# METADATA
# title: Container image references, normalised
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
# account of the awsAccountIds parameter. A reference that names an approved registry exactly
# as its normalised name would is approved as written; only the others are normalised.
approved(image) if _under(image)

else if _under(concat("", [name(image), "/"]))

# _under holds for a string that starts with an approved prefix (each ends in "/") or with
# the host of an approved account's ECR registry and "/" (accounts as lib.aws reads them).
_under(s) if {
	some prefix in _prefixes
	startswith(s, prefix)
}

_under(s) if {
	regex.match(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`, s)
	substring(s, 0, 12) in aws.allowed_accounts
}

# _entries are the allowedRegistries entries normalised like names: trimmed, the host in
# lower case, index.docker.io as docker.io, without a trailing "/".
_entries contains entry if {
	some raw in params.allowed_registries
	is_string(raw)
	parts := split(trim_right(trim_space(raw), "/"), "/")
	host := lower(parts[0])
	host != ""
	entry := concat("/", array.concat([object.get(_hosts, host, host)], array.slice(parts, 1, count(parts))))
}

# _prefixes end in "/" so that a prefix only ever matches whole segments: "public.ecr.aws/"
# is no prefix of "public.ecr.aws.evil.io/x".
_prefixes contains concat("", [entry, "/"]) if some entry in _entries

# approved_text lists what is approved, for messages.
approved_text := concat(", ", array.concat(
	sort(_entries),
	sort([sprintf("%s.dkr.ecr.<region>.amazonaws.com", [a]) | some a in aws.allowed_accounts]),
)) if {
	count(_entries) + count(aws.allowed_accounts) > 0
} else := "no registry is approved; set the allowedRegistries or awsAccountIds parameter"

# pinned holds for a reference that ends in a sha256 or sha512 digest.
pinned(image) if regex.match(`@sha256:[a-f0-9]{64}$|@sha512:[a-f0-9]{128}$`, image)

# floating holds for a reference without a digest whose tag is "latest" or absent (which
# means latest): its last path component has no ":", or it ends in ":latest".
floating(image) if {
	not contains(image, "@")
	regex.match(`(^|/)[^/:]*$|:latest$`, image)
}
