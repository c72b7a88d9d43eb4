# METADATA
# title: AWS identities (IAM role ARNs, allowlisted accounts, denied role names)
# description: |
#   Shared by IAM-001 (IRSA ServiceAccounts) and RBAC-006 (aws-auth). An empty account allowlist
#   allows no account: an unconfigured cluster refuses IAM identities with a message that says
#   which parameter to set, rather than accepting roles from any AWS account.
package lib.aws

import data.lib.params

# role_arn parses an IAM role ARN into {"partition", "account", "path", "name"}; undefined
# when arn is not one (partitions aws, aws-cn, aws-us-gov; a 12-digit account; role/ with an
# optional path).
role_arn(arn) := {"partition": m[1], "account": m[2], "path": m[3], "name": m[4]} if {
	is_string(arn)
	some m in regex.find_all_string_submatch_n(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`, arn, 1)
}

# user_arn parses an IAM user ARN into {"partition", "account", "path", "name"}; undefined
# when arn is not one.
user_arn(arn) := {"partition": m[1], "account": m[2], "path": m[3], "name": m[4]} if {
	is_string(arn)
	some m in regex.find_all_string_submatch_n(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):user/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`, arn, 1)
}

# account_of is the account id of any IAM ARN (role or user), undefined if arn has none.
account_of(arn) := m[1] if {
	is_string(arn)
	some m in regex.find_all_string_submatch_n(`^arn:(?:aws|aws-cn|aws-us-gov):iam::([0-9]{12}):`, arn, 1)
}

# allowed_accounts is the account allowlist as strings (a YAML config may give numbers).
allowed_accounts := {_text(a) | some a in params.aws_account_ids}

_text(a) := a if is_string(a)

_text(a) := format_int(a, 10) if is_number(a)

# account_allowed(account) is true when the account is in the allowlist.
account_allowed(account) if account in allowed_accounts

# account_problem(account) says why an account is not allowed, for a message.
account_problem(account) := "parameters.awsAccountIds lists no AWS account: list the accounts IAM roles may come from" if {
	count(allowed_accounts) == 0
} else := sprintf("account %q is not in parameters.awsAccountIds", [account]) if {
	not account_allowed(account)
}

# denied_pattern(name) is the first deniedRoleNamePatterns glob the role name matches,
# case-insensitively (IAM role names are unique regardless of case); undefined if none does.
denied_pattern(name) := matched[0] if {
	matched := [pattern | some pattern in params.denied_role_name_patterns; glob.match(lower(pattern), [], lower(name))]
	count(matched) > 0
}
