package sa.token_secret_test

import data.lib.review_test as review
import data.sa.token_secret

_secret(type) := {
	"metadata": {"name": "ci-token", "namespace": "ci", "annotations": {"kubernetes.io/service-account.name": "ci"}},
	"type": type,
	"data": {"token": "c2VjcmV0LXZhbHVl"},
}

test_fail_service_account_token_secret if {
	got := token_secret.deny with input as review.create("Secret", _secret("kubernetes.io/service-account-token"))
	got == {{"msg": `Secret "ci-token" must not be of type kubernetes.io/service-account-token, whose token never expires: mount a projected ServiceAccount token, or use "kubectl create token" outside the cluster`, "field": "type"}}
}

test_success_other_secret_types if {
	every type in ["Opaque", "kubernetes.io/tls", "kubernetes.io/dockerconfigjson"] {
		got := token_secret.deny with input as review.create("Secret", _secret(type))
		got == set()
	}
}

test_success_token_controller_update if {
	old := json.remove(_secret("kubernetes.io/service-account-token"), ["data"])
	got := token_secret.deny with input as review.update("Secret", old, _secret("kubernetes.io/service-account-token"))
	got == set()
}

test_success_delete if {
	got := token_secret.deny with input as review.delete("Secret", _secret("kubernetes.io/service-account-token"))
	got == set()
}
