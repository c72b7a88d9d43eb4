# METADATA
# title: No literal credentials in environment variables
# description: |
#   Credentials belong in Secrets (or an external secret store), not in pod specs that are
#   stored, diffed and shown in plain text. An env entry with a literal, non-empty value is
#   refused when its name marks a credential (ending, in any case, in PASSWORD, PASSWD, PASS,
#   PASSPHRASE, TOKEN, SECRET, SECRET_KEY, API_KEY, APIKEY, PRIVATE_KEY or ACCESS_KEY, e.g.
#   DB_PASSWORD or AWS_SECRET_ACCESS_KEY) or when its value holds an AWS access key id
#   (AKIA/ASIA and 16 characters) or a PEM private key. valueFrom and $(VAR) references are
#   fine. Messages name the container and the variable, never the value.
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

_credential_name := `(?i)(^|_)(PASSWORD|PASSWD|PASS|PASSPHRASE|TOKEN|SECRET|SECRET_KEY|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY)$`

# _secret_value finds an AWS access key id (AKIA/ASIA and 16 characters) or a PEM private key
# header anywhere in a value.
_secret_value := `(^|[^A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}([^A-Z0-9]|$)|-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`

# _suspect screens NAME=value in one match for either reason; _reason then tells which.
_suspect := `^(?:[^=]*_)?(?i:PASSWORD|PASSWD|PASS|PASSPHRASE|TOKEN|SECRET|SECRET_KEY|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY)=|(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?:[^A-Z0-9]|$)|-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY`

# _reference is a value that only refers to another variable, $(NAME).
_reference := `^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$`

deny contains {"msg": msg, "field": field} if {
	some c in pods.containers
	some i, env in c.container.env
	value := env.value
	is_string(value)
	value != ""
	name := object.get(env, "name", "")
	regex.match(_suspect, concat("=", [name, value]))
	reason := _reason(name, value)
	msg := sprintf("%s must not set env %s to a literal value (%s); take it from a Secret with valueFrom.secretKeyRef", [pods.describe(c), name, reason])
	field := pods.field(c, sprintf("env[%d].value", [i]))
}

# _reason says why a literal value is refused, without quoting it; undefined when it is not.
_reason(name, value) := _value_reason(value) if regex.match(_secret_value, value)

else := "its name marks a credential" if {
	is_string(name)
	regex.match(_credential_name, name)
	not regex.match(_reference, value)
}

_value_reason(value) := "the value holds a private key" if contains(value, "PRIVATE KEY")

else := "the value holds an AWS access key id"
