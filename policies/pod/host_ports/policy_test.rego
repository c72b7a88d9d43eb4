package pod.host_ports_test

import data.lib.review_test as t
import data.pod.host_ports

test_fail_host_port_in_init_container_only if {
	got := host_ports.deny with input as t.pod({
		"initContainers": [{"name": "setup", "image": "busybox", "ports": [{"containerPort": 53}, {"containerPort": 80, "hostPort": 8080}]}],
		"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80}]}],
	})
	got == {{
		"msg": `init container "setup" must not set ports[1].hostPort=8080; remove hostPort and expose the port through a Service`,
		"field": "spec.initContainers[0].ports[1].hostPort",
	}}
}

test_fail_host_port_in_ephemeral_container if {
	got := host_ports.deny with input as t.pod({
		"containers": [{"name": "app", "image": "nginx"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox", "ports": [{"containerPort": 9090, "hostPort": 9090}]}],
	})
	got == {{
		"msg": `ephemeral container "debug" must not set ports[0].hostPort=9090; remove hostPort and expose the port through a Service`,
		"field": "spec.ephemeralContainers[0].ports[0].hostPort",
	}}
}

test_success_host_port_zero_null_or_unset if {
	got := host_ports.deny with input as t.deployment({"containers": [{"name": "app", "image": "nginx", "ports": [
		{"containerPort": 80, "hostPort": 0},
		{"containerPort": 81, "hostPort": null},
		{"containerPort": 82},
	]}]})
	got == set()
}
