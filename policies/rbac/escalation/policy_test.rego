package rbac.escalation_test

import data.lib.review_test as review
import data.rbac.escalation

_role(name, rules) := {"metadata": {"name": name}, "rules": rules}

test_fail_each_escalation_grant if {
	got := escalation.deny with input as review.create("ClusterRole", _role("ops", [
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["get", "escalate", "bind"]},
		{"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes", "uids"], "verbs": ["impersonate"]},
		{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
		{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
		{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations", "validatingadmissionpolicies"], "verbs": ["list", "patch", "delete"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve", "sign"]},
	]))
	got == {
		{"msg": `ClusterRole "ops" rule 0 must not grant "bind", "escalate" on "clusterroles": that allows escalate on roles (granting permissions the holder lacks), bind on roles (binding permissions the holder lacks)`, "field": "rules[0]"},
		{"msg": `ClusterRole "ops" rule 1 must not grant "impersonate" on "groups", "users": that allows impersonate (acting as other users, groups or service accounts)`, "field": "rules[1]"},
		{"msg": `ClusterRole "ops" rule 2 must not grant "impersonate" on "uids": that allows impersonate (acting as other users, groups or service accounts)`, "field": "rules[2]"},
		{"msg": `ClusterRole "ops" rule 3 must not grant "create" on "serviceaccounts/token": that allows create serviceaccounts/token (minting service account tokens)`, "field": "rules[3]"},
		{"msg": `ClusterRole "ops" rule 4 must not grant "get" on "nodes/proxy": that allows nodes/proxy (the kubelet API, past admission and audit)`, "field": "rules[4]"},
		{"msg": `ClusterRole "ops" rule 5 must not grant "delete", "patch" on "validatingadmissionpolicies", "validatingwebhookconfigurations": that allows writes to admission webhooks and policies (switching admission control off)`, "field": "rules[5]"},
		{"msg": `ClusterRole "ops" rule 6 must not grant "approve", "sign" on "signers": that allows approve on signers (approving certificates, client identities included), sign on signers (issuing certificates)`, "field": "rules[6]"},
	}
}

test_fail_wildcards_grant_escalation if {
	got := escalation.deny with input as review.create("Role", _role("deployer", [
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["*"]},
		{"apiGroups": ["*"], "resources": ["*/proxy"], "verbs": ["get"]},
	]))
	got == {
		{"msg": `Role "deployer" rule 0 must not grant "*" on "roles": that allows escalate on roles (granting permissions the holder lacks), bind on roles (binding permissions the holder lacks)`, "field": "rules[0]"},
		{"msg": `Role "deployer" rule 1 must not grant "get" on "*/proxy": that allows nodes/proxy (the kubelet API, past admission and audit)`, "field": "rules[1]"},
	}
}

test_fail_everything_rule if {
	got := escalation.deny with input as review.create("ClusterRole", _role("root", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]))
	got == {{"msg": `ClusterRole "root" rule 0 must not grant "*" on "*": that allows escalate on roles (granting permissions the holder lacks), bind on roles (binding permissions the holder lacks), impersonate (acting as other users, groups or service accounts), impersonate:user-info (acting as any user that is not a node or service account, with groups of its choosing), impersonate:serviceaccount (acting as service accounts), impersonate:arbitrary-node (acting as any node), impersonate:associated-node (acting as the node its pod runs on, with that kubelet's rights), create serviceaccounts/token (minting service account tokens), nodes/proxy (the kubelet API, past admission and audit), writes to admission webhooks and policies (switching admission control off), approve on signers (approving certificates, client identities included), sign on signers (issuing certificates)`, "field": "rules[0]"}}
}

