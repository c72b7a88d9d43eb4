# METADATA
# title: Namespace owner, environment, data classification and security contact
# description: |
#   Every namespace names its owning team (label owner, a lower-case DNS label), its
#   environment (label environment: prod, staging, dev or sandbox), the classification of the
#   data it holds (label data-classification: public, internal, confidential or restricted) and
#   its security contact (annotation security-contact, an email address), so that incidents
#   route to an owner and an auditor can sample by owner, environment and classification. An
#   update may not remove or blank them. The namespaces Kubernetes creates itself (default and
#   the systemNamespaces of the config) belong to no team and are exempt. Keys and allowed
#   values are config parameters.
# custom:
#   id: OWN-001
#   severity: high
#   controls: [CC1.3, CC2.2, CC6.1]
#   groups: [ownership, namespaces]
#   action: deny
#   kinds: [Namespace]
#   references:
#     - SOC 2 CC1.3 defined roles and responsibilities; CC2.2 internal communication
#     - EKS Best Practices Guide, multi-tenancy (namespaces per team)
package own.namespace_labels

import data.lib.namespaces
import data.lib.objects
import data.lib.params

# _requirements are the labels and annotations every namespace carries, and how each is checked.
_requirements := [
	{"noun": "label", "where": "labels", "key": params.owner_label, "check": "team"},
	{"noun": "label", "where": "labels", "key": params.environment_label, "check": "environment"},
	{"noun": "label", "where": "labels", "key": params.data_classification_label, "check": "classification"},
	{"noun": "annotation", "where": "annotations", "key": params.security_contact_annotation, "check": "email"},
]

deny contains {"msg": msg, "field": field} if {
	_judged
	some req in _requirements
	objects.text(objects.metadata, req.where, req.key) == ""
	objects.text(objects.old_metadata, req.where, req.key) == ""
	msg := sprintf("namespace %q must carry %s %q %s", [objects.name, req.noun, req.key, _wanted(req.check)])
	field := sprintf("metadata.%s[%q]", [req.where, req.key])
}

deny contains {"msg": msg, "field": field} if {
	_judged
	some req in _requirements
	objects.text(objects.metadata, req.where, req.key) == ""
	old := objects.text(objects.old_metadata, req.where, req.key)
	old != ""
	msg := sprintf("an update of namespace %q must not remove or blank %s %q (it was %q)", [objects.name, req.noun, req.key, old])
	field := sprintf("metadata.%s[%q]", [req.where, req.key])
}

deny contains {"msg": msg, "field": field} if {
	_judged
	some req in _requirements
	value := objects.text(objects.metadata, req.where, req.key)
	value != ""
	not _valid(req.check, value)
	msg := sprintf("namespace %q %s %q must be %s, not %q", [objects.name, req.noun, req.key, _allowed(req.check), value])
	field := sprintf("metadata.%s[%q]", [req.where, req.key])
}

_judged if {
	input.request.kind.kind == "Namespace"
	input.request.operation in {"CREATE", "UPDATE"}
	not namespaces.builtin(objects.name)
}

_valid("team", value) if regex.match(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`, value)

_valid("environment", value) if value in params.environments

_valid("classification", value) if value in params.data_classifications

_valid("email", value) if regex.match(`^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$`, value)

# _allowed says what a valid value is; _wanted says it after "must carry <label>".
_allowed("team") := `a team slug (a lower-case DNS label such as "payments")`

_allowed("environment") := sprintf("one of: %s", [concat(", ", params.environments)])

_allowed("classification") := sprintf("one of: %s", [concat(", ", params.data_classifications)])

_allowed("email") := "an email address"

_wanted("team") := `naming its owning team (a lower-case DNS label such as "payments")`

_wanted("environment") := concat("", ["set to ", _allowed("environment")])

_wanted("classification") := concat("", ["set to ", _allowed("classification")])

_wanted("email") := "with the email address of its security contact"
