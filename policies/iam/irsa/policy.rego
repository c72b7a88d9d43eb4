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
#   ServiceAccount review. The EKS Pod Identity webhook and the Pod Identity agent inject those
#   variables into Pods together with their token volume (aws-iam-token, eks-pod-identity-token)
#   before validation; a Pod carrying that volume is therefore not judged on them, nor is an
#   object a pod-bearing controller made from its template (a Pod of a ReplicaSet, a ReplicaSet
#   of a Deployment: the template was judged, lib/serviceaccounts.rego). UPDATE: only violations the object did not have before are
#   judged on metadata-only updates and on every Pod update (lib/update.rego); changing the
#   role ARN is judged.
# custom:
#   id: IAM-001
#   severity: critical
#   controls: [CC6.1, CC6.2, CC6.3]
#   groups: [least-privilege, iam]
#   action: deny
#   kinds: [ServiceAccount, pod-bearing]
#   triggers: ['eks.amazonaws.com/', '"AWS_']
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

_injected_volumes := {"aws-iam-token", "eks-pod-identity-token"}

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
	not _injected
	not serviceaccounts.templated
	some c in pods.containers
	some j, env in c.container.env
	env.name in _credential_env
	msg := sprintf("%s must not set env %s: annotate its ServiceAccount with %s and let EKS inject the credentials", [pods.describe(c), env.name, _role_arn_key])
}

# _injected is true for a Pod the EKS Pod Identity webhook or agent has mutated.
_injected if {
	input.request.kind.kind == "Pod"
	some volume in serviceaccounts.spec.volumes
	volume.name in _injected_volumes
}

_describe := sprintf("ServiceAccount %q", [input.request.object.metadata.name])

_field(key) := sprintf("metadata.annotations[%q]", [key])
