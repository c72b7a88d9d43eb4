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
	got == {{"msg": `ClusterRole "root" rule 0 must not grant "*" on "*": that allows escalate on roles (granting permissions the holder lacks), bind on roles (binding permissions the holder lacks), impersonate (acting as other users, groups or service accounts), create serviceaccounts/token (minting service account tokens), nodes/proxy (the kubelet API, past admission and audit), writes to admission webhooks and policies (switching admission control off), approve on signers (approving certificates, client identities included), sign on signers (issuing certificates)`, "field": "rules[0]"}}
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
	got := escalation.deny with input as review.create("ClusterRole", role)
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
