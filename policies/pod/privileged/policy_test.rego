package pod.privileged_test

import data.lib.review_test
import data.pod.privileged

_review(kind, object) := review_test.create(kind, object)

_pod_spec(containers) := {"containers": containers}

test_fail_privileged_container_in_pod if {
	got := privileged.deny with input as _review("Pod", {"spec": _pod_spec([
		{"name": "ok", "image": "x"},
		{"name": "app", "image": "x", "securityContext": {"privileged": true}},
	])})
	got == {{
		"msg": `container "app" must not set securityContext.privileged=true`,
		"field": "spec.containers[1].securityContext.privileged",
	}}
}

test_fail_privileged_init_and_ephemeral_containers if {
	got := privileged.deny with input as _review("Pod", {"spec": {
		"containers": [{"name": "app", "image": "x"}],
		"initContainers": [{"name": "setup", "image": "x", "securityContext": {"privileged": true}}],
		"ephemeralContainers": [{"name": "debug", "image": "x", "securityContext": {"privileged": true}}],
	}})
	got == {
		{"msg": `init container "setup" must not set securityContext.privileged=true`, "field": "spec.initContainers[0].securityContext.privileged"},
		{"msg": `ephemeral container "debug" must not set securityContext.privileged=true`, "field": "spec.ephemeralContainers[0].securityContext.privileged"},
	}
}

test_fail_privileged_in_cronjob_template if {
	got := privileged.deny with input as _review("CronJob", {"spec": {"jobTemplate": {"spec": {"template": {"spec": _pod_spec([{"name": "job", "image": "x", "securityContext": {"privileged": true}}])}}}}})
	got == {{
		"msg": `container "job" must not set securityContext.privileged=true`,
		"field": "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged",
	}}
}

test_fail_privileged_in_every_controller_kind if {
	every kind in ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"] {
		got := privileged.deny with input as _review(kind, {"spec": {"template": {"spec": _pod_spec([{"name": "c", "securityContext": {"privileged": true}}])}}})
		count(got) == 1
	}
}

test_fail_privileged_in_pod_template if {
	got := privileged.deny with input as _review("PodTemplate", {"template": {"spec": _pod_spec([{"name": "c", "securityContext": {"privileged": true}}])}})
	got == {{"msg": `container "c" must not set securityContext.privileged=true`, "field": "template.spec.containers[0].securityContext.privileged"}}
}

test_success_privileged_false_or_absent if {
	got := privileged.deny with input as _review("Pod", {"spec": _pod_spec([
		{"name": "a", "image": "x", "securityContext": {"privileged": false}},
		{"name": "b", "image": "x"},
	])})
	got == set()
}

test_success_other_kinds_are_not_judged if {
	got := privileged.deny with input as _review("ConfigMap", {"data": {"spec": "privileged"}})
	got == set()
}

test_success_delete_has_no_object if {
	got := privileged.deny with input as {"request": {"operation": "DELETE", "kind": {"kind": "Pod"}, "object": null}}
	got == set()
}
