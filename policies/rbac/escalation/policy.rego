# METADATA
# title: No escalation-capable grants
# description: |
#   Roles and ClusterRoles must not grant what lets a holder step past RBAC: escalate or bind on
#   roles/clusterroles, impersonate (legacy: users, groups, serviceaccounts in the core group,
#   uids in authentication.k8s.io), the constrained impersonation verbs of Kubernetes 1.36+ on
#   the identities they act as, in authentication.k8s.io (impersonate:user-info on users,
#   groups or uids; impersonate:serviceaccount on serviceaccounts; impersonate:arbitrary-node
#   and impersonate:associated-node on nodes; the companion impersonate-on:<mode>:<verb> only
#   narrows such a grant and is not reported alone), create serviceaccounts/token, nodes/proxy (the kubelet API,
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
	# Constrained impersonation (KEP-5284, beta and on by default since 1.36): the apiserver
	# authorizes impersonate:<mode> on the identity in authentication.k8s.io (users, groups,
	# uids, userextras for user-info; serviceaccounts; nodes for both node modes), then
	# impersonate-on:<mode>:<verb> on the request's own resource, which only narrows what the
	# impersonator may do and grants nothing alone (k8s.io/apiserver v0.37.2,
	# pkg/endpoints/filters/impersonation/mode.go).
	{
		"verbs": {"impersonate:user-info", "*"}, "groups": {"authentication.k8s.io", "*"}, "resources": {"users", "groups", "uids", "*"},
		"allows": "impersonate:user-info (acting as any user that is not a node or service account, with groups of its choosing)",
	},
	{
		"verbs": {"impersonate:serviceaccount", "*"}, "groups": {"authentication.k8s.io", "*"}, "resources": {"serviceaccounts", "*"},
		"allows": "impersonate:serviceaccount (acting as service accounts)",
	},
	{
		"verbs": {"impersonate:arbitrary-node", "*"}, "groups": {"authentication.k8s.io", "*"}, "resources": {"nodes", "*"},
		"allows": "impersonate:arbitrary-node (acting as any node)",
	},
	{
		"verbs": {"impersonate:associated-node", "*"}, "groups": {"authentication.k8s.io", "*"}, "resources": {"nodes", "*"},
		"allows": "impersonate:associated-node (acting as the node its pod runs on, with that kubelet's rights)",
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
	"*", "roles", "clusterroles", "users", "groups", "serviceaccounts", "uids", "nodes", "serviceaccounts/token", "*/token",
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
