# METADATA
# title: The request's namespace, as policies see it
# description: |
#   input.namespace is the metadata of the request's namespace ({name, labels, annotations}):
#   from the webhook's namespace cache, the Namespace objects given to the CLI, or, for a
#   Namespace object itself, its own metadata. It is absent when unknown: name and owner are
#   then undefined and shared_with is empty, so a policy that compares against the namespace's
#   owner skips the comparison.
package lib.namespaces

import data.lib.params

# name is the name of the request's namespace, when known.
name := input.namespace.name

# owner is the namespace's owning team; undefined when the namespace or its label is unknown
# or blank.
owner := value if {
	label := input.namespace.labels[params.owner_label]
	is_string(label)
	value := trim_space(label)
	value != ""
}

# shared_with holds the other teams that may own objects in the namespace, from its
# comma-separated shared-with annotation.
shared_with contains team if {
	list := input.namespace.annotations[params.shared_with_annotation]
	is_string(list)
	some entry in split(list, ",")
	team := trim_space(entry)
	team != ""
}

# builtin holds for the namespaces Kubernetes creates itself: default and the system
# namespaces. They belong to no team.
builtin(ns) if ns == "default"

builtin(ns) if ns in params.system_namespaces
