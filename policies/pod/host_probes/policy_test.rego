package pod.host_probes_test

import data.lib.review_test as t
import data.pod.host_probes

test_fail_probe_and_lifecycle_hosts if {
	got := host_probes.deny with input as t.pod({"containers": [{
		"name": "app", "image": "nginx",
		"livenessProbe": {"httpGet": {"host": "169.254.169.254", "path": "/", "port": 80}},
		"readinessProbe": {"tcpSocket": {"host": "127.0.0.1", "port": 80}},
		"startupProbe": {"httpGet": {"host": "", "port": 80}},
		"lifecycle": {"postStart": {"httpGet": {"host": "internal.example.com", "port": 80}}, "preStop": {"tcpSocket": {"host": "10.0.0.1", "port": 22}}},
	}]})
	got == {
		{"msg": `container "app" must not set livenessProbe.httpGet.host; remove it so that the probe targets the pod itself`, "field": "spec.containers[0].livenessProbe.httpGet.host"},
		{"msg": `container "app" must not set readinessProbe.tcpSocket.host; remove it so that the probe targets the pod itself`, "field": "spec.containers[0].readinessProbe.tcpSocket.host"},
		{"msg": `container "app" must not set lifecycle.postStart.httpGet.host; remove it so that the hook targets the pod itself`, "field": "spec.containers[0].lifecycle.postStart.httpGet.host"},
		{"msg": `container "app" must not set lifecycle.preStop.tcpSocket.host; remove it so that the hook targets the pod itself`, "field": "spec.containers[0].lifecycle.preStop.tcpSocket.host"},
	}
}

test_fail_init_container_only if {
	got := host_probes.deny with input as t.cronjob({
		"initContainers": [{"name": "setup", "image": "busybox", "startupProbe": {"tcpSocket": {"host": "db", "port": 5432}}}],
		"containers": [{"name": "job", "image": "job"}],
	})
	got == {{"msg": `init container "setup" must not set startupProbe.tcpSocket.host; remove it so that the probe targets the pod itself`, "field": "spec.jobTemplate.spec.template.spec.initContainers[0].startupProbe.tcpSocket.host"}}
}

test_success_empty_or_unset_host if {
	got := host_probes.deny with input as t.deployment({"containers": [{
		"name": "app", "image": "nginx",
		"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
		"readinessProbe": {"tcpSocket": {"host": "", "port": 8080}},
		"startupProbe": {"exec": {"command": ["true"]}},
		"lifecycle": {"preStop": {"httpGet": {"host": null, "port": 8080}}},
	}]})
	got == set()
}
