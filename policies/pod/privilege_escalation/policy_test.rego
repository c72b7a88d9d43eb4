package pod.privilege_escalation_test

import data.lib.review_test as t
import data.pod.privilege_escalation

test_fail_unset_or_true if {
	got := privilege_escalation.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox"}],
		"containers": [
			{"name": "app", "image": "nginx", "securityContext": {"allowPrivilegeEscalation": true}},
			{"name": "ok", "image": "nginx", "securityContext": {"allowPrivilegeEscalation": false}},
		],
		"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"allowPrivilegeEscalation": null}}],
	})
	got == {
		{"msg": `init container "setup" must set securityContext.allowPrivilegeEscalation=false`, "field": "spec.initContainers[0].securityContext.allowPrivilegeEscalation"},
		{"msg": `container "app" must set securityContext.allowPrivilegeEscalation=false`, "field": "spec.containers[0].securityContext.allowPrivilegeEscalation"},
		{"msg": `ephemeral container "debug" must set securityContext.allowPrivilegeEscalation=false`, "field": "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation"},
	}
}

test_fail_linux_pod if {
	got := privilege_escalation.deny with input as t.pod({"os": {"name": "linux"}, "containers": [{"name": "app", "image": "nginx"}]})
	count(got) == 1
}

# Windows pods are exempt: the API forbids the field for them.
test_success_windows_pod if {
	got := privilege_escalation.deny with input as t.pod({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "iis"}]})
	got == set()
}

test_success_all_false if {
	got := privilege_escalation.deny with input as t.deployment(t.containers({"allowPrivilegeEscalation": false}))
	got == set()
}
