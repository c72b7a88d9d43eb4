package pod.windows_host_process_test

import data.lib.review_test as t
import data.pod.windows_host_process

test_fail_pod_and_container_host_process if {
	got := windows_host_process.deny with input as t.deployment({
		"os": {"name": "windows"},
		"securityContext": {"windowsOptions": {"hostProcess": true, "runAsUserName": "NT AUTHORITY\\SYSTEM"}},
		"containers": [{"name": "agent", "image": "agent", "securityContext": {"windowsOptions": {"hostProcess": true}}}],
	})
	got == {
		{"msg": "pod must not set securityContext.windowsOptions.hostProcess=true", "field": "spec.template.spec.securityContext.windowsOptions.hostProcess"},
		{"msg": `container "agent" must not set securityContext.windowsOptions.hostProcess=true`, "field": "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess"},
	}
}

test_fail_init_container_only if {
	got := windows_host_process.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "x", "securityContext": {"windowsOptions": {"hostProcess": true}}}],
		"containers": [{"name": "app", "image": "x"}],
	})
	got == {{"msg": `init container "setup" must not set securityContext.windowsOptions.hostProcess=true`, "field": "spec.initContainers[0].securityContext.windowsOptions.hostProcess"}}
}

test_success_host_process_false if {
	got := windows_host_process.deny with input as t.pod(object.union(t.containers({"windowsOptions": {"hostProcess": false}}), {"securityContext": {"windowsOptions": {"hostProcess": false}}}))
	got == set()
}
