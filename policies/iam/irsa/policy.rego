# METADATA
# title: IAM roles for service accounts stay within allowlisted, workload roles
# description: |
#   A ServiceAccount's eks.amazonaws.com/role-arn annotation must be a valid IAM role ARN
#   (partition aws, aws-cn or aws-us-gov; 12-digit account; role/ with an optional path) in an
#   account listed in parameters.awsAccountIds (an empty list allows no account, so an
#   unconfigured cluster refuses IRSA rather than trusting any account), and the role name must
#   not match parameters.deniedRoleNamePatterns (node and administrator roles, matched
#   case-insensitively). eks.amazonaws.com/audience, when set, stays sts.amazonaws.com.
#   Pod-bearing objects must not set AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE or
#   AWS_CONTAINER_CREDENTIALS_FULL_URI themselves, which would pick an IAM role past the
#   ServiceAccount review. An envFrom whose prefix can begin one of those names (prefix "AWS_",
#   "AWS", "A", "AWS_ROLE_") counts as setting it: with a ConfigMap or Secret key such as
#   ROLE_ARN it does, and the webhook does not see the ConfigMap. (An envFrom without a prefix
#   takes its names from the ConfigMap or Secret alone and is not judged here.) What the EKS webhooks inject into a Pod at its creation is told from
#   what they write, never from a name the user controls: IRSA's pod identity webhook writes
#   AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/secrets/eks.amazonaws.com/serviceaccount/token with the
#   projected token volume aws-iam-token (serviceAccountToken, audience sts.amazonaws.com)
#   mounted at /var/run/secrets/eks.amazonaws.com/serviceaccount, and AWS_ROLE_ARN copied from
#   the ServiceAccount's annotation; EKS Pod Identity writes
#   AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials (or
#   http://[fd00:ec2::23]/v1/credentials) with the projected token volume eks-pod-identity-token
#   (audience pods.eks.amazonaws.com) mounted at /var/run/secrets/pods.eks.amazonaws.com/serviceaccount.
#   A Pod's variable is admitted only in that shape, and AWS_ROLE_ARN only when the role it
#   names passes the same rules as the annotation (valid ARN, allowlisted account, no denied
#   name): the webhook copies an annotation IAM-001 judged, and a hand-written copy of that
#   shape can pick no role a ServiceAccount could not. Controllers' pod templates are never
#   mutated, so there the variables are always refused. An object a pod-bearing controller
#   made from its template (a Pod of a ReplicaSet, a ReplicaSet of a Deployment) is judged
#   through the template, but only when the request comes from a controller identity
#   (parameter controllerUsernames, lib/serviceaccounts.rego), never on the strength of an
#   ownerReference alone. UPDATE: only violations the object did not have before are
#   judged on metadata-only updates and on every Pod update (lib/update.rego); changing the
#   role ARN is judged.
# custom:
#   id: IAM-001
#   severity: critical
#   controls: [CC6.1, CC6.2, CC6.3]
#   groups: [least-privilege, iam]
#   action: deny
#   kinds: [ServiceAccount, pod-bearing]
#   triggers: ['eks.amazonaws.com/', '"AWS_', '"prefix"']
#   references:
#     - https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
#     - https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     - CIS EKS Benchmark 5.2.1
package iam.irsa

import data.lib.aws
import data.lib.pods
import data.lib.serviceaccounts
import data.lib.update

_role_arn_key := "eks.amazonaws.com/role-arn"

_audience_key := "eks.amazonaws.com/audience"

