package rbac.wildcards_test

import data.lib.review_test as review
import data.rbac.wildcards

_role(name, rules) := {"metadata": {"name": name}, "rules": rules}

_aggregated(selectors) := {"metadata": {"name": "monitoring"}, "aggregationRule": {"clusterRoleSelectors": selectors}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}

test_fail_wildcard_in_each_field if {
	got := wildcards.deny with input as review.create("ClusterRole", _role("ops", [
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
		{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "*"]},
		{"apiGroups": ["*"], "resources": ["*/scale", "pods/*"], "verbs": ["patch"]},
		{"apiGroups": ["apps"], "resources": ["deployments/*"], "verbs": ["get*"]},
		{"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]},
	]))
	got == {
		{"msg": `ClusterRole "ops" rule 1 must not use "*" in verbs; list the verbs it needs`, "field": "rules[1].verbs"},
		{"msg": `ClusterRole "ops" rule 2 must not use "*" in apiGroups; list the apiGroups it needs`, "field": "rules[2].apiGroups"},
		{"msg": `ClusterRole "ops" rule 2 must not use "*" in resources; list the resources it needs`, "field": "rules[2].resources"},
		{"msg": `ClusterRole "ops" rule 4 must not use "*" in nonResourceURLs; list the nonResourceURLs it needs`, "field": "rules[4].nonResourceURLs"},
	}
}

test_fail_role if {
	got := wildcards.deny with input as review.create("Role", _role("deployer", [{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]}]))
	got == {{"msg": `Role "deployer" rule 0 must not use "*" in resources; list the resources it needs`, "field": "rules[0].resources"}}
}

test_fail_bootstrap_label_on_a_user_role if {
	role := json.patch(_role("ops", [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]), [{"op": "add", "path": "/metadata/labels", "value": {"kubernetes.io/bootstrapping": "rbac-defaults"}}])
	got := wildcards.deny with input as review.create("ClusterRole", role)
	got == {{"msg": `ClusterRole "ops" rule 0 must not use "*" in apiGroups; list the apiGroups it needs`, "field": "rules[0].apiGroups"}}
}

test_fail_aggregation_selectors_that_take_in_everything if {
	got := wildcards.deny with input as review.create("ClusterRole", _aggregated([
		{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}},
		{},
		{"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["x"]}]},
		{"matchLabels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
		{"matchExpressions": [{"key": "kubernetes.io/bootstrapping", "operator": "Exists"}]},
	]))
	got == {
		{"msg": `ClusterRole "monitoring" aggregationRule selector 1 must require a label (matchLabels, or an In or Exists expression): as written it aggregates every ClusterRole, cluster-admin included`, "field": "aggregationRule.clusterRoleSelectors[1]"},
		{"msg": `ClusterRole "monitoring" aggregationRule selector 2 must require a label (matchLabels, or an In or Exists expression): as written it aggregates every ClusterRole, cluster-admin included`, "field": "aggregationRule.clusterRoleSelectors[2]"},
		{"msg": `ClusterRole "monitoring" aggregationRule selector 3 must not select on label "kubernetes.io/bootstrapping": it aggregates Kubernetes' own roles, cluster-admin included`, "field": "aggregationRule.clusterRoleSelectors[3]"},
		{"msg": `ClusterRole "monitoring" aggregationRule selector 4 must not select on label "kubernetes.io/bootstrapping": it aggregates Kubernetes' own roles, cluster-admin included`, "field": "aggregationRule.clusterRoleSelectors[4]"},
	}
}

test_fail_update_adding_a_wildcard if {
	old := _role("ops", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])
	new := _role("ops", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}])
	got := wildcards.deny with input as review.update("ClusterRole", old, new)
	got == {{"msg": `ClusterRole "ops" rule 0 must not use "*" in verbs; list the verbs it needs`, "field": "rules[0].verbs"}}
}

test_fail_update_of_a_violating_role_that_changes_rules if {
	old := _role("ops", [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])
	new := _role("ops", [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get", "list"]}])
	got := wildcards.deny with input as review.update("ClusterRole", old, new)
	count(got) == 1
}

test_success_named_rules if {
	got := wildcards.deny with input as review.create("ClusterRole", _role("reader", [
		{"apiGroups": ["", "apps"], "resources": ["pods", "deployments", "deployments/scale"], "verbs": ["get", "list", "watch"]},
		{"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
	]))
	got == set()
}

_bootstrap_named(name) := {"metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["/api/*"], "verbs": ["get"]}]}

# The apiserver creates and reconciles its bootstrap roles itself.
test_success_kubernetes_bootstrap_roles_from_the_apiserver if {
	every name in ["cluster-admin", "system:controller:generic-garbage-collector", "system:discovery"] {
		got := wildcards.deny with input as review.by(review.create("ClusterRole", _bootstrap_named(name)), "system:apiserver")
		got == set()
	}
}

# Without the apiserver's identity (CLI, scan), a bootstrap role is recognised by its content.
test_success_kubernetes_bootstrap_roles_by_content if {
	role := {"metadata": {"name": "cluster-admin", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}
	got := wildcards.deny with input as review.create("ClusterRole", role)
	got == set()
}

# Anyone can write the bootstrap label and a system: name: a role granting more than
# Kubernetes' default of that name is judged.
test_fail_bootstrap_label_and_name_on_other_rules if {
	got := wildcards.deny with input as review.create("ClusterRole", _bootstrap_named("system:discovery"))
	got == {
		{"msg": `ClusterRole "system:discovery" rule 0 must not use "*" in verbs; list the verbs it needs`, "field": "rules[0].verbs"},
		{"msg": `ClusterRole "system:discovery" rule 0 must not use "*" in apiGroups; list the apiGroups it needs`, "field": "rules[0].apiGroups"},
		{"msg": `ClusterRole "system:discovery" rule 0 must not use "*" in resources; list the resources it needs`, "field": "rules[0].resources"},
		{"msg": `ClusterRole "system:discovery" rule 1 must not use "*" in nonResourceURLs; list the nonResourceURLs it needs`, "field": "rules[1].nonResourceURLs"},
	}
}

test_success_aggregated_role_rules_are_not_judged if {
	role := _aggregated([{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}])
	got := wildcards.deny with input as review.create("ClusterRole", role)
	got == set()
}

test_success_aggregation_controller_update if {
	old := _aggregated([{}])
	new := json.patch(old, [{"op": "add", "path": "/rules/-", "value": {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}}])
	got := wildcards.deny with input as review.update("ClusterRole", old, new)
	got == set()
}

test_success_metadata_only_update_of_a_violating_role if {
	old := _role("legacy", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	new := json.patch(old, [{"op": "add", "path": "/metadata/finalizers", "value": []}])
	got := wildcards.deny with input as review.update("ClusterRole", old, new)
	got == set()
}

test_success_delete if {
	got := wildcards.deny with input as review.delete("ClusterRole", _role("legacy", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]))
	got == set()
}

# aggregationRule: null is no aggregation rule (the apiserver drops it): the rules are judged.
test_fail_null_aggregation_rule if {
	role := {"metadata": {"name": "ops"}, "aggregationRule": null, "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]}
	got := wildcards.deny with input as review.create("ClusterRole", role)
	got == {{"msg": `ClusterRole "ops" rule 0 must not use "*" in resources; list the resources it needs`, "field": "rules[0].resources"}}
}
