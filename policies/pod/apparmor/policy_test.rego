package pod.apparmor_test

import data.lib.review_test as t
import data.pod.apparmor

test_fail_unconfined_profile_at_pod_and_container if {
	got := apparmor.deny with input as t.pod({
		"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": {"appArmorProfile": {}}}],
	})
	got == {
		{"msg": `pod must not set securityContext.appArmorProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.securityContext.appArmorProfile.type"},
		{"msg": `container "app" must not set securityContext.appArmorProfile.type to "Unconfined"; use RuntimeDefault or Localhost`, "field": "spec.containers[0].securityContext.appArmorProfile.type"},
		{"msg": `ephemeral container "debug" must not set securityContext.appArmorProfile.type to ""; use RuntimeDefault or Localhost`, "field": "spec.ephemeralContainers[0].securityContext.appArmorProfile.type"},
	}
}

test_fail_legacy_annotation if {
	got := apparmor.deny with input as t.pod_with(
		{"name": "web", "annotations": {
			"container.apparmor.security.beta.kubernetes.io/app": "unconfined",
			"container.apparmor.security.beta.kubernetes.io/sidecar": "localhost/custom",
			"container.apparmor.security.beta.kubernetes.io/init": "runtime/default",
			"container.apparmor.security.beta.kubernetes.io/other": "",
		}},
		{"containers": [{"name": "app", "image": "nginx"}]},
	)
	got == {{
		"msg": `pod annotation "container.apparmor.security.beta.kubernetes.io/app" must not be "unconfined"; use runtime/default or localhost/<profile>, or better securityContext.appArmorProfile`,
		"field": `metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`,
	}}
}

test_fail_annotation_on_deployment_template if {
	got := apparmor.deny with input as t.create("Deployment", {"metadata": {"name": "web"}, "spec": {"template": {
		"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "docker/default"}},
		"spec": {"containers": [{"name": "app", "image": "nginx"}]},
	}}})
	got == {{
		"msg": `pod annotation "container.apparmor.security.beta.kubernetes.io/app" must not be "docker/default"; use runtime/default or localhost/<profile>, or better securityContext.appArmorProfile`,
		"field": `spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`,
	}}
}

test_success_runtime_default_and_localhost if {
	got := apparmor.deny with input as t.pod({
		"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
		"containers": [{"name": "app", "image": "nginx", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}}}],
		"initContainers": [{"name": "setup", "image": "busybox", "securityContext": {"appArmorProfile": null}}],
	})
	got == set()
}
