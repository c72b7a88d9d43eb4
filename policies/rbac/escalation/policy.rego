# METADATA
# title: No escalation-capable grants
# description: |
#   Roles and ClusterRoles must not grant what lets a holder step past RBAC: escalate or bind on
#   roles/clusterroles, impersonate, create serviceaccounts/token, nodes/proxy (the kubelet API,
#   unaudited), writes to admission webhook configurations or admission policies, and approve or
#   sign on certificate signers. Wildcards count ("*" verbs, apiGroups or resources, "*/proxy"),
#   so an exception for RBAC-003 never lets an escalation through. Bootstrap and aggregated roles
#   are skipped as in RBAC-003 (lib/rbac.rego); the roles an aggregated role selects are judged.
#   UPDATE: only violations the role did not have before are judged on metadata-only updates
#   (lib/update.rego).
# custom:
#   id: RBAC-004
#   severity: critical
#   controls: [CC6.1, CC6.3]
#   groups: [least-privilege, rbac]
#   action: deny
#   kinds: [Role, ClusterRole]
#   references:
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
#     - CIS EKS Benchmark 4.1.8
package rbac.escalation

import data.lib.rbac
import data.lib.update

# _grants are the escalation-capable permissions, each with every verb, API group and
# resource name that grants it, wildcards included ("*", "*/proxy": as the RBAC authorizer
# matches them), and what holding it allows. Literal sets cost nothing per request.
# Impersonating user extras needs a user to impersonate too, so it is reported with the rule
# that grants that.
_grants := [
	{
		"verbs": {"escalate", "*"}, "groups": {"rbac.authorization.k8s.io", "*"}, "resources": {"roles", "clusterroles", "*"},
		"allows": "escalate on roles (granting permissions the holder lacks)",
	},
	{
		"verbs": {"bind", "*"}, "groups": {"rbac.authorization.k8s.io", "*"}, "resources": {"roles", "clusterroles", "*"},
		"allows": "bind on roles (binding permissions the holder lacks)",
	},
	{
		"verbs": {"impersonate", "*"}, "groups": {"", "authentication.k8s.io", "*"}, "resources": {"users", "groups", "serviceaccounts", "uids", "*"},
		"allows": "impersonate (acting as other users, groups or service accounts)",
	},
	{
		"verbs": {"create", "*"}, "groups": {"", "*"}, "resources": {"serviceaccounts/token", "*/token", "*"},
		"allows": "create serviceaccounts/token (minting service account tokens)",
	},
	{
		"verbs": {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"}, "groups": {"", "*"}, "resources": {"nodes/proxy", "*/proxy", "*"},
		"allows": "nodes/proxy (the kubelet API, past admission and audit)",
	},
	{
		"verbs": {"create", "update", "patch", "delete", "deletecollection", "*"}, "groups": {"admissionregistration.k8s.io", "*"},
		"resources": {
			"validatingwebhookconfigurations", "mutatingwebhookconfigurations", "validatingadmissionpolicies",
			"validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings", "*",
		},
		"allows": "writes to admission webhooks and policies (switching admission control off)",
	},
	{
		"verbs": {"approve", "*"}, "groups": {"certificates.k8s.io", "*"}, "resources": {"signers", "*"},
		"allows": "approve on signers (approving certificates, client identities included)",
	},
	{
		"verbs": {"sign", "*"}, "groups": {"certificates.k8s.io", "*"}, "resources": {"signers", "*"},
		"allows": "sign on signers (issuing certificates)",
	},
]

# _resources are the resource names of every grant: a rule naming none of them is skipped
# after one lookup per resource.
_resources := {
	"*", "roles", "clusterroles", "users", "groups", "serviceaccounts", "uids", "serviceaccounts/token", "*/token",
	"nodes/proxy", "*/proxy", "validatingwebhookconfigurations", "mutatingwebhookconfigurations",
	"validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies",
	"mutatingadmissionpolicybindings", "signers",
}

# deny and warn split _violations as lib/update.rego says: on an update judged only for new
# violations, those the object already had (_before) are warned about, not refused.
deny := update.new_violations(_violations, _before)

warn := update.carried_violations(_violations, _before)

_before := before if {
	update.only_new_violations
	count(_violations) > 0
	before := _violations with input.request.object as input.request.oldObject
}

default _before := set()

# One violation per rule, naming the verbs and resources as the rule writes them and every
# escalation they allow (a "*" rule allows them all).
_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	some i, rule in rbac.judged_rules
	some resource in rule.resources
	resource in _resources
	matches := [m | some grant in _grants; m := object.union(rbac.granted(rule, grant), {"allows": grant.allows})]
	count(matches) > 0
	verbs := {v | some m in matches; some v in m.verbs}
	resources := {r | some m in matches; some r in m.resources}
	msg := sprintf("%s rule %d must not grant %s on %s: that allows %s", [rbac.describe, i, rbac.quoted(verbs), rbac.quoted(resources), concat(", ", [m.allows | some m in matches])])
}
