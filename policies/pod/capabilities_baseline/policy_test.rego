package pod.capabilities_baseline_test

import data.lib.review_test as t
import data.pod.capabilities_baseline

_baseline := "; the baseline allows only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT"

test_fail_capabilities_outside_the_default_set if {
	got := capabilities_baseline.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "securityContext": {"capabilities": {"add": ["CHOWN", "SYS_ADMIN", "ALL", "NET_RAW"]}}}]})
	got == {
		{"msg": sprintf(`container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add%s`, [_baseline]), "field": "spec.containers[0].securityContext.capabilities.add[1]"},
		{"msg": sprintf(`container "app" must not include "ALL" in securityContext.capabilities.add%s`, [_baseline]), "field": "spec.containers[0].securityContext.capabilities.add[2]"},
		{"msg": sprintf(`container "app" must not include "NET_RAW" in securityContext.capabilities.add%s`, [_baseline]), "field": "spec.containers[0].securityContext.capabilities.add[3]"},
	}
}

# Names compare exactly, as in the reference: a CAP_ prefix or lower case is not the
# capability, and the message says how to write it.
test_fail_misspelled_default_capabilities if {
	got := capabilities_baseline.deny with input as t.pod({"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"capabilities": {"add": ["CAP_CHOWN", "kill", "CAP_SYS_ADMIN"]}}}], "containers": [{"name": "app", "image": "nginx"}]})
	got == {
		{"msg": `init container "setup" must not include "CAP_CHOWN" in securityContext.capabilities.add; capability names are upper case without the CAP_ prefix: write "CHOWN"`, "field": "spec.initContainers[0].securityContext.capabilities.add[0]"},
		{"msg": `init container "setup" must not include "kill" in securityContext.capabilities.add; capability names are upper case without the CAP_ prefix: write "KILL"`, "field": "spec.initContainers[0].securityContext.capabilities.add[1]"},
		{"msg": sprintf(`init container "setup" must not include "CAP_SYS_ADMIN" in securityContext.capabilities.add%s`, [_baseline]), "field": "spec.initContainers[0].securityContext.capabilities.add[2]"},
	}
}

test_fail_ephemeral_container_in_deployment_kind if {
	got := capabilities_baseline.deny with input as t.pod(t.containers({"capabilities": {"add": ["SYS_PTRACE"]}}))
	count(got) == 3
}

test_success_default_set_and_drops if {
	got := capabilities_baseline.deny with input as t.deployment({"containers": [{"name": "app", "image": "nginx", "securityContext": {"capabilities": {
		"add": ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"],
		"drop": ["ALL"],
	}}}]})
	got == set()
}
