# METADATA
# title: No lowering of a namespace's environment tier
# description: |
#   The namespace label environment (parameter environmentLabel) is the tier tiered policies
#   read: they deny in prod and only warn elsewhere. An update may not move a namespace to a
#   lower tier or remove the label, since that turns those denials into warnings for everything
#   in it afterwards; it takes an approved exception. The tiers rank in the order of parameter
#   environments, highest first (prod, staging, dev, sandbox by default); a value not in the
#   list ranks below all of them, as tiering treats it like any other non-prod value. Raising
#   or keeping the tier is admitted, and so is any CREATE (OWN-001 judges the value itself).
# custom:
#   id: NS-003
#   severity: high
#   controls: [CC8.1, CC6.1]
#   groups: [namespaces, change-control]
#   action: deny
#   rationale: |
#     Whoever may patch a namespace could otherwise relabel prod as dev and so turn every tiered
#     policy (the restricted Pod Security Standards, interactive access, digest pinning) into a
#     warning, without any approval on record.
#   remediation: |
#     Keep the namespace's environment label at its tier or raise it. If the namespace really
#     moves to a lower tier, ask for an approved, time-bound exception of NS-003 for it, make
#     the change, and let the exception expire.
#   parameters: [environmentLabel, environments]
#   kinds: [Namespace]
#   references:
#     - SOC 2 CC8.1 change management; CC6.1 logical access
package ns.environment_tier

import data.lib.objects
import data.lib.params

deny contains {"msg": msg, "field": _field} if {
	_judged
	_new == ""
	msg := sprintf("an update of namespace %q must not remove label %q (it was %q); that needs an approved exception", [objects.name, params.environment_label, _old])
}

deny contains {"msg": msg, "field": _field} if {
	_judged
	_new != ""
	_rank(_new) > _rank(_old)
	msg := sprintf("an update of namespace %q must not lower label %q from %q to %q: tiered policies enforce by it; that needs an approved exception", [objects.name, params.environment_label, _old, _new])
}

# _judged holds for an UPDATE of a Namespace that carried the label before.
_judged if {
	input.request.kind.kind == "Namespace"
	input.request.operation == "UPDATE"
	_old != ""
}

_field := sprintf("metadata.labels[%q]", [params.environment_label])

_new := objects.text(objects.metadata, "labels", params.environment_label)

_old := objects.text(objects.old_metadata, "labels", params.environment_label)

# _rank is a tier's first place in params.environments, 0 the highest; an unknown value ranks
# last.
_rank(value) := min(places) if {
	places := {i | some i, env in params.environments; env == value}
	count(places) > 0
} else := count(params.environments)
