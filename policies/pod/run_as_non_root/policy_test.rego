package pod.run_as_non_root_test

import data.lib.review_test as t
import data.pod.run_as_non_root

test_fail_unset_everywhere if {
	got := run_as_non_root.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx"}], "initContainers": [{"name": "setup", "image": "busybox", "securityContext": {}}]})
	got == {
		{"msg": `container "app" must set securityContext.runAsNonRoot=true (or the pod must set it for all containers)`, "field": "spec.containers[0].securityContext.runAsNonRoot"},
		{"msg": `init container "setup" must set securityContext.runAsNonRoot=true (or the pod must set it for all containers)`, "field": "spec.initContainers[0].securityContext.runAsNonRoot"},
	}
}

# A pod-level false is reported once: fixing it fixes the containers that inherit it.
test_fail_pod_false if {
	got := run_as_non_root.deny with input as t.deployment({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "app", "image": "nginx"}]})
	got == {{"msg": "pod must not set securityContext.runAsNonRoot=false; set it to true", "field": "spec.template.spec.securityContext.runAsNonRoot"}}
}

# The container's own setting wins over the pod's.
test_fail_container_false_overrides_pod_true if {
	got := run_as_non_root.deny with input as t.pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "app", "image": "nginx"}], "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"runAsNonRoot": false}}]})
	got == {{"msg": `ephemeral container "debug" must not set securityContext.runAsNonRoot=false; set it to true`, "field": "spec.ephemeralContainers[0].securityContext.runAsNonRoot"}}
}

# Windows pods are not exempt from this control.
test_fail_windows_pod if {
	got := run_as_non_root.deny with input as t.pod({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "iis"}]})
	count(got) == 1
}

test_success_pod_true if {
	got := run_as_non_root.deny with input as t.pod(object.union(t.containers({}), {"securityContext": {"runAsNonRoot": true}}))
	got == set()
}

test_success_each_container_true if {
	got := run_as_non_root.deny with input as t.pod(t.containers({"runAsNonRoot": true}))
	got == set()
}

# Since Kubernetes 1.35 pods in a user namespace are exempt.
test_success_user_namespace if {
	got := run_as_non_root.deny with input as t.pod({"hostUsers": false, "securityContext": {"runAsNonRoot": false}, "containers": [{"name": "app", "image": "nginx"}]})
	got == set()
}
