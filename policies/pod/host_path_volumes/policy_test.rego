package pod.host_path_volumes_test

import data.lib.review_test as t
import data.pod.host_path_volumes

test_fail_host_path_volume if {
	got := host_path_volumes.deny with input as t.deployment({
		"containers": [{"name": "app", "image": "nginx"}],
		"volumes": [{"name": "cache", "emptyDir": {}}, {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}],
	})
	got == {{
		"msg": `volume "docker" must not use hostPath; use a persistentVolumeClaim, configMap, secret or emptyDir volume instead`,
		"field": "spec.template.spec.volumes[1].hostPath",
	}}
}

test_success_other_volumes if {
	got := host_path_volumes.deny with input as t.pod({
		"containers": [{"name": "app", "image": "nginx"}],
		"volumes": [{"name": "cache", "emptyDir": {}}, {"name": "nfs", "nfs": {"server": "x", "path": "/"}}, {"name": "legacy", "hostPath": null}],
	})
	got == set()
}
