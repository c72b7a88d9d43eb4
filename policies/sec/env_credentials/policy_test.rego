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
	]}]})
	got == set()
}
