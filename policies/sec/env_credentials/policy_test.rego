package sec.env_credentials_test

import data.lib.review_test as t
import data.sec.env_credentials

_take := "take it from a Secret with valueFrom.secretKeyRef"

test_fail_credential_names if {
	got := env_credentials.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "env": [
		{"name": "DB_PASSWORD", "value": "hunter2"},
		{"name": "github_token", "value": "ghp_x"},
		{"name": "Stripe_Api_Key", "value": "sk_live_x"},
		{"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
		{"name": "SESSION_SECRET", "value": "s"},
		{"name": "PASSWORD", "value": "p"},
	]}]})
	got == {
		{"msg": sprintf(`container "app" must not set env DB_PASSWORD to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[0].value"},
		{"msg": sprintf(`container "app" must not set env github_token to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[1].value"},
		{"msg": sprintf(`container "app" must not set env Stripe_Api_Key to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[2].value"},
		{"msg": sprintf(`container "app" must not set env AWS_SECRET_ACCESS_KEY to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[3].value"},
		{"msg": sprintf(`container "app" must not set env SESSION_SECRET to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[4].value"},
		{"msg": sprintf(`container "app" must not set env PASSWORD to a literal value (its name marks a credential); %s`, [_take]), "field": "spec.containers[0].env[5].value"},
	}
}

# The documented name patterns: no separator needed before the long suffixes.
test_fail_credential_names_without_separators if {
	names := ["PGPASSWORD", "MYSQL_PWD", "SECRET_KEY_BASE", "GITHUBTOKEN", "SLACKAPIKEY", "CLIENTSECRET", "DB_PASS", "DB_PASSWORD_2", "SECRETKEY", "RSAPRIVATEKEY"]
	got := env_credentials.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "env": [{"name": n, "value": "x"} | some n in names]}]})
	got == {{"msg": sprintf(`container "app" must not set env %s to a literal value (its name marks a credential); %s`, [n, _take]), "field": sprintf("spec.containers[0].env[%d].value", [i])} | some i, n in names}
}

# A $(VAR) reference to a literal defined earlier in the container is that literal.
test_fail_reference_to_a_literal if {
	got := env_credentials.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "env": [
		{"name": "SEED", "value": "hunter2"},
		{"name": "DB_PASSWORD", "value": "$(SEED)"},
		{"name": "VIA", "value": "$(SEED)"},
		{"name": "API_TOKEN", "value": "$(VIA)"},
		{"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
		{"name": "AUTH_TOKEN", "value": "$(FROM_SECRET)"},
		{"name": "LATER_TOKEN", "value": "$(DEFINED_LATER)"},
		{"name": "DEFINED_LATER", "value": "x"},
	]}]})
	got == {
		{"msg": sprintf(`container "app" must not set env DB_PASSWORD to a literal value (its name marks a credential and its reference to SEED expands to a literal value); %s`, [_take]), "field": "spec.containers[0].env[1].value"},
		{"msg": sprintf(`container "app" must not set env API_TOKEN to a literal value (its name marks a credential and its reference to VIA expands to a literal value); %s`, [_take]), "field": "spec.containers[0].env[3].value"},
	}
}

test_fail_secret_values_under_any_name if {
	got := env_credentials.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox", "env": [{"name": "CONFIG", "value": "key=AKIAIOSFODNN7EXAMPLE region=us-east-1"}]}],
		"containers": [{"name": "app", "image": "nginx", "env": [{"name": "TLS_MATERIAL", "value": "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----"}]}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox", "env": [{"name": "STS", "value": "ASIAY34FZKBOKMUTVV7A"}]}],
	})
	got == {
		{"msg": sprintf(`init container "setup" must not set env CONFIG to a literal value (the value holds an AWS access key id); %s`, [_take]), "field": "spec.initContainers[0].env[0].value"},
		{"msg": sprintf(`container "app" must not set env TLS_MATERIAL to a literal value (the value holds a private key); %s`, [_take]), "field": "spec.containers[0].env[0].value"},
		{"msg": sprintf(`ephemeral container "debug" must not set env STS to a literal value (the value holds an AWS access key id); %s`, [_take]), "field": "spec.ephemeralContainers[0].env[0].value"},
	}
}

test_fail_messages_never_hold_the_value if {
	got := env_credentials.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "env": [{"name": "API_TOKEN", "value": "tok-9f8e7d"}, {"name": "K", "value": "AKIAIOSFODNN7EXAMPLE"}]}]})
	count(got) == 2
	every v in got {
		not contains(v.msg, "tok-9f8e7d")
		not contains(v.msg, "AKIAIOSFODNN7EXAMPLE")
	}
}

test_success_references_and_harmless_values if {
	got := env_credentials.deny with input as t.deployment({"containers": [{"name": "app", "image": "nginx", "env": [
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
		{"name": "DB_PASSWORD_FILE", "value": "/var/run/secrets/db/password"},
		{"name": "API_TOKEN", "value": ""},
		{"name": "AUTH_TOKEN", "value": "$(API_TOKEN)"},
		{"name": "TOKEN_URL", "value": "https://auth.example.com/token"},
		{"name": "AWS_ACCESS_KEY_ID_FILE", "value": "/secrets/id"},
		{"name": "BYPASS", "value": "true"},
		{"name": "NOTE", "value": "akiaiosfodnn7example is lower case"},
		{"name": "PWD", "value": "/app"},
		{"name": "COMPASS", "value": "north"},
		{"name": "TOKENIZER", "value": "bert"},
		{"name": "SECRET_NAME", "value": "db-credentials"},
	]}]})
	got == set()
}