# Constrained impersonation (k8s.io/apiserver v0.37.2 pkg/endpoints/filters/impersonation):
# impersonate:<mode> on the identity in authentication.k8s.io is the grant.
test_fail_constrained_impersonation if {
	got := escalation.deny with input as review.create("ClusterRole", _role("agent", [
		{"apiGroups": ["authentication.k8s.io"], "resources": ["users", "groups"], "verbs": ["impersonate:user-info"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["serviceaccounts"], "verbs": ["impersonate:serviceaccount"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["nodes"], "verbs": ["impersonate:arbitrary-node", "impersonate:associated-node"]},
		{"apiGroups": [""], "resources": ["pods"], "verbs": ["impersonate-on:associated-node:list", "list"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["users"], "verbs": ["*"]},
	]))
	got == {
		{"msg": `ClusterRole "agent" rule 0 must not grant "impersonate:user-info" on "groups", "users": that allows impersonate:user-info (acting as any user that is not a node or service account, with groups of its choosing)`, "field": "rules[0]"},
		{"msg": `ClusterRole "agent" rule 1 must not grant "impersonate:serviceaccount" on "serviceaccounts": that allows impersonate:serviceaccount (acting as service accounts)`, "field": "rules[1]"},
		{"msg": `ClusterRole "agent" rule 2 must not grant "impersonate:arbitrary-node", "impersonate:associated-node" on "nodes": that allows impersonate:arbitrary-node (acting as any node), impersonate:associated-node (acting as the node its pod runs on, with that kubelet's rights)`, "field": "rules[2]"},
		{"msg": `ClusterRole "agent" rule 4 must not grant "*" on "users": that allows impersonate (acting as other users, groups or service accounts), impersonate:user-info (acting as any user that is not a node or service account, with groups of its choosing)`, "field": "rules[4]"},
	}
}

# The apiserver checks each mode's verb on that mode's identity resource only, in
# authentication.k8s.io; impersonate-on:<mode>:<verb> alone grants nothing.
test_success_constrained_impersonation_verbs_that_grant_nothing if {
	got := escalation.deny with input as review.create("ClusterRole", _role("noop", [
		{"apiGroups": [""], "resources": ["users", "serviceaccounts", "nodes"], "verbs": ["impersonate:user-info", "impersonate:serviceaccount", "impersonate:arbitrary-node"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["users", "groups"], "verbs": ["impersonate:serviceaccount", "impersonate:arbitrary-node"]},
		{"apiGroups": ["authentication.k8s.io"], "resources": ["serviceaccounts", "nodes"], "verbs": ["impersonate:user-info"]},
		{"apiGroups": ["*"], "resources": ["*"], "verbs": ["impersonate-on:user-info:get", "impersonate-on:serviceaccount:list"]},
	]))
	got == set()
}

test_success_ordinary_grants if {
	got := escalation.deny with input as review.create("ClusterRole", _role("reader", [
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": [""], "resources": ["nodes", "serviceaccounts"], "verbs": ["get", "list"]},
		{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["get", "list", "watch"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["create", "get"]},
		{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]},
	]))
	got == set()
}

test_success_bootstrap_role if {
	role := {
		"metadata": {"name": "system:controller:clusterrole-aggregation-controller", "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
		"rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate", "get", "list", "patch", "update", "watch"]}],
	}
	got := escalation.deny with input as review.by(review.create("ClusterRole", role), "system:apiserver")
	got == set()
}

test_success_metadata_only_update_of_a_violating_role if {
	old := _role("legacy", [{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}])
	new := json.patch(old, [{"op": "add", "path": "/metadata/labels", "value": {"owner": "platform"}}])
	got := escalation.deny with input as review.update("ClusterRole", old, new)
	got == set()
}

test_success_resource_prefilter_covers_every_grant if {
	every grant in escalation._grants {
		grant.resources - escalation._resources == set()
		"*" in grant.verbs
		"*" in grant.groups
		"*" in grant.resources
	}
}

test_fail_null_aggregation_rule if {
	role := {"metadata": {"name": "ops"}, "aggregationRule": null, "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["escalate"]}]}
	got := escalation.deny with input as review.create("ClusterRole", role)
	got == {{"msg": `ClusterRole "ops" rule 0 must not grant "escalate" on "clusterroles": that allows escalate on roles (granting permissions the holder lacks)`, "field": "rules[0]"}}
}
