# METADATA
# title: aws-auth maps IAM identities narrowly
# description: |
#   The kube-system/aws-auth ConfigMap maps IAM roles and users to Kubernetes identities. Its
#   mapRoles, mapUsers and mapAccounts values must be valid YAML lists; no mapping may put an IAM
#   identity in system:masters (which bypasses RBAC) except role ARNs listed in
#   parameters.breakGlassRoleArns (users never); mapAccounts must stay empty (it maps every
#   identity of an account); every role and user ARN must be a valid IAM ARN of an account in
#   parameters.awsAccountIds (empty allows none); and the ConfigMap must not be deleted, which
#   would lock nodes and people out. Fields are read the way aws-iam-authenticator reads them:
#   it decodes each entry with Go's encoding/json, which matches keys case-insensitively
#   (Unicode simple folding), so `RoleARN`, `Groups` or `UserArn` count as rolearn, groups and
#   userarn; an entry that gives one field under two spellings is refused (the authenticator
#   keeps one of them, which is not for a reviewer to guess), and every spelling is judged.
#   For this policy to run at all, the webhook registration must route kube-system ConfigMaps (CREATE, UPDATE, DELETE) to govhook and the config must
#   not exempt kube-system from evaluation (the default config does).
#   UPDATE: violations the ConfigMap already had are judged again whenever its data changes;
#   only metadata-only updates skip them (lib/update.rego).
# custom:
#   id: RBAC-006
#   severity: critical
#   controls: [CC6.1, CC6.2, CC6.3, CC8.1]
#   groups: [least-privilege, rbac, iam]
#   action: deny
#   kinds: [ConfigMap]
#   references:
#     - https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html
#     - https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
#     - CIS EKS Benchmark 4.1.1
package rbac.aws_auth

import data.lib.aws
import data.lib.params
import data.lib.update

_keys := ["mapRoles", "mapUsers", "mapAccounts"]

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

# _aws_auth is true for requests on kube-system/aws-auth; the request names the object on
# every operation, DELETE included.
_aws_auth if {
	input.request.kind.kind == "ConfigMap"
	input.request.name == "aws-auth"
	input.request.namespace == "kube-system"
}

_violations contains {"msg": `ConfigMap "aws-auth" must not be deleted: it maps IAM identities to cluster access, and without it nodes and people are locked out; edit its mappings instead`, "field": ""} if {
	_aws_auth
	input.request.operation == "DELETE"
}

_violations contains {"msg": sprintf(`ConfigMap "aws-auth" data.%s is not valid YAML`, [key]), "field": sprintf("data.%s", [key])} if {
	some key, value in _data
	not _valid_yaml(value)
}

_violations contains {"msg": sprintf(`ConfigMap "aws-auth" data.%s must be a YAML list of mappings`, [key]), "field": sprintf("data.%s", [key])} if {
	some key, value in _parsed
	not is_array(value)
}

