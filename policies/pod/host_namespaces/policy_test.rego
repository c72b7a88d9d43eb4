package pod.host_namespaces_test

import data.lib.review_test as t
import data.pod.host_namespaces

_spec(extra) := object.union({"containers": [{"name": "app", "image": "nginx"}]}, extra)

test_fail_each_host_namespace if {
	got := host_namespaces.deny with input as t.pod(_spec({"hostNetwork": true, "hostPID": true, "hostIPC": true}))
	got == {
		{"msg": "pod must not set hostNetwork=true; remove it to keep the pod out of the host's namespaces", "field": "spec.hostNetwork"},
		{"msg": "pod must not set hostPID=true; remove it to keep the pod out of the host's namespaces", "field": "spec.hostPID"},
		{"msg": "pod must not set hostIPC=true; remove it to keep the pod out of the host's namespaces", "field": "spec.hostIPC"},
	}
}

test_fail_host_network_in_cronjob_template if {
	got := host_namespaces.deny with input as t.cronjob(_spec({"hostNetwork": true}))
	got == {{"msg": "pod must not set hostNetwork=true; remove it to keep the pod out of the host's namespaces", "field": "spec.jobTemplate.spec.template.spec.hostNetwork"}}
}

test_success_false_or_unset if {
	got := host_namespaces.deny with input as t.deployment(_spec({"hostNetwork": false, "hostPID": false}))
	got == set()
}
