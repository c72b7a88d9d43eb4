package pod.capabilities_restricted_test

import data.lib.review_test as t
import data.pod.capabilities_restricted

_drop := `must set securityContext.capabilities.drop=["ALL"]`

test_fail_missing_drop_all if {
	got := capabilities_restricted.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox"}],
		"containers": [
			{"name": "app", "image": "nginx", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
			{"name": "lower", "image": "nginx", "securityContext": {"capabilities": {"drop": ["all"]}}},
		],
	})
	got == {
		{"msg": sprintf(`init container "setup" %s`, [_drop]), "field": "spec.initContainers[0].securityContext.capabilities.drop"},
		{"msg": sprintf(`container "app" %s`, [_drop]), "field": "spec.containers[0].securityContext.capabilities.drop"},
		{"msg": sprintf(`container "lower" %s; names are case-sensitive: write "ALL"`, [_drop]), "field": "spec.containers[1].securityContext.capabilities.drop"},
	}
}

test_fail_added_capabilities if {
	got := capabilities_restricted.deny with input as t.pod({"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "SYS_PTRACE", "CAP_NET_BIND_SERVICE", "ALL"]}}}], "containers": [{"name": "app", "image": "nginx", "securityContext": t.restricted}]})
	got == {
		{"msg": `ephemeral container "debug" must not include "SYS_PTRACE" in securityContext.capabilities.add; only NET_BIND_SERVICE may be added`, "field": "spec.ephemeralContainers[0].securityContext.capabilities.add[1]"},
		{"msg": `ephemeral container "debug" must not include "CAP_NET_BIND_SERVICE" in securityContext.capabilities.add; capability names are upper case without the CAP_ prefix: write "NET_BIND_SERVICE"`, "field": "spec.ephemeralContainers[0].securityContext.capabilities.add[2]"},
		{"msg": `ephemeral container "debug" must not include "ALL" in securityContext.capabilities.add; only NET_BIND_SERVICE may be added`, "field": "spec.ephemeralContainers[0].securityContext.capabilities.add[3]"},
	}
}

test_success_drop_all_add_net_bind_service if {
	got := capabilities_restricted.deny with input as t.deployment(t.containers({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}))
	got == set()
}

test_success_windows_pod if {
	got := capabilities_restricted.deny with input as t.pod({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "iis"}]})
	got == set()
}
