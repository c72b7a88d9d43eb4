# METADATA
# title: ServiceAccount facts of a pod spec
# description: |
#   Shared by SA-001, SA-002 and IAM-001: which ServiceAccount a pod-bearing object runs as,
#   what is known of that account (input.serviceAccount), whether the pod gets its token, and
#   how a message names the object. Undefined for requests that carry no pod spec.
package lib.serviceaccounts

import data.lib.identities
import data.lib.pods

# name is the ServiceAccount the pod runs as: serviceAccountName, else the deprecated
# serviceAccount field (the apiserver copies it over), else "default"; null or "" count as
# unset, as the apiserver stores them.
name := spec.serviceAccountName if {
	_named(spec.serviceAccountName)
} else := spec.serviceAccount if {
	_named(spec.serviceAccount)
} else := "default" if {
	spec
}

# _named is true of a non-empty string: a null serviceAccountName (as Helm renders an unset
# value, and as `govhook test` sees it before the apiserver drops it) names no account.
_named(value) if {
	is_string(value)
	value != ""
}

# spec is the pod spec, when the object has one that is an object; undefined for an object its
# controller made from a judged template (see templated), so it is not judged twice.
spec := pods.spec if {
	is_object(pods.spec)
	not templated
}

# templated is true for an object whose controller is a pod-bearing kind (a Pod of a
# ReplicaSet or Job, a ReplicaSet of a Deployment, a Job of a CronJob): its ServiceAccount,
# token automount and env come from a template govhook judged when the controller was
# admitted. Judging the copy again would refuse a controller's Pods for a workload that
# predates govhook at its next rescheduling, while the audit scan already reports the
# controller. Objects of other controllers (operators' custom resources) are judged. Only a
# request from a controller identity (parameter controllerUsernames, lib/identities.rego)
# counts: anyone can write a controller ownerReference, so a Pod a user creates with one is
# judged like any other.
templated if {
	identities.controller
	some owner in pods.obj.metadata.ownerReferences
	owner.controller == true
	owner.kind in _template_kinds
}

_template_kinds := {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"}

_first(names) := [n | some n in names; n != ""][0]

# account is the ServiceAccount the pod will run as (input.serviceAccount: from the webhook's
# cache, the manifests given to `govhook test`, or the cluster's accounts in `govhook audit`),
# when it is known and is the very account this object names in the request's namespace.
# Undefined otherwise: the pod alone is then judged, as strictly as without it.
account := input.serviceAccount if {
	input.serviceAccount.name == name
	input.serviceAccount.namespace == input.request.namespace
}

# token_mounted is true when the pod gets its ServiceAccount's API token, as the apiserver
# decides it: the pod's automountServiceAccountToken when set (null is unset), else its
# ServiceAccount's when known, else true. A pod setting that is not a boolean turns nothing
# off.
token_mounted if {
	spec
	not _token_off
}

_token_off if spec.automountServiceAccountToken == false

_token_off if {
	not _pod_sets_automount
	account.automountServiceAccountToken == false
}

_pod_sets_automount if spec.automountServiceAccountToken != null

# name_field is the path of serviceAccountName in the object, for violations.
name_field := sprintf("%s.serviceAccountName", [pods.spec_path])

# automount_field is the path of the pod's automountServiceAccountToken, for violations.
automount_field := sprintf("%s.automountServiceAccountToken", [pods.spec_path])

# describe names the request's object for a message: `Deployment "checkout"` (a Pod made from
# generateName is named by its prefix, since it has no name yet).
describe := sprintf("%s %q", [input.request.kind.kind, _first([object.get(pods.obj, ["metadata", "name"], ""), object.get(pods.obj, ["metadata", "generateName"], "")])])
