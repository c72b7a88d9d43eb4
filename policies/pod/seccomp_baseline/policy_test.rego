package pod.seccomp_baseline_test

import data.lib.review_test as t
import data.pod.seccomp_baseline

test_fail_unconfined_at_pod_and_container if {
	got := seccomp_baseline.deny with input as t.deployment({
		"securityContext": {"seccompProfile": {"type": "Unconfined"}},
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"seccompProfile": {}}}],
	})
	got == {
		{"msg": `pod must not set securityContext.seccompProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.template.spec.securityContext.seccompProfile.type"},
		{"msg": `init container "setup" must not set securityContext.seccompProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.template.spec.initContainers[0].securityContext.seccompProfile.type"},
		{"msg": `container "app" must not set securityContext.seccompProfile.type to ""; use RuntimeDefault or Localhost`, "field": "spec.template.spec.containers[0].securityContext.seccompProfile.type"},
	}
}

# The baseline does not exempt Windows pods (the restricted check that replaces it does).
test_fail_windows_pod if {
	got := seccomp_baseline.deny with input as t.pod({"os": {"name": "windows"}, "securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app", "image": "x"}]})
	count(got) == 1
}

test_success_unset_runtime_default_or_localhost if {
	got := seccomp_baseline.deny with input as t.pod_with(
		{"name": "web", "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
		{
			"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
			"containers": [
				{"name": "app", "image": "nginx", "securityContext": {"seccompProfile": {"type": "Localhost"}}},
				{"name": "side", "image": "nginx", "securityContext": {"seccompProfile": null}},
			],
		},
	)
	got == set()
}
