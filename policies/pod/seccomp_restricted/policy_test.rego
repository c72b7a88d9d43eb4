package pod.seccomp_restricted_test

import data.lib.review_test as t
import data.pod.seccomp_restricted

_must_set := "must set securityContext.seccompProfile.type to RuntimeDefault or Localhost (or the pod must set it for all containers)"

test_fail_unset_everywhere if {
	got := seccomp_restricted.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx"}], "ephemeralContainers": [{"name": "debug", "image": "busybox"}]})
	got == {
		{"msg": sprintf(`container "app" %s`, [_must_set]), "field": "spec.containers[0].securityContext.seccompProfile.type"},
		{"msg": sprintf(`ephemeral container "debug" %s`, [_must_set]), "field": "spec.ephemeralContainers[0].securityContext.seccompProfile.type"},
	}
}

# Containers that set their own valid profile need nothing from the pod.
test_fail_only_containers_without_a_profile if {
	got := seccomp_restricted.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox"}],
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
	})
	got == {{"msg": sprintf(`init container "setup" %s`, [_must_set]), "field": "spec.initContainers[0].securityContext.seccompProfile.type"}}
}

test_fail_unconfined_container_overrides_pod if {
	got := seccomp_restricted.deny with input as t.deployment({
		"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
	})
	got == {{"msg": `container "app" must not set securityContext.seccompProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.template.spec.containers[0].securityContext.seccompProfile.type"}}
}

test_fail_unconfined_pod if {
	got := seccomp_restricted.deny with input as t.pod({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app", "image": "nginx"}]})
	got == {{"msg": `pod must not set securityContext.seccompProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.securityContext.seccompProfile.type"}}
}

test_success_pod_runtime_default if {
	got := seccomp_restricted.deny with input as t.pod(object.union(t.containers({}), {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}))
	got == set()
}

# Like the reference, the check reads the type only; the API itself requires
# localhostProfile with Localhost.
test_success_localhost_without_profile if {
	got := seccomp_restricted.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "securityContext": {"seccompProfile": {"type": "Localhost"}}}]})
	got == set()
}

test_success_windows_pod if {
	got := seccomp_restricted.deny with input as t.pod({"os": {"name": "windows"}, "containers": [{"name": "app", "image": "iis"}]})
	got == set()
}
