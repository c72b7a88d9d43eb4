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
package access.escalation

import data.lib.rbac
import data.lib.update

_all_verbs := {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}

_admission_writes := {"create", "update", "patch", "delete", "deletecollection"}

_admission_resources := {
	"validatingwebhookconfigurations", "mutatingwebhookconfigurations",
	"validatingadmissionpolicies", "validatingadmissionpolicybindings",
	"mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
}

# _grants are the escalation-capable permissions: verbs, API groups, resources ("x/*" for
# every subresource of x), and what holding them allows.
_grants := [
	{"verbs": {"escalate"}, "groups": {"rbac.authorization.k8s.io"}, "resources": {"roles", "clusterroles"}, "allows": "escalate on roles (granting permissions the holder lacks)"},
	{"verbs": {"bind"}, "groups": {"rbac.authorization.k8s.io"}, "resources": {"roles", "clusterroles"}, "allows": "bind on roles (binding permissions the holder lacks)"},
	{"verbs": {"impersonate"}, "groups": {"", "authentication.k8s.io"}, "resources": {"users", "groups", "serviceaccounts", "uids", "userextras/*"}, "allows": "impersonate (acting as other users, groups or service accounts)"},
	{"verbs": {"create"}, "groups": {""}, "resources": {"serviceaccounts/token"}, "allows": "create serviceaccounts/token (minting service account tokens)"},
	{"verbs": _all_verbs, "groups": {""}, "resources": {"nodes/proxy"}, "allows": "nodes/proxy (the kubelet API, past admission and audit)"},
	{"verbs": _admission_writes, "groups": {"admissionregistration.k8s.io"}, "resources": _admission_resources, "allows": "writes to admission webhooks and policies (switching admission control off)"},
	{"verbs": {"approve"}, "groups": {"certificates.k8s.io"}, "resources": {"signers"}, "allows": "approve on signers (approving certificates, client identities included)"},
	{"verbs": {"sign"}, "groups": {"certificates.k8s.io"}, "resources": {"signers"}, "allows": "sign on signers (issuing certificates)"},
]

deny := _violations - _unchanged

_unchanged := old if {
	update.only_new_violations
	old := _violations with input.request.object as input.request.oldObject
} else := set()

# One violation per rule, naming the verbs and resources as the rule writes them and every
# escalation they allow (a "*" rule allows them all).
_violations contains {"msg": msg, "field": sprintf("rules[%d]", [i])} if {
	some [i, rule] in rbac.judged_rules
	matches := [m | some grant in _grants; m := _match(rule, grant)]
	count(matches) > 0
	verbs := {v | some m in matches; some v in m.verbs}
	resources := {r | some m in matches; some r in m.resources}
	msg := sprintf("%s rule %d must not grant %s on %s: that allows %s", [rbac.describe, i, rbac.quoted(verbs), rbac.quoted(resources), concat(", ", [m.allows | some m in matches])])
}

_match(rule, grant) := {"verbs": verbs, "resources": resources, "allows": grant.allows} if {
	verbs := rbac.verbs_granted(rule, grant.verbs)
	count(verbs) > 0
	resources := rbac.resources_granted(rule, grant.groups, grant.resources)
	count(resources) > 0
}
