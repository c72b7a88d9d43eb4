package pod.selinux_test

import data.lib.review_test as t
import data.pod.selinux

test_fail_type_user_and_role if {
	got := selinux.deny with input as t.pod({
		"securityContext": {"seLinuxOptions": {"type": "spc_t"}},
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"seLinuxOptions": {"user": "system_u", "role": "system_r", "level": "s0:c1,c2"}}}],
	})
	got == {
		{"msg": `pod must not set securityContext.seLinuxOptions.type to "spc_t"; use container_t, container_init_t, container_kvm_t or container_engine_t, or leave it unset`, "field": "spec.securityContext.seLinuxOptions.type"},
		{"msg": `container "app" must not set securityContext.seLinuxOptions.user; remove it`, "field": "spec.containers[0].securityContext.seLinuxOptions.user"},
		{"msg": `container "app" must not set securityContext.seLinuxOptions.role; remove it`, "field": "spec.containers[0].securityContext.seLinuxOptions.role"},
	}
}

test_fail_ephemeral_container_type if {
	got := selinux.deny with input as t.pod({
		"containers": [{"name": "app", "image": "nginx"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"seLinuxOptions": {"type": "unconfined_t"}}}],
	})
	got == {{"msg": `ephemeral container "debug" must not set securityContext.seLinuxOptions.type to "unconfined_t"; use container_t, container_init_t, container_kvm_t or container_engine_t, or leave it unset`, "field": "spec.ephemeralContainers[0].securityContext.seLinuxOptions.type"}}
}

test_success_container_types_and_level if {
	got := selinux.deny with input as t.deployment({
		"securityContext": {"seLinuxOptions": {"type": "container_engine_t", "level": "s0:c123,c456"}},
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"seLinuxOptions": {"type": "container_init_t", "user": "", "role": null}}}],
		"containers": [
			{"name": "app", "image": "nginx", "securityContext": {"seLinuxOptions": {"type": "container_t"}}},
			{"name": "vm", "image": "kubevirt", "securityContext": {"seLinuxOptions": {"type": "container_kvm_t"}}},
			{"name": "side", "image": "nginx", "securityContext": {"seLinuxOptions": {"type": ""}}},
		],
	})
	got == set()
}
