# METADATA
# title: Policy parameters and their defaults
# description: |
#   Parameters come from the config file's `parameters` (input.params); each has its default
#   here, the one place a default is written down.
package lib.params

# owner_label is the label key that names a workload's accountable team.
owner_label := object.get(input, ["params", "ownerLabel"], "owner")
