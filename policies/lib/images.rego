# METADATA
# title: Container image references, normalised
# description: |
#   Parses every container's image reference once per request the way container runtimes
#   resolve it (github.com/distribution/reference): an implicit docker.io registry and
#   library/ namespace, index.docker.io as docker.io, the registry host in lower case,
#   registry ports kept, tag and digest split off. Also knows which registries the
#   parameters allow, matched on whole path segments so that a look-alike host such as
#   public.ecr.aws.evil.io never passes for public.ecr.aws.
package lib.images

import data.lib.params
import data.lib.pods

# references holds, for every container with an image, the container (as in pods.containers)
# and its parsed image: {"container": c, "ref": {"name": "docker.io/library/nginx",
# "domain": "docker.io", "tag": "1.27", "digest": ""}} for image "nginx:1.27".
references contains {"container": c, "ref": parse(c.container.image)} if {
	some c in pods.containers
	is_string(c.container.image)
}

# _reference splits [host "/"] path [":" tag] ["@" digest]. The first path component is a
# registry host only when it contains "." or ":", is "localhost" or has upper-case letters,
# exactly as distribution/reference decides.
_reference := `^(?:([^/]*[.:A-Z][^/]*|localhost)/)?([^:@]+)(?::([^:@/]+))?(?:@(.+))?$`

# parse normalises one image reference; a reference that does not parse keeps its text as
# its name (so that no allowlist entry matches it) and has neither tag nor digest.
parse(image) := {"name": concat("/", [domain, path]), "domain": domain, "tag": tag, "digest": digest} if {
	[[_, host, repository, tag, digest]] := regex.find_all_string_submatch_n(_reference, image, 1)
	domain := _domain(lower(host))
	path := _path(domain, repository)
} else := {"name": image, "domain": "", "tag": "", "digest": ""}

_domain("") := "docker.io"

_domain("index.docker.io") := "docker.io"

_domain(host) := host if not host in {"", "index.docker.io"}

# Official Docker Hub images live under library/.
_path("docker.io", repository) := concat("/", ["library", repository]) if not contains(repository, "/")

_path(domain, repository) := repository if not _official(domain, repository)

_official("docker.io", repository) if not contains(repository, "/")

# allowed holds for a parsed reference whose name lies under an allowed prefix (whole path
# segments only) or whose registry is the ECR private registry of an allowed AWS account.
allowed(ref) if {
	under := concat("", [ref.name, "/"])
	some prefix in _prefixes
	startswith(under, prefix)
}

allowed(ref) if _ecr_account(ref.domain) in _accounts

# _prefixes are the allowlist entries normalised like image names, each ending in "/" so that
# a prefix only ever matches whole segments: the host in lower case, index.docker.io as
# docker.io, no trailing slash.
_prefixes contains concat("", [concat("/", array.concat([_domain(lower(parts[0]))], array.slice(parts, 1, count(parts)))), "/"]) if {
	some entry in params.allowed_registries
	is_string(entry)
	trimmed := trim_right(trim_space(entry), "/")
	trimmed != ""
	parts := split(trimmed, "/")
}

# _accounts are the allowed AWS account ids as 12-digit strings (a YAML number loses its
# leading zeros; they are put back).
_accounts contains _account(id) if some id in params.aws_account_ids

_account(id) := trim_space(id) if is_string(id)

_account(id) := sprintf("%012d", [id]) if is_number(id)

_ecr := `^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`

# _ecr_account is the account of an ECR private registry host.
_ecr_account(domain) := substring(domain, 0, 12) if regex.match(_ecr, domain)

# allowed_text lists what is allowed, for messages.
allowed_text := concat(", ", array.concat(sort([trim_suffix(p, "/") | some p in _prefixes]), sort([sprintf("%s.dkr.ecr.<region>.amazonaws.com", [a]) | some a in _accounts]))) if {
	count(_prefixes) + count(_accounts) > 0
} else := "nothing; set the allowedRegistries or awsAccountIds parameter"
