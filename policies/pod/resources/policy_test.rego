package pod.resources_test

import data.lib.review_test as t
import data.pod.resources

test_fail_missing_requests_and_limits if {
	got := resources.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox"}],
		"containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox"}],
	})
	got == {
		{"msg": `init container "setup" should set resources.requests.cpu`, "field": "spec.initContainers[0].resources.requests.cpu"},
		{"msg": `init container "setup" should set resources.requests.memory`, "field": "spec.initContainers[0].resources.requests.memory"},
		{"msg": `init container "setup" should set resources.limits.memory`, "field": "spec.initContainers[0].resources.limits.memory"},
		{"msg": `container "app" should set resources.requests.memory`, "field": "spec.containers[0].resources.requests.memory"},
		{"msg": `container "app" should set resources.limits.memory`, "field": "spec.containers[0].resources.limits.memory"},
	}
}

test_success_requests_and_memory_limit if {
	got := resources.deny with input as t.deployment({"containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"memory": "256Mi"}}}]})
	got == set()
}

# The API defaults a request to the limit of the same resource.
test_success_requests_defaulted_from_limits if {
	got := resources.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]})
	got == set()
}

test_success_pod_level_resources if {
	got := resources.deny with input as t.pod({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}, "containers": [{"name": "app", "image": "nginx"}, {"name": "side", "image": "envoy"}]})
	got == set()
}
