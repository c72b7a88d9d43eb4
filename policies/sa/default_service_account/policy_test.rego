package sa.default_service_account_test

import data.lib.review_test as review
import data.sa.default_service_account

_deployment(spec) := {"metadata": {"name": "checkout", "namespace": "shop"}, "spec": {"template": {"spec": object.union({"containers": [{"name": "app", "image": "app:1"}]}, spec)}}}

test_fail_no_service_account_name if {
	got := default_service_account.deny with input as review.create("Deployment", _deployment({}))
	got == {{"msg": `Deployment "checkout" must not run as ServiceAccount "default" with its token mounted: set spec.template.spec.serviceAccountName to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, "field": "spec.template.spec.serviceAccountName"}}
}

test_fail_explicit_default_with_automount if {
	every spec in [
		{"serviceAccountName": "default", "automountServiceAccountToken": true},
		{"serviceAccount": "default"},
		{"serviceAccountName": ""},
	] {
		got := default_service_account.deny with input as review.create("Deployment", _deployment(spec))
		count(got) == 1
	}
}

test_fail_pod_from_generate_name if {
	pod := {"metadata": {"generateName": "checkout-7d9f-", "namespace": "shop"}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	got := default_service_account.deny with input as review.create("Pod", pod)
	got == {{"msg": `Pod "checkout-7d9f-" must not run as ServiceAccount "default" with its token mounted: set spec.serviceAccountName to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, "field": "spec.serviceAccountName"}}
}

test_success_dedicated_service_account if {
	every spec in [{"serviceAccountName": "checkout"}, {"serviceAccount": "checkout"}] {
		got := default_service_account.deny with input as review.create("Deployment", _deployment(spec))
		got == set()
	}
}

test_success_default_without_token if {
	got := default_service_account.deny with input as review.create("Deployment", _deployment({"automountServiceAccountToken": false}))
	got == set()
}

test_success_pod_update_of_a_violating_pod if {
	old := {"metadata": {"name": "legacy", "namespace": "shop"}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	new := json.patch(old, [{"op": "add", "path": "/spec/ephemeralContainers", "value": [{"name": "debug", "image": "busybox:1"}]}])
	got := default_service_account.deny with input as review.update("Pod", old, new)
	got == set()
}

test_fail_update_of_a_deployment_that_changes_its_spec if {
	old := _deployment({"serviceAccountName": "checkout"})
	new := _deployment({})
	got := default_service_account.deny with input as review.update("Deployment", old, new)
	count(got) == 1
}

test_success_other_kinds if {
	got := default_service_account.deny with input as review.create("Service", {"metadata": {"name": "x"}, "spec": {}})
	got == set()
}

test_success_pod_made_by_a_replica_set if {
	pod := {
		"metadata": {"generateName": "legacy-7d9f-", "namespace": "shop", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "legacy-7d9f", "uid": "u", "controller": true}]},
		"spec": {"containers": [{"name": "app", "image": "app:1"}]},
	}
	got := default_service_account.deny with input as review.by(review.create("Pod", pod), "system:serviceaccount:kube-system:replicaset-controller")
	got == set()
}

# A controller ownerReference written by a user exempts nothing.
test_fail_forged_owner_reference if {
	pod := {
		"metadata": {"name": "sneaky", "namespace": "shop", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "legacy-7d9f", "uid": "u", "controller": true}]},
		"spec": {"containers": [{"name": "app", "image": "app:1"}]},
	}
	got := default_service_account.deny with input as review.create("Pod", pod)
	got == {{"msg": `Pod "sneaky" must not run as ServiceAccount "default" with its token mounted: set spec.serviceAccountName to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, "field": "spec.serviceAccountName"}}
}

test_fail_pod_made_by_another_controller if {
	pod := {
		"metadata": {"generateName": "spark-exec-", "namespace": "shop", "ownerReferences": [{"apiVersion": "spark.example.com/v1", "kind": "SparkApplication", "name": "etl", "uid": "u", "controller": true}]},
		"spec": {"containers": [{"name": "exec", "image": "spark:3"}]},
	}
	got := default_service_account.deny with input as review.create("Pod", pod)
	count(got) == 1
}

test_success_replica_set_of_a_deployment if {
	rs := {
		"metadata": {"name": "legacy-7d9f", "namespace": "shop", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "legacy", "uid": "u", "controller": true}]},
		"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}},
	}
	got := default_service_account.deny with input as review.by(review.create("ReplicaSet", rs), "system:serviceaccount:kube-system:deployment-controller")
	got == set()
}

# Helm renders an unset value as null; the cluster runs such a pod as "default".
test_fail_null_service_account_name if {
	spec := {"serviceAccountName": null, "serviceAccount": null, "containers": [{"name": "app", "image": "app:1"}]}
	got := default_service_account.deny with input as review.create("Deployment", {"metadata": {"name": "web"}, "spec": {"template": {"spec": spec}}})
	got == {{"msg": `Deployment "web" must not run as ServiceAccount "default" with its token mounted: set spec.template.spec.serviceAccountName to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, "field": "spec.template.spec.serviceAccountName"}}
}

_default_account(extra) := review.service_account("shop", "default", extra)

# A namespace whose "default" ServiceAccount turns automount off: pods that leave the setting
# unset (or null, as Helm renders it) get no token.
test_success_default_account_without_token if {
	every spec in [{}, {"automountServiceAccountToken": null}, {"automountServiceAccountToken": false}, {"serviceAccountName": null}] {
		inp := review.running_as(review.create("Deployment", _deployment(spec)), _default_account({"automountServiceAccountToken": false}))
		got := default_service_account.deny with input as inp
		got == set()
	}
}

test_success_default_account_without_token_for_a_pod if {
	pod := {"metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}
	got := default_service_account.deny with input as review.running_as(review.create("Pod", pod), _default_account({"automountServiceAccountToken": false}))
	got == set()
}

# The pod's own setting wins over its ServiceAccount's, as the apiserver applies it.
test_fail_pod_turns_the_token_back_on if {
	inp := review.running_as(review.create("Deployment", _deployment({"automountServiceAccountToken": true})), _default_account({"automountServiceAccountToken": false}))
	got := default_service_account.deny with input as inp
	got == {{"msg": `Deployment "checkout" must not run as ServiceAccount "default" with its token mounted: set spec.template.spec.serviceAccountName to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, "field": "spec.template.spec.serviceAccountName"}}
}

test_fail_default_account_that_mounts_its_token if {
	every extra in [{}, {"automountServiceAccountToken": true}, {"automountServiceAccountToken": null}] {
		got := default_service_account.deny with input as review.running_as(review.create("Deployment", _deployment({})), _default_account(extra))
		count(got) == 1
	}
}

# Only the account the pod runs as, in the request's namespace, counts.
test_fail_account_that_is_not_the_pods if {
	every account in [
		review.service_account("other", "default", {"automountServiceAccountToken": false}),
		review.service_account("shop", "checkout", {"automountServiceAccountToken": false}),
	] {
		got := default_service_account.deny with input as review.running_as(review.create("Deployment", _deployment({})), account)
		count(got) == 1
	}
}

# A pod setting that is not a boolean turns nothing off, and leaves the account's unused.
test_fail_pod_setting_that_is_not_a_boolean if {
	inp := review.running_as(review.create("Deployment", _deployment({"automountServiceAccountToken": "false"})), _default_account({"automountServiceAccountToken": false}))
	got := default_service_account.deny with input as inp
	count(got) == 1
}