_violations contains {"msg": msg, "field": sprintf("data.mapAccounts[%d]", [i])} if {
	is_array(_parsed.mapAccounts)
	some i, _ in _parsed.mapAccounts
	msg := sprintf(`ConfigMap "aws-auth" data.mapAccounts[%d] must be removed: it maps every IAM identity of an account into the cluster; map individual roles in mapRoles instead`, [i])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d]", [key, i])} if {
	some [key, i, entry] in _mappings
	not is_object(entry)
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d] must be a mapping with %s, username and groups`, [key, i, _arn_key[key]])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d]", [key, i])} if {
	some [key, i, entry] in _entries
	some field in ["rolearn", "userarn", "username", "groups"]
	spellings := [k | some k, _ in entry; _fold(k) == field]
	count(spellings) > 1
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d] gives %s more than once (%s): aws-iam-authenticator reads keys case-insensitively and keeps only one; write it once`, [key, i, field, concat(", ", sort(spellings))])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d].%s", [key, i, _arn_key[key]])} if {
	some [key, i, entry] in _entries
	count(_values(entry, _arn_key[key])) == 0
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d].%s must be an IAM %s ARN (arn:aws:iam::<12-digit account>:%s/<name>)`, [key, i, _arn_key[key], _arn_kind[key], _arn_kind[key]])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d].%s", [key, i, _arn_key[key]])} if {
	some [key, i, entry] in _entries
	some arn in _values(entry, _arn_key[key])
	not _valid_arn(key, arn)
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d].%s must be an IAM %s ARN (arn:aws:iam::<12-digit account>:%s/<name>)`, [key, i, _arn_key[key], _arn_kind[key], _arn_kind[key]])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d].%s", [key, i, _arn_key[key]])} if {
	some [key, i, entry] in _entries
	some arn in _values(entry, _arn_key[key])
	_valid_arn(key, arn)
	problem := aws.account_problem(aws.account_of(arn))
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d].%s %q is not allowed: %s`, [key, i, _arn_key[key], arn, problem])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d].groups", [key, i])} if {
	some [key, i, entry] in _entries
	some groups in _values(entry, "groups")
	is_array(groups)
	"system:masters" in groups
	not _break_glass(key, entry)
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d] (%s %q) must not map to group "system:masters", which bypasses RBAC: map it to a group bound to a narrower role%s`, [key, i, _arn_key[key], _shown(entry, _arn_key[key]), _break_glass_hint[key]])
}

_violations contains {"msg": msg, "field": sprintf("data.%s[%d].groups", [key, i])} if {
	some [key, i, entry] in _entries
	some groups in _values(entry, "groups")
	not is_array(groups)
	msg := sprintf(`ConfigMap "aws-auth" data.%s[%d].groups must be a list of group names`, [key, i])
}

_arn_key := {"mapRoles": "rolearn", "mapUsers": "userarn"}

_arn_kind := {"mapRoles": "role", "mapUsers": "user"}

_break_glass_hint := {"mapRoles": ", or list the role in parameters.breakGlassRoleArns", "mapUsers": ""}

# _data holds the aws-auth mapping values present in the ConfigMap.
_data[key] := value if {
	_aws_auth
	some key in _keys
	value := input.request.object.data[key]
}

_valid_yaml(value) if {
	is_string(value)
	yaml.is_valid(value)
}

# _parsed holds each mapping value that parses as YAML (an empty value is an empty list).
_parsed[key] := _list(yaml.unmarshal(value)) if {
	some key, value in _data
	_valid_yaml(value)
}

_list(null) := []

_list(value) := value if value != null

# _mappings holds [key, index, entry] for every entry of mapRoles and mapUsers.
_mappings contains [key, i, entry] if {
	some key in ["mapRoles", "mapUsers"]
	is_array(_parsed[key])
	some i, entry in _parsed[key]
}

# _entries are the mappings that are objects, the only ones whose fields are judged.
_entries contains [key, i, entry] if {
	some [key, i, entry] in _mappings
	is_object(entry)
}

_valid_arn("mapRoles", arn) if aws.role_arn(arn)

_valid_arn("mapUsers", arn) if aws.user_arn(arn)

# _break_glass is true when the entry names a role, and only roles, in parameters.breakGlassRoleArns.
_break_glass("mapRoles", entry) if {
	arns := _values(entry, "rolearn")
	count(arns) > 0
	every arn in arns {
		arn in params.break_glass_role_arns
	}
}

# _values lists the values an entry gives field under any spelling aws-iam-authenticator
# accepts for it: Go's encoding/json matches keys with Unicode simple case folding.
_values(entry, field) := [v | some k, v in entry; _fold(k) == field]

# _shown is the first value of field in the entry, for a message; "" when there is none.
_shown(entry, field) := _values(entry, field)[0] if count(_values(entry, field)) > 0

else := ""

# _fold folds a key as encoding/json compares it, for the field names read here (which hold
# no "k"): lower case, and the long s (U+017F) folds to "s".
_fold(k) := replace(lower(k), "ſ", "s")
