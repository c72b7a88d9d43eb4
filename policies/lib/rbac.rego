# METADATA
# title: RBAC objects, Kubernetes' own defaults and rule matching
# description: |
#   Shared by the RBAC policies: which objects are Kubernetes' own bootstrap RBAC (never judged),
#   which rules of a role are judged, and how a rule's verbs, apiGroups and resources cover a
#   permission, with "*" and "*/subresource" matched the way the RBAC authorizer matches them.
#   Rules are matched against constant sets, and a policy first checks whether a rule names any
#   resource it cares about at all, so an ordinary role costs a few set lookups per rule.
#
#   Bootstrap RBAC is recognised by the label `kubernetes.io/bootstrapping: rbac-defaults` AND a
#   bootstrap name (prefix `system:`, or one of the five other names Kubernetes uses); a role
#   also by where it comes from: the apiserver's own request (username system:apiserver, which
#   creates and reconciles them), or, for the CLI and the audit scan, rules that are all among
#   the rules Kubernetes gives that role (lib/rbac_defaults.rego). Bindings to privileged groups
#   are recognised by the exact (binding, role, subject) triple Kubernetes creates. A user can
#   put the label and a `system:` name on an object of their own, so it is the identity, rules
#   and triple checks that keep them from being an escape hatch: a look-alike role granting
#   more than Kubernetes' default of that name is judged like any other.
package lib.rbac

import data.lib.identities
import data.lib.rbac_defaults

# role_kinds are the kinds that carry rules.
role_kinds := {"Role", "ClusterRole"}

# binding_kinds are the kinds that bind subjects to a role.
binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# obj is the RBAC object after the request; undefined on DELETE.
obj := input.request.object if is_object(input.request.object)

# describe names the request's object for a message: `ClusterRole "ops"`.
describe := sprintf("%s %q", [input.request.kind.kind, obj.metadata.name])

# bootstrap is true when the request's object is one of Kubernetes' own RBAC defaults, which
# the apiserver creates and reconciles at every start.
bootstrap if {
	input.request.kind.kind in binding_kinds
	_bootstrap_labelled
}

bootstrap if {
	input.request.kind.kind in role_kinds
	_bootstrap_labelled
	identities.apiserver
}

bootstrap if {
	input.request.kind.kind in role_kinds
	_bootstrap_labelled
	_default_rules
}

_bootstrap_labelled if {
	obj.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
	_bootstrap_name(obj.metadata.name)
}

# _default_rules is true when the role is one lib/rbac_defaults.rego lists and its content is
# Kubernetes': every rule among Kubernetes' rules for it, or, for an aggregated ClusterRole,
# the same aggregationRule.
_default_rules if {
	known := rbac_defaults.roles[_key]
	not _aggregated
	every rule in _array(object.get(obj, "rules", [])) {
		is_object(rule)
		_canonical(rule) in known.rules
	}
}

_default_rules if {
	known := rbac_defaults.roles[_key]
	_aggregated
	obj.aggregationRule == known.aggregationRule
}

_key := sprintf("%s/%s/%s", [input.request.kind.kind, object.get(obj.metadata, "namespace", ""), obj.metadata.name])

# _aggregated is true for a ClusterRole with an aggregationRule; `aggregationRule: null`, as
# Helm renders an unset value, is no aggregationRule, as the apiserver stores it.
_aggregated if is_object(obj.aggregationRule)

_array(x) := x if is_array(x)

_array(x) := [] if not is_array(x)

_canonical(rule) := {key: {v | some v in object.get(rule, key, [])} | some key in ["apiGroups", "nonResourceURLs", "resourceNames", "resources", "verbs"]}

_bootstrap_name(name) if startswith(name, "system:")

_bootstrap_name(name) if name in {"cluster-admin", "admin", "edit", "view", "extension-apiserver-authentication-reader"}

# _default_bindings are Kubernetes' bootstrap ClusterRoleBindings to privileged groups, as
# [binding name, ClusterRole name, subject kind, subject name].
_default_bindings := {
	["cluster-admin", "cluster-admin", "Group", "system:masters"],
	["system:basic-user", "system:basic-user", "Group", "system:authenticated"],
	["system:discovery", "system:discovery", "Group", "system:authenticated"],
	["system:public-info-viewer", "system:public-info-viewer", "Group", "system:authenticated"],
	["system:public-info-viewer", "system:public-info-viewer", "Group", "system:unauthenticated"],
	["system:service-account-issuer-discovery", "system:service-account-issuer-discovery", "Group", "system:serviceaccounts"],
	["system:cluster-trust-bundle-discovery", "system:cluster-trust-bundle-discovery", "Group", "system:serviceaccounts"],
}

# default_binding(subject) is true when the request's binding is Kubernetes' own binding of
# that subject: label, name, role and subject all as the apiserver creates them.
default_binding(subject) if {
	input.request.kind.kind == "ClusterRoleBinding"
	bootstrap
	obj.roleRef.kind == "ClusterRole"
	[obj.metadata.name, obj.roleRef.name, subject.kind, subject.name] in _default_bindings
}

# judged_rules are the rules of a Role or ClusterRole that are judged (iterate them with
# `some i, rule in rbac.judged_rules`): none of a bootstrap role, and none of an aggregated
# ClusterRole, whose rules the aggregation controller fills in from the roles its
# aggregationRule selects (those are judged themselves).
judged_rules := obj.rules if {
	input.request.kind.kind in role_kinds
	not bootstrap
	not _aggregated
}

# _mentions(values, names) is true when one of the values is in the set names.
_mentions(values, names) if {
	some v in values
	v in names
}

# granted(rule, p) holds the verbs and resources of a rule, as the rule writes them, that
# grant permission p: {"verbs", "resources"}; undefined when the rule does not grant it. A
# permission is {"verbs", "groups", "resources"}: sets of every name that grants it,
# wildcards included ("*", "*/proxy" for nodes/proxy), written as literals by the policy.
granted(rule, p) := {"verbs": verbs, "resources": resources} if {
	resources := {r | some r in rule.resources; r in p.resources}
	count(resources) > 0
	_mentions(rule.apiGroups, p.groups)
	verbs := {v | some v in rule.verbs; v in p.verbs}
	count(verbs) > 0
}

# quoted lists a set of strings for a message, sorted: `"get", "list"`.
quoted(items) := concat(", ", [sprintf("%q", [x]) | some x in sort(items)])

# subject_key is how parameter allowlists name a binding subject: `Group:platform-admins`,
# `User:alice@example.com`, `ServiceAccount:ops/break-glass`.
subject_key(subject) := sprintf("ServiceAccount:%s/%s", [object.get(subject, "namespace", ""), subject.name]) if {
	subject.kind == "ServiceAccount"
} else := sprintf("%s:%s", [subject.kind, subject.name])
