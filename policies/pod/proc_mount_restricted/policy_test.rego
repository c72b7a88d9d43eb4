package pod.proc_mount_restricted_test

import data.lib.review_test as t
import data.pod.proc_mount_restricted

test_fail_unmasked_in_user_namespace if {
	got := proc_mount_restricted.deny with input as t.pod({"hostUsers": false, "containers": [{"name": "app", "image": "nginx", "securityContext": {"procMount": "Unmasked"}}]})
	got == {{"msg": `container "app" must not set securityContext.procMount to "Unmasked", even with hostUsers: false; remove it or set it to Default`, "field": "spec.containers[0].securityContext.procMount"}}
}

# Outside a user namespace POD-009 reports it, in both profiles.
test_success_outside_user_namespace_left_to_the_baseline if {
	got := proc_mount_restricted.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "securityContext": {"procMount": "Unmasked"}}]})
	got == set()
}

test_success_default_in_user_namespace if {
	got := proc_mount_restricted.deny with input as t.pod(object.union(t.containers({"procMount": "Default"}), {"hostUsers": false}))
	got == set()
}
