# METADATA
# title: No literal credentials in environment variables
# description: |
#   Credentials belong in Secrets (or an external secret store), not in pod specs that are
#   stored, diffed and shown in plain text. An env entry with a literal, non-empty value is
#   refused when its name marks a credential or its value holds one. Names (any case, an
#   optional trailing number such as _2 allowed) that mark a credential:
#     - ending in PASSWORD, PASSWD, PASSPHRASE, TOKEN, SECRET, SECRET_KEY or SECRETKEY,
#       SECRET_KEY_BASE, API_KEY or APIKEY, PRIVATE_KEY or PRIVATEKEY, ACCESS_KEY or
#       ACCESSKEY, with or without a separator before them (DB_PASSWORD, PGPASSWORD,
#       GITHUBTOKEN, CLIENTSECRET, SECRET_KEY_BASE, SLACK_APIKEY, AWS_SECRET_ACCESS_KEY);
#     - PASS as a whole word (PASS, DB_PASS, not BYPASS) and PWD after a separator
#       (MYSQL_PWD, not the shell's PWD).
#   Values that hold a credential under any name: an AWS access key id (AKIA/ASIA and 16
#   characters) or a PEM private key. valueFrom is fine, and so is a value that is only a
#   $(VAR) reference, unless VAR is defined earlier in the same container with a literal
#   value (directly or through further references): Kubernetes expands the reference to that
#   literal. Messages name the container and the variable, never the value.
# custom:
#   id: SEC-001
#   severity: high
#   controls: [CC6.1, CC6.7]
#   groups: [secrets]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"env"']
#   references:
#     - CIS EKS Benchmark 4.4.1
#     - NSA/CISA Kubernetes Hardening Guide, "Secrets"
package sec.env_credentials

import data.lib.pods

# _credential_name is the documented list of credential names (see the description).
_credential_name := `(?i)(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|SECRET_?KEY|SECRET_KEY_BASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|(^|_)PASS|_PWD)(_?[0-9]+)?$`

# _secret_value finds an AWS access key id (AKIA/ASIA and 16 characters) or a PEM private key
# header anywhere in a value.
_secret_value := `(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)|-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`

# _suspect screens NAME=value in one match for either reason; _reason then tells which.
_suspect := `^(?:[^=]*(?i:PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|SECRET_?KEY|SECRET_KEY_BASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)|(?:[^=]*_)?(?i:PASS)|[^=]*_(?i:PWD))(?:_?[0-9]+)?=|(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?:[^A-Z0-9]|$)|-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY`

# _reference is a value that only refers to another variable, $(NAME).
_reference := `^\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)$`

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some i, env in c.container.env
	value := env.value
	is_string(value)
	value != ""
	name := object.get(env, "name", "")
	regex.match(_suspect, concat("=", [name, value]))
	reason := _reason(c.container.env, i, name, value)
	msg := sprintf("%s must not set env %s to a literal value (%s); take it from a Secret with valueFrom.secretKeyRef", [pods.describe(c), name, reason])
	field := pods.field(c, sprintf("env[%d].value", [i]))
}

# _reason says why a literal value is refused, without quoting it; undefined when it is not.
_reason(env, i, name, value) := _value_reason(value) if regex.match(_secret_value, value)

else := "its name marks a credential" if {
	_credential(name)
	not regex.match(_reference, value)
}

else := sprintf("its name marks a credential and its reference to %s expands to a literal value", [m[1]]) if {
	_credential(name)
	_expands_to_literal(env, i)
	some m in regex.find_all_string_submatch_n(_reference, value, 1)
}

_credential(name) if {
	is_string(name)
	regex.match(_credential_name, name)
}

# _expands_to_literal is true when env[i] is a $(VAR) reference whose chain of references,
# each to the last definition of VAR before it, ends in a literal value.
_expands_to_literal(env, i) if {
	edges := {j: _referenced(env, j) | some j, _ in env}
	some k in graph.reachable(edges, {i})
	count(edges[k]) == 0
	_plain_literal(env[k])
}

# _referenced is the index of the variable env[j] refers to with $(VAR), as a set; empty
# when it is no reference, or refers to nothing defined before it (which stays literal
# "$(VAR)" text, no credential).
_referenced(env, j) := {max(defs)} if {
	is_string(env[j].value)
	some m in regex.find_all_string_submatch_n(_reference, env[j].value, 1)
	defs := [k | some k, e in env; k < j; e.name == m[1]]
	count(defs) > 0
} else := set()

_plain_literal(e) if {
	is_string(e.value)
	e.value != ""
	not regex.match(_reference, e.value)
}

_value_reason(value) := "the value holds a private key" if contains(value, "PRIVATE KEY")

else := "the value holds an AWS access key id"