_credential_env := {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI"}

_irsa_token_file := "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

_pod_identity_uris := {"http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials"}

# deny and warn split _violations as lib/update.rego says: on an update judged only for new
# violations, those the object already had (_before) are warned about, not refused.
deny := update.new_violations(_violations, _before)

warn := update.carried_violations(_violations, _before)

_before := before if {
	update.only_new_violations
	count(_violations) > 0
	before := _violations with input.request.object as input.request.oldObject
}

default _before := set()

_annotations := input.request.object.metadata.annotations

_violations contains {"msg": msg, "field": _field(_role_arn_key)} if {
	input.request.kind.kind == "ServiceAccount"
	arn := _annotations[_role_arn_key]
	not aws.role_arn(arn)
	msg := sprintf("%s annotation %s must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)", [_describe, _role_arn_key])
}

_violations contains {"msg": msg, "field": _field(_role_arn_key)} if {
	input.request.kind.kind == "ServiceAccount"
	role := aws.role_arn(_annotations[_role_arn_key])
	problem := aws.account_problem(role.account)
	msg := sprintf("%s annotation %s %q is not allowed: %s", [_describe, _role_arn_key, _annotations[_role_arn_key], problem])
}

_violations contains {"msg": msg, "field": _field(_role_arn_key)} if {
	input.request.kind.kind == "ServiceAccount"
	role := aws.role_arn(_annotations[_role_arn_key])
	pattern := aws.denied_pattern(role.name)
	msg := sprintf("%s must not assume IAM role %q: its name matches denied pattern %q (node and administrator roles are not for workloads)", [_describe, role.name, pattern])
}

_violations contains {"msg": msg, "field": _field(_audience_key)} if {
	input.request.kind.kind == "ServiceAccount"
	_annotations[_audience_key] != "sts.amazonaws.com"
	msg := sprintf(`%s annotation %s must be "sts.amazonaws.com" (or be removed)`, [_describe, _audience_key])
}

_violations contains {"msg": msg, "field": pods.field(c, sprintf("env[%d].name", [j]))} if {
	not serviceaccounts.templated
	some c in pods.containers
	some j, env in c.container.env
	env.name in _credential_env
	not _eks_injected(c, env)
	msg := sprintf("%s must not set env %s: annotate its ServiceAccount with %s and let EKS inject the credentials", [pods.describe(c), env.name, _role_arn_key])
}

_violations contains {"msg": msg, "field": pods.field(c, sprintf("envFrom[%d].prefix", [j]))} if {
	not serviceaccounts.templated
	some c in pods.containers
	some j, source in c.container.envFrom
	names := [name | some name in _credential_env; _prefix_of(source.prefix, name)]
	count(names) > 0
	msg := sprintf("%s envFrom[%d] prefix %q can produce env %s: drop the prefix or choose one that cannot, annotate its ServiceAccount with %s and let EKS inject the credentials", [pods.describe(c), j, source.prefix, concat(", ", names), _role_arn_key])
}

# _prefix_of is true when an envFrom prefix begins name and leaves room for a key.
_prefix_of(prefix, name) if {
	is_string(prefix)
	prefix != ""
	startswith(name, prefix)
	name != prefix
}

# _eks_injected is true of a credential variable exactly as an EKS webhook writes it into a
# Pod (see the description): only there, and only in that shape.
_eks_injected(c, env) if {
	env.name == "AWS_WEB_IDENTITY_TOKEN_FILE"
	_irsa_shaped(c)
}

_eks_injected(c, env) if {
	env.name == "AWS_ROLE_ARN"
	_irsa_shaped(c)
	role := aws.role_arn(env.value)
	not aws.account_problem(role.account)
	not aws.denied_pattern(role.name)
}

_eks_injected(c, env) if {
	env.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	env.value in _pod_identity_uris
	_token_mounted(c, "eks-pod-identity-token", "pods.eks.amazonaws.com", "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount")
}

_irsa_shaped(c) if {
	_token_mounted(c, "aws-iam-token", "sts.amazonaws.com", "/var/run/secrets/eks.amazonaws.com/serviceaccount")
	some env in c.container.env
	env.name == "AWS_WEB_IDENTITY_TOKEN_FILE"
	env.value == _irsa_token_file
}

# _token_mounted is true when container c of a Pod mounts, at path, the projected service
# account token volume name with that audience.
_token_mounted(c, name, audience, path) if {
	input.request.kind.kind == "Pod"
	some volume in serviceaccounts.spec.volumes
	volume.name == name
	some source in volume.projected.sources
	source.serviceAccountToken.audience == audience
	some mount in c.container.volumeMounts
	mount.name == name
	mount.mountPath == path
}

_describe := sprintf("ServiceAccount %q", [input.request.object.metadata.name])

_field(key) := sprintf("metadata.annotations[%q]", [key])
