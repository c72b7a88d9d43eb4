package own.namespace_labels_test

import data.lib.review_test
import data.own.namespace_labels

_labels := {"owner": "payments", "environment": "prod", "data-classification": "confidential"}

_annotations := {"security-contact": "payments-security@example.com"}

_ns(name, labels, annotations) := {"metadata": {"name": name, "labels": labels, "annotations": annotations}}

_create(object) := review_test.create("Namespace", object)

_update(object, old) := review_test.update("Namespace", old, object)

test_fail_namespace_without_any_metadata if {
	got := namespace_labels.deny with input as _create({"metadata": {"name": "shop"}})
	got == {
		{"msg": `namespace "shop" must carry label "owner" naming its owning team (a lower-case DNS label such as "payments")`, "field": `metadata.labels["owner"]`},
		{"msg": `namespace "shop" must carry label "environment" set to one of: prod, staging, dev, sandbox`, "field": `metadata.labels["environment"]`},
		{"msg": `namespace "shop" must carry label "data-classification" set to one of: public, internal, confidential, restricted`, "field": `metadata.labels["data-classification"]`},
		{"msg": `namespace "shop" must carry annotation "security-contact" with the email address of its security contact`, "field": `metadata.annotations["security-contact"]`},
	}
}

test_fail_values_outside_the_allowed_sets if {
	labels := {"owner": "Payments Team", "environment": "production", "data-classification": "secret"}
	got := namespace_labels.deny with input as _create(_ns("shop", labels, {"security-contact": "payments team"}))
	got == {
		{"msg": `namespace "shop" label "owner" must be a team slug (a lower-case DNS label such as "payments"), not "Payments Team"`, "field": `metadata.labels["owner"]`},
		{"msg": `namespace "shop" label "environment" must be one of: prod, staging, dev, sandbox, not "production"`, "field": `metadata.labels["environment"]`},
		{"msg": `namespace "shop" label "data-classification" must be one of: public, internal, confidential, restricted, not "secret"`, "field": `metadata.labels["data-classification"]`},
		{"msg": `namespace "shop" annotation "security-contact" must be an email address, not "payments team"`, "field": `metadata.annotations["security-contact"]`},
	}
}

test_fail_update_removes_or_blanks if {
	labels := {"owner": " ", "environment": "prod", "data-classification": "confidential"}
	got := namespace_labels.deny with input as _update(_ns("shop", labels, {}), _ns("shop", _labels, _annotations))
	got == {
		{"msg": `an update of namespace "shop" must not remove or blank label "owner" (it was "payments")`, "field": `metadata.labels["owner"]`},
		{"msg": `an update of namespace "shop" must not remove or blank annotation "security-contact" (it was "payments-security@example.com")`, "field": `metadata.annotations["security-contact"]`},
	}
}

test_fail_update_of_a_namespace_that_never_had_them if {
	labels := object.remove(_labels, ["environment"])
	got := namespace_labels.deny with input as _update(_ns("legacy", labels, _annotations), _ns("legacy", labels, _annotations))
	got == {{"msg": `namespace "legacy" must carry label "environment" set to one of: prod, staging, dev, sandbox`, "field": `metadata.labels["environment"]`}}
}

test_fail_parameters_rename_keys_and_values if {
	params := {"ownerLabel": "team", "environments": ["live", "test"]}
	got := namespace_labels.deny with input as object.union(_create(_ns("shop", _labels, _annotations)), {"params": params})
	got == {
		{"msg": `namespace "shop" must carry label "team" naming its owning team (a lower-case DNS label such as "payments")`, "field": `metadata.labels["team"]`},
		{"msg": `namespace "shop" label "environment" must be one of: live, test, not "prod"`, "field": `metadata.labels["environment"]`},
	}
}

test_success_complete_namespace if {
	got := namespace_labels.deny with input as _create(_ns("shop", _labels, _annotations))
	got == set()
}

test_success_update_keeping_them if {
	got := namespace_labels.deny with input as _update(_ns("shop", _labels, _annotations), _ns("shop", _labels, _annotations))
	got == set()
}

test_success_builtin_namespaces_and_other_kinds if {
	every name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
		namespace_labels.deny == set() with input as _create({"metadata": {"name": name}})
	}
	cm := {"request": {"operation": "CREATE", "kind": {"kind": "ConfigMap"}, "object": {"metadata": {"name": "x"}}}}
	namespace_labels.deny == set() with input as cm
}

test_success_delete_is_not_judged if {
	got := namespace_labels.deny with input as {"request": {"operation": "DELETE", "kind": {"kind": "Namespace"}, "name": "shop", "object": null}}
	got == set()
}
