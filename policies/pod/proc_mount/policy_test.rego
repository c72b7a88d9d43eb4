package pod.proc_mount_test

import data.lib.review_test as t
import data.pod.proc_mount

test_fail_unmasked_proc_mount if {
	got := proc_mount.deny with input as t.pod({
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"procMount": "Unmasked"}}],
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"procMount": ""}}],
	})
	got == {
		{"msg": `container "app" must not set securityContext.procMount to "Unmasked"; remove it or set it to Default`, "field": "spec.containers[0].securityContext.procMount"},
		{"msg": `init container "setup" must not set securityContext.procMount to ""; remove it or set it to Default`, "field": "spec.initContainers[0].securityContext.procMount"},
	}
}

test_fail_host_users_true if {
	got := proc_mount.deny with input as t.pod({"hostUsers": true, "containers": [{"name": "app", "image": "nginx", "securityContext": {"procMount": "Unmasked"}}]})
	count(got) == 1
}

# Since Kubernetes 1.35 the baseline allows any /proc mount in a user namespace.
test_success_user_namespace if {
	got := proc_mount.deny with input as t.pod({"hostUsers": false, "containers": [{"name": "app", "image": "nginx", "securityContext": {"procMount": "Unmasked"}}]})
	got == set()
}

test_success_default_or_unset if {
	got := proc_mount.deny with input as t.deployment(t.containers({"procMount": "Default"}))
	got == set()
}
