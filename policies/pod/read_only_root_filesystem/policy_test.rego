package pod.read_only_root_filesystem_test

import data.lib.review_test as t
import data.pod.read_only_root_filesystem

_should := "should set securityContext.readOnlyRootFilesystem=true and write only to mounted volumes (an emptyDir for scratch space)"

test_fail_writable_root if {
	got := read_only_root_filesystem.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"readOnlyRootFilesystem": false}}],
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"readOnlyRootFilesystem": true}}, {"name": "side", "image": "envoy"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox"}],
	})
	got == {
		{"msg": sprintf(`init container "setup" %s`, [_should]), "field": "spec.initContainers[0].securityContext.readOnlyRootFilesystem"},
		{"msg": sprintf(`container "side" %s`, [_should]), "field": "spec.containers[1].securityContext.readOnlyRootFilesystem"},
	}
}

test_success_read_only if {
	got := read_only_root_filesystem.deny with input as t.deployment(t.containers({"readOnlyRootFilesystem": true}))
	got == set()
}

test_success_windows_pod if {
	got := read_only_root_filesystem.deny with input as t.pod({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "iis"}]})
	got == set()
}
