package pod.volume_types_test

import data.lib.review_test as t
import data.pod.volume_types

_allowed := "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret"

test_fail_restricted_volume_types if {
	got := volume_types.deny with input as t.deployment({"containers": [{"name": "app", "image": "nginx"}], "volumes": [
		{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
		{"name": "shared", "nfs": {"server": "fs.internal", "path": "/exports"}},
		{"name": "host", "hostPath": {"path": "/etc"}},
		{"name": "src", "gitRepo": {"repository": "https://example.com/repo.git"}},
	]})
	got == {
		{"msg": sprintf(`volume "shared" must not use volume type "nfs"; the restricted profile allows only %s`, [_allowed]), "field": "spec.template.spec.volumes[1].nfs"},
		{"msg": sprintf(`volume "host" must not use volume type "hostPath"; the restricted profile allows only %s`, [_allowed]), "field": "spec.template.spec.volumes[2].hostPath"},
		{"msg": sprintf(`volume "src" must not use volume type "gitRepo"; the restricted profile allows only %s`, [_allowed]), "field": "spec.template.spec.volumes[3].gitRepo"},
	}
}

test_success_allowed_types if {
	got := volume_types.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx"}], "volumes": [
		{"name": "a", "configMap": {"name": "cm"}},
		{"name": "b", "csi": {"driver": "secrets-store.csi.k8s.io"}},
		{"name": "c", "downwardAPI": {}},
		{"name": "d", "emptyDir": {}},
		{"name": "e", "ephemeral": {}},
		{"name": "f", "image": {"reference": "models:1"}},
		{"name": "g", "persistentVolumeClaim": {"claimName": "x"}},
		{"name": "h", "projected": {"sources": []}},
		{"name": "i", "secret": {"secretName": "s"}},
		{"name": "j", "hostPath": null},
	]})
	got == set()
}

# The API server defaults a volume without a source to an emptyDir before admission.
test_success_volume_without_source if {
	got := volume_types.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx"}], "volumes": [{"name": "scratch"}]})
	got == set()
}
