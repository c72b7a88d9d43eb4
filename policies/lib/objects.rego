# METADATA
# title: The request's object, for messages and metadata lookups
# description: |
#   The object's name (also for DELETE and CONNECT, where the object is null or is not the
#   target, and for generateName creates), the operation's verb, and null-safe reads of
#   labels and annotations: a rule here never raises a built-in error on a missing object or
#   a value of the wrong type.
package lib.objects

# metadata is the metadata of the request's object, {} when there is none (DELETE).
default metadata := {}

metadata := m if {
	m := input.request.object.metadata
	is_object(m)
}

# old_metadata is the metadata of the object before the request, {} when there is none.
default old_metadata := {}

old_metadata := m if {
	m := input.request.oldObject.metadata
	is_object(m)
}

# name names the request's target: the request's name, else the object's metadata.name,
# else its metadata.generateName.
name := input.request.name if {
	input.request.name != ""
} else := metadata.name if {
	metadata.name != ""
} else := object.get(metadata, "generateName", "")

# verb is how a message names the operation.
verb := _verbs[input.request.operation]

_verbs := {"CREATE": "create", "UPDATE": "update", "DELETE": "delete", "CONNECT": "connect to"}

# text(meta, where, key) is the trimmed string at meta[where][key] (where is "labels" or
# "annotations"), "" when absent, blank or not a string.
default text(_, _, _) := ""

text(meta, where, key) := trim_space(meta[where][key]) if is_string(meta[where][key])
