# METADATA
# title: UPDATE semantics shared by the least-privilege policies
# description: |
#   An UPDATE that introduces a violation is refused; one that only carries along violations
#   the object already had is not judged again when it could not have touched what the policy
#   judges. That keeps clean-up possible (labels, annotations, finalizer removal on an object
#   that predates govhook or its policy) without ever letting a new violation in.
#
#   A policy opts in by computing its violations in `_violations` and publishing
#     deny := update.new_violations(_violations, _before)
#     warn := update.carried_violations(_violations, _before)
#     _before := before if {
#       update.only_new_violations
#       count(_violations) > 0
#       before := _violations with input.request.object as input.request.oldObject
#     }
#     default _before := set()
#   so a violation is only warned about when the old object had exactly the same one, and a
#   request without violations pays nothing for it.
package lib.update

# only_new_violations is true for an UPDATE whose pre-existing violations are not judged
# again: a metadata-only update, or any Pod update (a Pod's serviceAccountName, token
# automount and container env are immutable; ephemeral containers can only be added, and a
# violation an added container brings is new, so it is still refused).
only_new_violations if metadata_only

only_new_violations if {
	input.request.operation == "UPDATE"
	input.request.kind.kind == "Pod"
}

# metadata_only is true for an UPDATE that changes nothing but metadata (labels, annotations,
# finalizers, owner references) and status; for an aggregated ClusterRole also the rules,
# which the aggregation controller fills in.
metadata_only if {
	input.request.operation == "UPDATE"
	object.remove(input.request.object, _ignored) == object.remove(input.request.oldObject, _ignored)
}

_ignored := ["metadata", "status", "rules"] if {
	input.request.kind.kind == "ClusterRole"
	is_object(input.request.object.aggregationRule)
	is_object(input.request.oldObject.aggregationRule)
} else := ["metadata", "status"]

# new_violations are the violations to refuse: those of violations that before (the old
# object's, when only new violations are judged; else empty) does not hold.
new_violations(violations, before) := violations - before

# carried_violations are the violations the object already had: warned about, never refused.
carried_violations(violations, before) := violations & before
