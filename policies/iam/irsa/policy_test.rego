package iam.irsa_test

import data.iam.irsa
import data.lib.review_test as review

_params := {"awsAccountIds": ["123456789012"]}

_account(annotations) := {"metadata": {"name": "checkout", "namespace": "shop", "annotations": annotations}}

_deployment(env) := {"metadata": {"name": "checkout", "namespace": "shop"}, "spec": {"template": {"spec": {
	"serviceAccountName": "checkout",
	"initContainers": [{"name": "setup", "image": "app:1", "env": [{"name": "AWS_REGION", "value": "eu-west-1"}]}],
	"containers": [{"name": "app", "image": "app:1", "env": env}],
}}}}

test_fail_invalid_arns if {
	every arn in [
		"arn:aws:iam::11112222333:role/checkout",
		"arn:aws:iam::123456789012:user/checkout",
		"arn:aws-eu:iam::123456789012:role/checkout",
		"arn:aws:iam::123456789012:role/",
		"checkout",
	] {
		got := irsa.deny with input as review.create("ServiceAccount", _account({"eks.amazonaws.com/role-arn": arn})) with input.params as _params
		got == {{"msg": `ServiceAccount "checkout" annotation eks.amazonaws.com/role-arn must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`}}
	}
}

test_fail_account_not_allowlisted if {
	got := irsa.deny with input as review.create("ServiceAccount", _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::444455556666:role/checkout"})) with input.params as _params
	got == {{"msg": `ServiceAccount "checkout" annotation eks.amazonaws.com/role-arn "arn:aws:iam::444455556666:role/checkout" is not allowed: account "444455556666" is not in parameters.awsAccountIds`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`}}
}

test_fail_no_account_allowlisted if {
	got := irsa.deny with input as review.create("ServiceAccount", _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/checkout"}))
	got == {{"msg": `ServiceAccount "checkout" annotation eks.amazonaws.com/role-arn "arn:aws:iam::123456789012:role/checkout" is not allowed: parameters.awsAccountIds lists no AWS account: list the accounts IAM roles may come from`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`}}
}

test_fail_denied_role_names_and_audience if {
	annotations := {"eks.amazonaws.com/role-arn": "arn:aws-us-gov:iam::123456789012:role/eks/eksctl-prod-nodegroup-NodeInstanceRole-1X2Y", "eks.amazonaws.com/audience": "example.com"}
	got := irsa.deny with input as review.create("ServiceAccount", _account(annotations)) with input.params as _params
	got == {
		{"msg": `ServiceAccount "checkout" must not assume IAM role "eksctl-prod-nodegroup-NodeInstanceRole-1X2Y": its name matches denied pattern "*NodeInstanceRole*" (node and administrator roles are not for workloads)`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`},
		{"msg": `ServiceAccount "checkout" annotation eks.amazonaws.com/audience must be "sts.amazonaws.com" (or be removed)`, "field": `metadata.annotations["eks.amazonaws.com/audience"]`},
	}
}

test_fail_denied_pattern_case_insensitive_from_params if {
	account := _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/platform-ADMIN"})
	got := irsa.deny with input as review.create("ServiceAccount", account) with input.params as object.union(_params, {"deniedRoleNamePatterns": ["*-admin"]})
	got == {{"msg": `ServiceAccount "checkout" must not assume IAM role "platform-ADMIN": its name matches denied pattern "*-admin" (node and administrator roles are not for workloads)`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`}}
}

test_fail_hand_set_credential_env if {
	env := [
		{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::123456789012:role/other"},
		{"name": "LOG_LEVEL", "value": "info"},
		{"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/token"},
		{"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"},
	]
	got := irsa.deny with input as review.create("Deployment", _deployment(env))
	got == {
		{"msg": `container "app" must not set env AWS_ROLE_ARN: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.template.spec.containers[0].env[0].name"},
		{"msg": `container "app" must not set env AWS_WEB_IDENTITY_TOKEN_FILE: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.template.spec.containers[0].env[2].name"},
		{"msg": `container "app" must not set env AWS_CONTAINER_CREDENTIALS_FULL_URI: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.template.spec.containers[0].env[3].name"},
	}
}

test_fail_bare_pod_with_hand_set_env if {
	pod := {"metadata": {"name": "job"}, "spec": {"containers": [{"name": "app", "image": "app:1", "env": [{"name": "AWS_ROLE_ARN", "value": "x"}]}]}}
	got := irsa.deny with input as review.create("Pod", pod)
	count(got) == 1
}

test_fail_update_changing_the_role if {
	old := _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/checkout"})
	new := _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/Administrator"})
	got := irsa.deny with input as review.update("ServiceAccount", old, new) with input.params as _params
	got == {{"msg": `ServiceAccount "checkout" must not assume IAM role "Administrator": its name matches denied pattern "*Admin*" (node and administrator roles are not for workloads)`, "field": `metadata.annotations["eks.amazonaws.com/role-arn"]`}}
}

test_success_workload_roles if {
	every arn in [
		"arn:aws:iam::123456789012:role/checkout",
		"arn:aws-cn:iam::123456789012:role/team/payments/checkout-reader",
		"arn:aws-us-gov:iam::123456789012:role/svc+checkout=prod,eu.1@x-y_z",
	] {
		account := _account({"eks.amazonaws.com/role-arn": arn, "eks.amazonaws.com/audience": "sts.amazonaws.com"})
		got := irsa.deny with input as review.create("ServiceAccount", account) with input.params as _params
		got == set()
	}
}

test_success_service_account_without_irsa if {
	got := irsa.deny with input as review.create("ServiceAccount", {"metadata": {"name": "checkout"}})
	got == set()
}

_irsa_env(role) := [{"name": "AWS_ROLE_ARN", "value": role}, {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}]

_irsa_mount := {"name": "aws-iam-token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount", "readOnly": true}

_irsa_pod(env, mounts, volume) := {"metadata": {"generateName": "checkout-"}, "spec": {
	"serviceAccountName": "checkout",
	"containers": [{"name": "app", "image": "app:1", "env": env, "volumeMounts": mounts}],
	"volumes": [volume],
}}

_irsa_volume := {"name": "aws-iam-token", "projected": {"sources": [{"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}}

test_success_pod_mutated_by_the_pod_identity_webhook if {
	pod := _irsa_pod(_irsa_env("arn:aws:iam::123456789012:role/checkout"), [_irsa_mount], _irsa_volume)
	got := irsa.deny with input as review.create("Pod", pod) with input.params as _params
	got == set()
}

test_success_pod_mutated_by_eks_pod_identity if {
	pod := {"metadata": {"generateName": "checkout-"}, "spec": {
		"serviceAccountName": "checkout",
		"containers": [{
			"name": "app", "image": "app:1",
			"env": [{"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://169.254.170.23/v1/credentials"}, {"name": "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "value": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"}],
			"volumeMounts": [{"name": "eks-pod-identity-token", "mountPath": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", "readOnly": true}],
		}],
		"volumes": [{"name": "eks-pod-identity-token", "projected": {"sources": [{"serviceAccountToken": {"audience": "pods.eks.amazonaws.com", "expirationSeconds": 86400, "path": "eks-pod-identity-token"}}]}}],
	}}
	got := irsa.deny with input as review.create("Pod", pod)
	got == set()
}

# A volume named aws-iam-token proves nothing: the variables are judged by what EKS writes.
test_fail_bare_pod_with_a_look_alike_token_volume if {
	pod := _irsa_pod(
		[{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::123456789012:role/Administrator"}, {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/tokens/token"}],
		[{"name": "aws-iam-token", "mountPath": "/tokens"}],
		{"name": "aws-iam-token", "configMap": {"name": "stolen-token"}},
	)
	got := irsa.deny with input as review.create("Pod", pod) with input.params as _params
	got == {
		{"msg": `container "app" must not set env AWS_ROLE_ARN: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].env[0].name"},
		{"msg": `container "app" must not set env AWS_WEB_IDENTITY_TOKEN_FILE: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].env[1].name"},
	}
}

# In the injected shape, the role must still be one a ServiceAccount could name.
test_fail_injected_shape_with_a_denied_role if {
	pod := _irsa_pod(_irsa_env("arn:aws:iam::123456789012:role/Administrator"), [_irsa_mount], _irsa_volume)
	got := irsa.deny with input as review.create("Pod", pod) with input.params as _params
	got == {{"msg": `container "app" must not set env AWS_ROLE_ARN: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].env[0].name"}}
}

test_fail_pod_identity_uri_elsewhere if {
	pod := {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "app", "image": "app:1", "env": [{"name": "AWS_CONTAINER_CREDENTIALS_FULL_URI", "value": "http://10.0.0.9/creds"}]}]}}
	got := irsa.deny with input as review.create("Pod", pod)
	got == {{"msg": `container "app" must not set env AWS_CONTAINER_CREDENTIALS_FULL_URI: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].env[0].name"}}
}

test_success_metadata_only_update_of_a_violating_account if {
	old := _account({"eks.amazonaws.com/role-arn": "arn:aws:iam::444455556666:role/checkout"})
	new := json.patch(old, [{"op": "add", "path": "/metadata/labels", "value": {"owner": "payments"}}])
	got := irsa.deny with input as review.update("ServiceAccount", old, new) with input.params as _params
	got == set()
}

test_success_ordinary_env if {
	got := irsa.deny with input as review.create("Deployment", _deployment([{"name": "AWS_REGION", "value": "eu-west-1"}]))
	got == set()
}

_job_pod := {
	"metadata": {"generateName": "migrate-", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "migrate", "uid": "u", "controller": true}]},
	"spec": {"containers": [{"name": "app", "image": "app:1", "env": [{"name": "AWS_ROLE_ARN", "value": "x"}]}]},
}

test_success_pod_made_by_a_job if {
	got := irsa.deny with input as review.by(review.create("Pod", _job_pod), "system:serviceaccount:kube-system:job-controller")
	got == set()
}

# Anyone can write a controller ownerReference: only a controller identity's request is
# judged through the template.
test_fail_forged_owner_reference if {
	got := irsa.deny with input as review.create("Pod", _job_pod)
	got == {{"msg": `container "app" must not set env AWS_ROLE_ARN: annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].env[0].name"}}
}

test_success_pod_made_by_a_configured_controller if {
	inp := review.by(review.create("Pod", _job_pod), "system:serviceaccount:batch:job-operator")
	got := irsa.deny with input as inp with input.params as {"controllerUsernames": ["system:serviceaccount:batch:job-operator"]}
	got == set()
}

# envFrom with prefix "AWS_" over a ConfigMap holding ROLE_ARN sets AWS_ROLE_ARN.
test_fail_env_from_prefix_that_produces_credential_names if {
	spec := {"containers": [{"name": "app", "image": "app:1", "envFrom": [
		{"prefix": "AWS_", "configMapRef": {"name": "aws"}},
		{"prefix": "APP_", "secretRef": {"name": "app"}},
		{"configMapRef": {"name": "plain"}},
		{"prefix": "AWS_ROLE_", "secretRef": {"name": "role"}},
	]}]}
	got := irsa.deny with input as review.create("Pod", {"metadata": {"name": "x"}, "spec": spec})
	got == {
		{"msg": `container "app" envFrom[0] prefix "AWS_" can produce env AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: drop the prefix or choose one that cannot, annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].envFrom[0].prefix"},
		{"msg": `container "app" envFrom[3] prefix "AWS_ROLE_" can produce env AWS_ROLE_ARN: drop the prefix or choose one that cannot, annotate its ServiceAccount with eks.amazonaws.com/role-arn and let EKS inject the credentials`, "field": "spec.containers[0].envFrom[3].prefix"},
	}
}

test_success_env_from_prefixes_that_cannot if {
	spec := {"containers": [{"name": "app", "image": "app:1", "envFrom": [
		{"prefix": "APP_", "configMapRef": {"name": "aws"}},
		{"prefix": "AWS_REGION_", "configMapRef": {"name": "aws"}},
		{"prefix": "AWS_ROLE_ARN", "configMapRef": {"name": "aws"}},
		{"prefix": "", "configMapRef": {"name": "aws"}},
	]}]}
	got := irsa.deny with input as review.create("Deployment", {"metadata": {"name": "x"}, "spec": {"template": {"spec": spec}}})
	got == set()
}
