package ns.pod_security_label_test

import data.lib.review_test
import data.ns.pod_security_label

_ns(labels) := {"metadata": {"name": "shop", "labels": labels}}

_create(labels) := review_test.create("Namespace", _ns(labels))

_update(labels, old) := review_test.update("Namespace", _ns(old), _ns(labels))

_field := `metadata.labels["pod-security.kubernetes.io/enforce"]`

test_fail_missing_label if {
	got := pod_security_label.deny with input as _create({"owner": "payments"})
	got == {{"msg": `namespace "shop" must carry label "pod-security.kubernetes.io/enforce" set to baseline or restricted`, "field": _field}}
}

test_fail_privileged_and_unknown_levels if {
	every level in ["privileged", "Restricted", "strict"] {
		got := pod_security_label.deny with input as _create({"pod-security.kubernetes.io/enforce": level})
		got == {{"msg": sprintf(`namespace "shop" label "pod-security.kubernetes.io/enforce" must be baseline or restricted, not %q`, [level]), "field": _field}}
	}
}

test_fail_update_removes_label if {
	got := pod_security_label.deny with input as _update({}, {"pod-security.kubernetes.io/enforce": "baseline"})
	got == {{"msg": `an update of namespace "shop" must not remove label "pod-security.kubernetes.io/enforce" (it was "baseline"); that needs an approved exception`, "field": _field}}
}

test_fail_update_lowers_level if {
	got := pod_security_label.deny with input as _update({"pod-security.kubernetes.io/enforce": "baseline"}, {"pod-security.kubernetes.io/enforce": "restricted"})
	got == {{"msg": `an update of namespace "shop" must not lower label "pod-security.kubernetes.io/enforce" from "restricted" to "baseline"; that needs an approved exception`, "field": _field}}
}

test_fail_restricted_minimum_and_unknown_minimum if {
	every minimum in ["restricted", "strict"] {
		got := pod_security_label.deny with input as object.union(_create({"pod-security.kubernetes.io/enforce": "baseline"}), {"params": {"minimumPodSecurityLevel": minimum}})
		got == {{"msg": `namespace "shop" label "pod-security.kubernetes.io/enforce" must be restricted, not "baseline"`, "field": _field}}
	}
}

test_success_allowed_levels if {
	every level in ["baseline", "restricted"] {
		pod_security_label.deny == set() with input as _create({"pod-security.kubernetes.io/enforce": level})
	}
}

test_success_raising_level_and_privileged_minimum if {
	pod_security_label.deny == set() with input as _update({"pod-security.kubernetes.io/enforce": "restricted"}, {"pod-security.kubernetes.io/enforce": "baseline"})
	pod_security_label.deny == set() with input as object.union(_create({"pod-security.kubernetes.io/enforce": "privileged"}), {"params": {"minimumPodSecurityLevel": "privileged"}})
}

test_success_builtin_namespaces if {
	every name in ["default", "kube-system"] {
		review := {"request": {"operation": "CREATE", "kind": {"kind": "Namespace"}, "object": {"metadata": {"name": name}}}}
		pod_security_label.deny == set() with input as review
	}
}

_version_field := `metadata.labels["pod-security.kubernetes.io/enforce-version"]`

test_fail_version_pinned_below_the_cluster if {
	got := pod_security_label.deny with input as _create({"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.0"})
	got == {{"msg": `namespace "shop" label "pod-security.kubernetes.io/enforce-version" pins the Pod Security Standards of v1.0, older than the cluster's v1.37, which enforces fewer checks: set it to latest or remove it; an older version needs an approved exception`, "field": _version_field}}
	got_update := pod_security_label.deny with input as _update({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.36"}, {"pod-security.kubernetes.io/enforce": "baseline"})
	count(got_update) == 1
}

test_fail_version_not_a_version if {
	got := pod_security_label.deny with input as _create({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "1.37"})
	got == {{"msg": `namespace "shop" label "pod-security.kubernetes.io/enforce-version" must be latest or a Kubernetes version such as v1.37, not "1.37"`, "field": _version_field}}
}

test_success_version_latest_current_or_newer if {
	every version in ["latest", "v1.37", "v1.38", "v2.0"] {
		got := pod_security_label.deny with input as _create({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": version})
		got == set()
	}
	got_param := pod_security_label.deny with input as object.union(_create({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30"}), {"params": {"kubernetesVersion": "v1.30"}})
	got_param == set()
}
