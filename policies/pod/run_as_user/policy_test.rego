package pod.run_as_user_test

import data.lib.review_test as t
import data.pod.run_as_user

test_fail_uid_zero_at_pod_and_container if {
	got := run_as_user.deny with input as t.pod({
		"securityContext": {"runAsUser": 0},
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"runAsUser": 0}}],
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"runAsUser": 1000}}],
	})
	got == {
		{"msg": "pod must not set securityContext.runAsUser=0; run as a non-zero user ID", "field": "spec.securityContext.runAsUser"},
		{"msg": `init container "setup" must not set securityContext.runAsUser=0; run as a non-zero user ID`, "field": "spec.initContainers[0].securityContext.runAsUser"},
	}
}

test_success_non_zero_or_unset if {
	got := run_as_user.deny with input as t.deployment(object.union(t.containers({"runAsUser": 65534}), {"securityContext": {"runAsUser": 1000}}))
	got == set()
}

test_success_user_namespace if {
	got := run_as_user.deny with input as t.pod({"hostUsers": false, "securityContext": {"runAsUser": 0}, "containers": [{"name": "app", "image": "nginx"}]})
	got == set()
}
