package sa.token_automount_test

import data.lib.review_test as review
import data.sa.token_automount

_account(name, extra) := object.union({"metadata": {"name": name, "namespace": "shop"}}, extra)

_deployment(metadata, spec) := {"metadata": {"name": "operator", "namespace": "shop"}, "spec": {"template": {"metadata": metadata, "spec": object.union({"serviceAccountName": "operator", "containers": [{"name": "app", "image": "app:1"}]}, spec)}}}

test_fail_service_account_with_automount if {
	every extra in [{}, {"automountServiceAccountToken": true}, {"metadata": {"annotations": {"govhook.io/api-access": " "}}}] {
		got := token_automount.deny with input as review.create("ServiceAccount", _account("operator", extra))
		got == {{"msg": `ServiceAccount "operator" mounts its API token into every pod that runs as it: set automountServiceAccountToken: false, or justify API access in annotation "govhook.io/api-access"`, "field": "automountServiceAccountToken"}}
	}
}

test_fail_pod_template_forcing_automount if {
	got := token_automount.deny with input as review.create("Deployment", _deployment({}, {"automountServiceAccountToken": true}))
	got == {{"msg": `Deployment "operator" sets spec.template.spec.automountServiceAccountToken: true: justify API access in annotation "govhook.io/api-access" on spec.template.metadata or on ServiceAccount "operator", or remove the setting`, "field": "spec.template.spec.automountServiceAccountToken"}}
}

test_fail_configured_annotation_key if {
	account := _account("operator", {"metadata": {"annotations": {"govhook.io/api-access": "watches pods"}}})
	got := token_automount.deny with input as review.create("ServiceAccount", account) with input.params.apiAccessAnnotation as "example.com/api-access"
	count(got) == 1
}

test_success_service_accounts if {
	every account in [
		_account("operator", {"automountServiceAccountToken": false}),
		_account("operator", {"metadata": {"annotations": {"govhook.io/api-access": "reconciles Deployments in its namespace"}}}),
		_account("default", {}),
	] {
		got := token_automount.deny with input as review.create("ServiceAccount", account)
		got == set()
	}
}

test_success_pods if {
	every deployment in [
		_deployment({}, {}),
		_deployment({}, {"automountServiceAccountToken": false}),
		_deployment({"annotations": {"govhook.io/api-access": "leader election"}}, {"automountServiceAccountToken": true}),
	] {
		got := token_automount.deny with input as review.create("Deployment", deployment)
		got == set()
	}
}

test_success_metadata_only_update_of_a_violating_account if {
	old := _account("legacy", {})
	new := _account("legacy", {"metadata": {"labels": {"owner": "platform"}}})
	got := token_automount.deny with input as review.update("ServiceAccount", old, new)
	got == set()
}

test_fail_update_removing_the_justification if {
	old := _account("operator", {"metadata": {"annotations": {"govhook.io/api-access": "leader election"}}})
	new := _account("operator", {})
	got := token_automount.deny with input as review.update("ServiceAccount", old, new)
	count(got) == 1
}

_operator_account(annotations) := review.service_account("shop", "operator", {"annotations": annotations})

# The justification on the ServiceAccount the pod runs as counts, as on the pod.
test_success_pod_justified_on_its_service_account if {
	inp := review.running_as(review.create("Deployment", _deployment({}, {"automountServiceAccountToken": true})), _operator_account({"govhook.io/api-access": "reconciles Deployments"}))
	got := token_automount.deny with input as inp
	got == set()
}

test_success_pod_justified_on_its_service_account_with_a_configured_key if {
	inp := review.running_as(review.create("Deployment", _deployment({}, {"automountServiceAccountToken": true})), _operator_account({"example.com/api-access": "leader election"}))
	got := token_automount.deny with input as inp with input.params.apiAccessAnnotation as "example.com/api-access"
	got == set()
}

test_fail_pod_with_unjustified_service_account if {
	every account in [
		_operator_account({}),
		_operator_account({"govhook.io/api-access": "  "}),
		review.service_account("other", "operator", {"annotations": {"govhook.io/api-access": "leader election"}}),
		review.service_account("shop", "another", {"annotations": {"govhook.io/api-access": "leader election"}}),
	] {
		inp := review.running_as(review.create("Deployment", _deployment({}, {"automountServiceAccountToken": true})), account)
		got := token_automount.deny with input as inp
		got == {{"msg": `Deployment "operator" sets spec.template.spec.automountServiceAccountToken: true: justify API access in annotation "govhook.io/api-access" on spec.template.metadata or on ServiceAccount "operator", or remove the setting`, "field": "spec.template.spec.automountServiceAccountToken"}}
	}
}
