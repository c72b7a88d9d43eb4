# METADATA
# title: Pod Security Admission enforce level on namespaces
# description: |
#   Every namespace has Kubernetes' built-in Pod Security Admission enforce a Pod Security
#   Standards level: label pod-security.kubernetes.io/enforce at the config's
#   minimumPodSecurityLevel (baseline by default) or stricter. An update may not remove the
#   label or lower the level, even within the allowed ones; that takes an approved exception.
#   The namespaces Kubernetes creates itself (default and the systemNamespaces) are exempt. An
#   unknown minimumPodSecurityLevel counts as restricted, so a typo never weakens the policy.
#   Pinning the standards' version lowers enforcement like lowering the level (v1.0 of
#   restricted checks far less than the current one): pod-security.kubernetes.io/enforce-version
#   must be absent, latest, or a version (v<major>.<minor>, as Pod Security Admission parses
#   it) not below the cluster's, parameter kubernetesVersion (default v1.37); anything older
#   takes an approved exception.
# custom:
#   id: NS-002
#   severity: high
#   controls: [CC5.2, CC7.1]
#   groups: [namespaces, pod-security]
#   action: deny
#   kinds: [Namespace]
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-admission/
#     - CIS Amazon EKS Benchmark, Pod Security Standards (4.2)
package ns.pod_security_label

import data.lib.namespaces
import data.lib.objects
import data.lib.params

_label := "pod-security.kubernetes.io/enforce"

_order := ["privileged", "baseline", "restricted"]

_rank := {"privileged": 0, "baseline": 1, "restricted": 2}

deny contains {"msg": msg, "field": _field} if {
	_judged
	objects.text(objects.metadata, "labels", _label) == ""
	not _rank[_old]
	msg := sprintf("namespace %q must carry label %q set to %s", [objects.name, _label, _allowed])
}

deny contains {"msg": msg, "field": _field} if {
	_judged
	objects.text(objects.metadata, "labels", _label) == ""
	_rank[_old]
	msg := sprintf("an update of namespace %q must not remove label %q (it was %q); that needs an approved exception", [objects.name, _label, _old])
}

deny contains {"msg": msg, "field": _field} if {
	_judged
	_new != ""
	not _allowed_level(_new)
	msg := sprintf("namespace %q label %q must be %s, not %q", [objects.name, _label, _allowed, _new])
}

deny contains {"msg": msg, "field": _field} if {
	_judged
	_allowed_level(_new)
	_rank[_new] < _rank[_old]
	msg := sprintf("an update of namespace %q must not lower label %q from %q to %q; that needs an approved exception", [objects.name, _label, _old, _new])
}

deny contains {"msg": msg, "field": _version_field} if {
	_judged
	_version != ""
	_version != "latest"
	not _parse(_version)
	msg := sprintf("namespace %q label %q must be latest or a Kubernetes version such as %s, not %q", [objects.name, _version_label, params.kubernetes_version, _version])
}

deny contains {"msg": msg, "field": _version_field} if {
	_judged
	pinned := _parse(_version)
	cluster := _parse(params.kubernetes_version)
	pinned < cluster
	msg := sprintf("namespace %q label %q pins the Pod Security Standards of %s, older than the cluster's %s, which enforces fewer checks: set it to latest or remove it; an older version needs an approved exception", [objects.name, _version_label, _version, params.kubernetes_version])
}

_judged if {
	input.request.kind.kind == "Namespace"
	input.request.operation in {"CREATE", "UPDATE"}
	not namespaces.builtin(objects.name)
}

_field := sprintf("metadata.labels[%q]", [_label])

_version_label := "pod-security.kubernetes.io/enforce-version"

_version_field := sprintf("metadata.labels[%q]", [_version_label])

_version := objects.text(objects.metadata, "labels", _version_label)

# _parse reads v<major>.<minor> as [major, minor] (arrays compare element by element).
_parse(v) := [to_number(m[1]), to_number(m[2])] if {
	some m in regex.find_all_string_submatch_n(`^v([0-9]{1,4})\.([0-9]{1,4})$`, v, 1)
}

_new := objects.text(objects.metadata, "labels", _label)

_old := objects.text(objects.old_metadata, "labels", _label)

_minimum := object.get(_rank, params.minimum_pod_security_level, 2)

_allowed_level(level) if _rank[level] >= _minimum

_allowed := concat(" or ", [level | some level in _order; _allowed_level(level)])
