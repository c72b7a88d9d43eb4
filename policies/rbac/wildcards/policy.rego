# METADATA
# title: No wildcards in RBAC rules
# description: |
#   Roles and ClusterRoles name what they grant: no wildcard in verbs or apiGroups ("*"),
#   resources ("*", "*/scale") or nonResourceURLs ("*", "/api/*"), since a wildcard also grants
#   whatever the cluster adds later. These are the wildcards the RBAC authorizer knows; "pods/*"
#   or "get*" are literal names that grant nothing. An aggregated ClusterRole is judged by its aggregationRule, not by the
#   rules the aggregation controller fills in: each selector must require a label (a matchLabels
#   entry or an In/Exists expression) and must not select on kubernetes.io/bootstrapping, either
#   of which would aggregate Kubernetes' own roles, cluster-admin included. Kubernetes' bootstrap
#   roles (label kubernetes.io/bootstrapping=rbac-defaults and a system: name, or cluster-admin)
#   are not judged when they are Kubernetes': written by the apiserver itself (system:apiserver),
#   or, for the CLI and the scan, holding only Kubernetes' own rules for that role
#   (lib/rbac.rego, lib/rbac_defaults.rego). Label and name alone, which anyone can write,
#   skip nothing: the same applies to RBAC-004 and RBAC-005.
#   UPDATE: only violations the role did not have before are judged on metadata-only updates,
#   and an aggregated ClusterRole's rules count as controller-owned (lib/update.rego).
# custom:
#   id: RBAC-003
#   severity: high
#   controls: [CC6.3]
#   groups: [least-privilege, rbac]
#   action: deny
#   kinds: [Role, ClusterRole]
#   references:
#     - CIS EKS Benchmark 4.1.3
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
package rbac.wildcards

import data.lib.rbac
import data.lib.update

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

# The wildcards the RBAC authorizer knows: "*" as a verb or API group, "*" or "*/scale" as a
# resource ("pods/*" is a literal name that grants nothing), "*" or "/api/*" as a URL.
_violations contains _wildcard(i, "verbs") if {
	some i, rule in rbac.judged_rules
	"*" in rule.verbs
}

_violations contains _wildcard(i, "apiGroups") if {
	some i, rule in rbac.judged_rules
	"*" in rule.apiGroups
}

_violations contains _wildcard(i, "resources") if {
	some i, rule in rbac.judged_rules
	strings.any_prefix_match(rule.resources, "*")
}

_violations contains _wildcard(i, "nonResourceURLs") if {
	some i, rule in rbac.judged_rules
	strings.any_suffix_match(rule.nonResourceURLs, "*")
}

_wildcard(i, name) := {
	"msg": sprintf(`%s rule %d must not use "*" in %s; list the %s it needs`, [rbac.describe, i, name, name]),
	"field": sprintf("rules[%d].%s", [i, name]),
}

_violations contains {"msg": msg, "field": field} if {
	input.request.kind.kind == "ClusterRole"
	not rbac.bootstrap
	some j, selector in rbac.obj.aggregationRule.clusterRoleSelectors
	not _requires_label(selector)
	msg := sprintf("%s aggregationRule selector %d must require a label (matchLabels, or an In or Exists expression): as written it aggregates every ClusterRole, cluster-admin included", [rbac.describe, j])
	field := sprintf("aggregationRule.clusterRoleSelectors[%d]", [j])
}

_violations contains {"msg": msg, "field": field} if {
	input.request.kind.kind == "ClusterRole"
	not rbac.bootstrap
	some j, selector in rbac.obj.aggregationRule.clusterRoleSelectors
	_selects_bootstrapping(selector)
	msg := sprintf(`%s aggregationRule selector %d must not select on label "kubernetes.io/bootstrapping": it aggregates Kubernetes' own roles, cluster-admin included`, [rbac.describe, j])
	field := sprintf("aggregationRule.clusterRoleSelectors[%d]", [j])
}

_requires_label(selector) if count(object.get(selector, "matchLabels", {})) > 0

_requires_label(selector) if {
	some expression in selector.matchExpressions
	expression.operator in {"In", "Exists"}
}

_selects_bootstrapping(selector) if selector.matchLabels["kubernetes.io/bootstrapping"]

_selects_bootstrapping(selector) if {
	some expression in selector.matchExpressions
	expression.key == "kubernetes.io/bootstrapping"
	expression.operator in {"In", "Exists"}
}
