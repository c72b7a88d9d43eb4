# METADATA
# title: RBAC objects, Kubernetes' own defaults and rule matching
# description: |
#   Shared by the RBAC policies: which objects are Kubernetes' own bootstrap RBAC (never judged),
#   which rules of a role are judged, and how a rule's verbs, apiGroups and resources cover a
#   permission, with "*" and "*/subresource" matched the way the RBAC authorizer matches them.
#
#   Bootstrap RBAC is recognised by the label `kubernetes.io/bootstrapping: rbac-defaults` AND a
#   bootstrap name (prefix `system:`, or one of the five other names Kubernetes uses), and for
#   bindings to privileged groups AND the exact (binding, role, subject) triple Kubernetes
#   creates. A user can put the label on an object of their own, so the name and triple checks
#   are what keep it from being an escape hatch. What remains: a `system:`-named role carrying
#   the label is not judged. The apiserver's escalation check only lets someone create such a
#   role who already holds every permission it grants (or holds `escalate`, which RBAC-004
#   refuses), and binding it is still judged by RBAC-001 and RBAC-002.
package lib.rbac

# role_kinds are the kinds that carry rules.
role_kinds := {"Role", "ClusterRole"}

# binding_kinds are the kinds that bind subjects to a role.
binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# obj is the RBAC object after the request; undefined on DELETE.
obj := input.request.object if is_object(input.request.object)

# describe names the request's object for a message: `ClusterRole "ops"`.
describe := sprintf("%s %q", [input.request.kind.kind, obj.metadata.name])

# bootstrap is true when the object is one of Kubernetes' own RBAC defaults, which the
# apiserver creates and reconciles at every start.
bootstrap if {
	obj.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
	_bootstrap_name(obj.metadata.name)
}

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
}

# default_binding(subject) is true when the request's binding is Kubernetes' own binding of
# that subject: label, name, role and subject all as the apiserver creates them.
default_binding(subject) if {
	input.request.kind.kind == "ClusterRoleBinding"
	bootstrap
	obj.roleRef.kind == "ClusterRole"
	[obj.metadata.name, obj.roleRef.name, subject.kind, subject.name] in _default_bindings
}

# judged_rules holds [index, rule] for every rule of a Role or ClusterRole that is judged:
# none of a bootstrap role, and none of an aggregated ClusterRole, whose rules the aggregation
# controller fills in from the roles its aggregationRule selects (those are judged themselves).
judged_rules contains [i, rule] if {
	input.request.kind.kind in role_kinds
	not bootstrap
	not obj.aggregationRule
	some i, rule in obj.rules
}

# verbs_granted(rule, verbs) is the set of the rule's verbs (as written, "*" included) that
# grant one of verbs.
verbs_granted(rule, verbs) := {v | some v in rule.verbs; _verb_matches(v, verbs)}

_verb_matches("*", _)

_verb_matches(v, verbs) if v in verbs

# resources_granted(rule, groups, resources) is the set of the rule's resources (as written)
# that cover one of resources in one of the API groups; empty if no apiGroup matches. A
# resource "x/*" stands for every subresource of x.
resources_granted(rule, groups, resources) := {r |
	_group_matches(rule, groups)
	some r in rule.resources
	_resource_matches(r, resources)
}

_group_matches(rule, groups) if {
	some g in rule.apiGroups
	_matches(g, groups)
}

_matches("*", _)

_matches(g, groups) if g in groups

_resource_matches("*", _)

_resource_matches(r, resources) if r in resources

# A target "userextras/*" stands for every subresource of userextras.
_resource_matches(r, resources) if {
	some target in resources
	endswith(target, "/*")
	startswith(r, substring(target, 0, count(target) - 1))
}

# "*/proxy" covers the proxy subresource of every resource.
_resource_matches(r, resources) if {
	startswith(r, "*/")
	some target in resources
	endswith(target, substring(r, 1, -1))
}

# quoted lists a set of strings for a message, sorted: `"get", "list"`.
quoted(items) := concat(", ", [sprintf("%q", [x]) | some x in sort(items)])

# subject_key is how parameter allowlists name a binding subject: `Group:platform-admins`,
# `User:alice@example.com`, `ServiceAccount:ops/break-glass`.
subject_key(subject) := sprintf("ServiceAccount:%s/%s", [object.get(subject, "namespace", ""), subject.name]) if {
	subject.kind == "ServiceAccount"
} else := sprintf("%s:%s", [subject.kind, subject.name])
