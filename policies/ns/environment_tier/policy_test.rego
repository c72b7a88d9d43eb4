package ns.environment_tier_test

import data.lib.review_test
import data.ns.environment_tier

_ns(labels) := {"metadata": {"name": "shop", "labels": labels}}

_update(old, new) := review_test.update("Namespace", _ns({"environment": old}), _ns({"environment": new}))

_field := `metadata.labels["environment"]`

test_fail_update_lowers_tier if {
	got := environment_tier.deny with input as _update("prod", "dev")
	got == {{"msg": `an update of namespace "shop" must not lower label "environment" from "prod" to "dev": tiered policies enforce by it; that needs an approved exception`, "field": _field}}
}

test_fail_update_to_unknown_value_lowers_tier if {
	got := environment_tier.deny with input as _update("sandbox", "qa")
	got == {{"msg": `an update of namespace "shop" must not lower label "environment" from "sandbox" to "qa": tiered policies enforce by it; that needs an approved exception`, "field": _field}}
}

test_fail_update_removes_label if {
	every labels in [{}, {"environment": " "}] {
		got := environment_tier.deny with input as review_test.update("Namespace", _ns({"environment": "prod"}), _ns(labels))
		got == {{"msg": `an update of namespace "shop" must not remove label "environment" (it was "prod"); that needs an approved exception`, "field": _field}}
	}
}

test_fail_configured_label_and_tiers if {
	params := {"environmentLabel": "tier", "environments": ["gold", "silver", "bronze"]}
	inp := review_test.update("Namespace", _ns({"tier": "gold"}), _ns({"tier": "bronze"}))
	got := environment_tier.deny with input as object.union(inp, {"params": params})
	got == {{"msg": `an update of namespace "shop" must not lower label "tier" from "gold" to "bronze": tiered policies enforce by it; that needs an approved exception`, "field": `metadata.labels["tier"]`}}
}

test_success_raising_or_keeping_tier if {
	every pair in [["dev", "prod"], ["sandbox", "staging"], ["prod", "prod"], ["qa", "sandbox"], ["qa", "dev"]] {
		environment_tier.deny == set() with input as _update(pair[0], pair[1])
	}
}

test_success_create_and_unlabelled_before if {
	environment_tier.deny == set() with input as review_test.create("Namespace", _ns({"environment": "sandbox"}))
	environment_tier.deny == set() with input as review_test.update("Namespace", _ns({}), _ns({"environment": "dev"}))
}

test_success_other_kinds_and_delete if {
	environment_tier.deny == set() with input as review_test.delete("Namespace", _ns({"environment": "prod"}))
	cm := {"metadata": {"name": "shop", "labels": {"environment": "prod"}}}
	environment_tier.deny == set() with input as review_test.update("ConfigMap", cm, {"metadata": {"name": "shop", "labels": {"environment": "dev"}}})
}
