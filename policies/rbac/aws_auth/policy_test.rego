package rbac.aws_auth_test

import data.lib.review_test as review
import data.rbac.aws_auth

_node_role := "arn:aws:iam::123456789012:role/eks-node-role"

_config_map(values) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": values}

_create(values) := review.create("ConfigMap", _config_map(values))

_good := {"mapRoles": concat("\n", [
	"- rolearn: arn:aws:iam::123456789012:role/eks-node-role",
	"  username: system:node:{{EC2PrivateDNSName}}",
	"  groups: [system:bootstrappers, system:nodes]",
	"- rolearn: arn:aws:iam::123456789012:role/break-glass",
	"  username: break-glass",
	"  groups: [system:masters]",
])}

_params := {"awsAccountIds": ["123456789012"], "breakGlassRoleArns": ["arn:aws:iam::123456789012:role/break-glass"]}

test_fail_delete if {
	got := aws_auth.deny with input as review.delete("ConfigMap", _config_map(_good))
	got == {{"msg": `ConfigMap "aws-auth" must not be deleted: it maps IAM identities to cluster access, and without it nodes and people are locked out; edit its mappings instead`, "field": ""}}
}

test_fail_invalid_yaml if {
	got := aws_auth.deny with input as _create({"mapRoles": "- rolearn: [", "mapUsers": "[]"}) with input.params as _params
	got == {{"msg": `ConfigMap "aws-auth" data.mapRoles is not valid YAML`, "field": "data.mapRoles"}}
}

test_fail_not_a_list if {
	got := aws_auth.deny with input as _create({"mapUsers": "userarn: arn:aws:iam::123456789012:user/alice"}) with input.params as _params
	got == {{"msg": `ConfigMap "aws-auth" data.mapUsers must be a YAML list of mappings`, "field": "data.mapUsers"}}
}

test_fail_masters_accounts_and_foreign_roles if {
	values := {
		"mapRoles": concat("\n", [
			"- rolearn: arn:aws:iam::123456789012:role/ops",
			"  username: ops",
			"  groups: [system:masters]",
			"- rolearn: arn:aws:iam::444455556666:role/ci",
			"  username: ci",
			"  groups: [deployers]",
			"- rolearn: not-an-arn",
			"- just a string",
		]),
		"mapUsers": "- {userarn: 'arn:aws:iam::123456789012:user/alice', username: alice, groups: [system:masters]}",
		"mapAccounts": "- '123456789012'",
	}
	got := aws_auth.deny with input as _create(values) with input.params as _params
	got == {
		{"msg": `ConfigMap "aws-auth" data.mapRoles[0] (rolearn "arn:aws:iam::123456789012:role/ops") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[0].groups"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[1].rolearn "arn:aws:iam::444455556666:role/ci" is not allowed: account "444455556666" is not in parameters.awsAccountIds`, "field": "data.mapRoles[1].rolearn"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[2].rolearn must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`, "field": "data.mapRoles[2].rolearn"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[3] must be a mapping with rolearn, username and groups`, "field": "data.mapRoles[3]"},
		{"msg": `ConfigMap "aws-auth" data.mapUsers[0] (userarn "arn:aws:iam::123456789012:user/alice") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role`, "field": "data.mapUsers[0].groups"},
		{"msg": `ConfigMap "aws-auth" data.mapAccounts[0] must be removed: it maps every IAM identity of an account into the cluster; map individual roles in mapRoles instead`, "field": "data.mapAccounts[0]"},
	}
}

test_fail_no_account_allowlisted if {
	got := aws_auth.deny with input as _create(_good)
	got == {
		{"msg": `ConfigMap "aws-auth" data.mapRoles[0].rolearn "arn:aws:iam::123456789012:role/eks-node-role" is not allowed: parameters.awsAccountIds lists no AWS account: list the accounts IAM roles may come from`, "field": "data.mapRoles[0].rolearn"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[1].rolearn "arn:aws:iam::123456789012:role/break-glass" is not allowed: parameters.awsAccountIds lists no AWS account: list the accounts IAM roles may come from`, "field": "data.mapRoles[1].rolearn"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[1] (rolearn "arn:aws:iam::123456789012:role/break-glass") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[1].groups"},
	}
}

test_fail_update_adding_masters if {
	old := _config_map(_good)
	new := _config_map({"mapRoles": concat("\n", [_good.mapRoles, "- {rolearn: 'arn:aws:iam::123456789012:role/dev', username: dev, groups: [system:masters]}"])})
	got := aws_auth.deny with input as review.update("ConfigMap", old, new) with input.params as _params
	got == {{"msg": `ConfigMap "aws-auth" data.mapRoles[2] (rolearn "arn:aws:iam::123456789012:role/dev") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[2].groups"}}
}

# aws-iam-authenticator decodes entries with encoding/json: keys match case-insensitively.
test_fail_keys_in_other_cases if {
	values := {"mapRoles": concat("\n", [
		"- RoleARN: arn:aws:iam::123456789012:role/ops",
		"  Username: ops",
		"  Groups: [system:masters]",
		"- ROLEARN: arn:aws:iam::444455556666:role/ci",
		"  username: ci",
		"  groupſ: [system:masters]",
		"- rolearn: arn:aws:iam::123456789012:role/break-glass",
		"  RoleArn: arn:aws:iam::123456789012:role/ops",
		"  groups: [system:masters]",
	])}
	got := aws_auth.deny with input as _create(values) with input.params as _params
	got == {
		{"msg": `ConfigMap "aws-auth" data.mapRoles[0] (rolearn "arn:aws:iam::123456789012:role/ops") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[0].groups"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[1].rolearn "arn:aws:iam::444455556666:role/ci" is not allowed: account "444455556666" is not in parameters.awsAccountIds`, "field": "data.mapRoles[1].rolearn"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[1] (rolearn "arn:aws:iam::444455556666:role/ci") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[1].groups"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[2] gives rolearn more than once (RoleArn, rolearn): aws-iam-authenticator reads keys case-insensitively and keeps only one; write it once`, "field": "data.mapRoles[2]"},
		{"msg": `ConfigMap "aws-auth" data.mapRoles[2] (rolearn "arn:aws:iam::123456789012:role/ops") must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role, or list the role in parameters.breakGlassRoleArns`, "field": "data.mapRoles[2].groups"},
	}
}

test_success_allowlisted_mappings if {
	got := aws_auth.deny with input as _create(object.union(_good, {"mapUsers": "", "mapAccounts": "[]"})) with input.params as _params
	got == set()
}

test_success_account_ids_given_as_numbers if {
	got := aws_auth.deny with input as _create(_good) with input.params as object.union(_params, {"awsAccountIds": [123456789012]})
	got == set()
}

test_success_other_config_maps if {
	every cm in [
		object.union(_config_map({"mapRoles": "- ["}), {"metadata": {"name": "coredns"}}),
		object.union(_config_map({"mapRoles": "- ["}), {"metadata": {"namespace": "shop"}}),
	] {
		got := aws_auth.deny with input as review.create("ConfigMap", cm)
		got == set()
	}
}

test_success_delete_of_another_config_map if {
	got := aws_auth.deny with input as review.delete("ConfigMap", object.union(_config_map({}), {"metadata": {"name": "coredns"}}))
	got == set()
}
