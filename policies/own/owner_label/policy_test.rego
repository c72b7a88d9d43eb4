package own.owner_label_test

import data.lib.review_test
import data.own.owner_label

_review(kind, object) := review_test.create(kind, object)

_deployment(labels, template_labels) := {
	"metadata": {"name": "web", "labels": labels},
	"spec": {"template": {"metadata": {"labels": template_labels}, "spec": {"containers": [{"name": "app"}]}}},
}

test_fail_deployment_without_owner_anywhere if {
	got := owner_label.deny with input as _review("Deployment", _deployment({"app": "web"}, {"app": "web"}))
	got == {
		{"msg": `Deployment "web" must carry label "owner" naming its owning team`, "field": `metadata.labels["owner"]`},
		{"msg": `Deployment "web" pod template must carry label "owner" naming its owning team`, "field": `spec.template.metadata.labels["owner"]`},
	}
}

test_fail_blank_owner_on_template_only if {
	got := owner_label.deny with input as _review("Deployment", _deployment({"owner": "payments"}, {"owner": " "}))
	got == {{"msg": `Deployment "web" pod template must carry label "owner" naming its owning team`, "field": `spec.template.metadata.labels["owner"]`}}
}

test_fail_custom_owner_label_key if {
	got := owner_label.deny with input as object.union(_review("Service", {"metadata": {"name": "api", "labels": {"owner": "x"}}}), {"params": {"ownerLabel": "team"}})
	got == {{"msg": `Service "api" must carry label "team" naming its owning team`, "field": `metadata.labels["team"]`}}
}

_in_namespace(review, labels, annotations) := object.union(review, {"namespace": {"name": "shop", "labels": labels, "annotations": annotations}})

test_fail_owner_differs_from_namespace_owner if {
	review := _review("Deployment", _deployment({"owner": "checkout"}, {"owner": "payments"}))
	got := owner_label.deny with input as _in_namespace(review, {"owner": "payments"}, {})
	got == {{
		"msg": `Deployment "web" has label "owner"="checkout" but namespace "shop" belongs to "payments": set it to "payments", or list "checkout" in the namespace's "shared-with" annotation`,
		"field": `metadata.labels["owner"]`,
	}}
}

test_fail_template_owner_not_shared if {
	review := _review("Deployment", _deployment({"owner": "payments"}, {"owner": "search"}))
	got := owner_label.deny with input as _in_namespace(review, {"owner": "payments"}, {"shared-with": "checkout, fraud"})
	got == {{
		"msg": `Deployment "web" pod template has label "owner"="search" but namespace "shop" belongs to "payments": set it to "checkout" or "fraud" or "payments", or list "search" in the namespace's "shared-with" annotation`,
		"field": `spec.template.metadata.labels["owner"]`,
	}}
}

test_fail_missing_owner_names_the_allowed_teams if {
	review := _review("Service", {"metadata": {"name": "api"}})
	got := owner_label.deny with input as _in_namespace(review, {"owner": "payments"}, {"shared-with": "checkout"})
	got == {{
		"msg": `Service "api" must carry label "owner" naming its owning team (namespace "shop" allows "checkout" or "payments")`,
		"field": `metadata.labels["owner"]`,
	}}
}

test_success_owner_listed_in_shared_with if {
	review := _review("Deployment", _deployment({"owner": "checkout"}, {"owner": "fraud"}))
	got := owner_label.deny with input as _in_namespace(review, {"owner": "payments"}, {"shared-with": "checkout,fraud"})
	got == set()
}

test_success_namespace_without_owner_is_not_compared if {
	review := _review("Deployment", _deployment({"owner": "checkout"}, {"owner": "checkout"}))
	got := owner_label.deny with input as _in_namespace(review, {"environment": "dev"}, {})
	got == set()
}

test_success_owner_on_object_and_template if {
	got := owner_label.deny with input as _review("Deployment", _deployment({"owner": "payments"}, {"owner": "payments"}))
	got == set()
}

_child := {"metadata": {"name": "web-1", "ownerReferences": [{"kind": "ReplicaSet", "name": "web", "controller": true}]}, "spec": {"containers": [{"name": "app"}]}}

_by(review, username) := object.union(review, {"request": {"userInfo": {"username": username}}})

test_success_controller_children_are_skipped if {
	got := owner_label.deny with input as _by(_review("Pod", _child), "system:serviceaccount:kube-system:replicaset-controller")
	got == set()
}

# An ownerReference written by a user, or one that is not a controller's, exempts nothing.
test_fail_forged_or_non_controller_owner_reference if {
	got_forged := owner_label.deny with input as _by(_review("Pod", _child), "alice@example.com")
	got_forged == {{"msg": `Pod "web-1" must carry label "owner" naming its owning team`, "field": `metadata.labels["owner"]`}}
	plain := json.patch(_child, [{"op": "remove", "path": "/metadata/ownerReferences/0/controller"}])
	got_plain := owner_label.deny with input as _by(_review("Pod", plain), "system:serviceaccount:kube-system:replicaset-controller")
	got_plain == got_forged
}

test_success_bootstrap_rbac_and_other_kinds if {
	role := {"metadata": {"name": "system:discovery", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}}
	got_role := owner_label.deny with input as _review("ClusterRole", role)
	got_role == set()
	got_cm := owner_label.deny with input as _review("ConfigMap", {"metadata": {"name": "settings"}})
	got_cm == set()
}

test_success_delete_is_not_judged if {
	got := owner_label.deny with input as {"request": {"operation": "DELETE", "kind": {"kind": "Deployment"}, "name": "web", "object": null}}
	got == set()
}

test_fail_null_owner_value_is_reported_not_an_error if {
	got := owner_label.deny with input as _review("Service", {"metadata": {"name": "api", "labels": {"owner": null}}})
	got == {{"msg": `Service "api" must carry label "owner" naming its owning team`, "field": `metadata.labels["owner"]`}}
}
