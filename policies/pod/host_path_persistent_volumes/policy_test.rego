package pod.host_path_persistent_volumes_test

import data.lib.review_test as review
import data.pod.host_path_persistent_volumes

_pv(spec) := {"metadata": {"name": "data"}, "spec": object.union({"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}, spec)}

test_fail_host_path_persistent_volume if {
	got := host_path_persistent_volumes.deny with input as review.create("PersistentVolume", _pv({"hostPath": {"path": "/", "type": "Directory"}}))
	got == {{"msg": `PersistentVolume "data" must not use hostPath (path "/"): any pod that claims it gets the node's file system, which POD-004 refuses in pods; use a storage class backed by a CSI driver, or a local volume on a dedicated disk`, "field": "spec.hostPath"}}
	got_update := host_path_persistent_volumes.deny with input as review.update("PersistentVolume", _pv({"nfs": {"server": "nfs", "path": "/x"}}), _pv({"hostPath": {"path": "/var/lib/kubelet"}}))
	count(got_update) == 1
}

test_success_other_volume_sources if {
	every spec in [
		{"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0123"}},
		{"local": {"path": "/mnt/disks/ssd1"}, "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}]}}},
		{"hostPath": null, "csi": {"driver": "efs.csi.aws.com", "volumeHandle": "fs-1"}},
	] {
		got := host_path_persistent_volumes.deny with input as review.create("PersistentVolume", _pv(spec))
		got == set()
	}
	old := _pv({"hostPath": {"path": "/data"}})
	bound := json.patch(old, [{"op": "add", "path": "/spec/claimRef", "value": {"namespace": "shop", "name": "data"}}])
	got_bound := host_path_persistent_volumes.deny with input as review.update("PersistentVolume", old, bound)
	got_bound == set()
	got_delete := host_path_persistent_volumes.deny with input as review.delete("PersistentVolume", _pv({"hostPath": {"path": "/"}}))
	got_delete == set()
}
