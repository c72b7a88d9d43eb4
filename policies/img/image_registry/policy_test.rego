package img.image_registry_test

import data.img.image_registry
import data.lib.review_test as t

_params := {"awsAccountIds": ["123456789012"]}

_input(spec) := object.union(t.pod(spec), {"params": _params})

test_fail_look_alike_registries if {
	got := image_registry.deny with input as _input({
		"initContainers": [{"name": "setup", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x:1"}],
		"containers": [{"name": "app", "image": "public.ecr.aws.evil.io/nginx:1.27"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox"}],
	})
	allowed := "public.ecr.aws, 123456789012.dkr.ecr.<region>.amazonaws.com (or dkr-ecr.<region>.on.aws)"
	got == {
		{"msg": sprintf(`init container "setup" image "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x:1" (123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x) is not from an approved registry; pull it from %s`, [allowed]), "field": "spec.initContainers[0].image"},
		{"msg": sprintf(`container "app" image "public.ecr.aws.evil.io/nginx:1.27" (public.ecr.aws.evil.io/nginx) is not from an approved registry; pull it from %s`, [allowed]), "field": "spec.containers[0].image"},
		{"msg": sprintf(`ephemeral container "debug" image "busybox" (docker.io/library/busybox) is not from an approved registry; pull it from %s`, [allowed]), "field": "spec.ephemeralContainers[0].image"},
	}
}

test_fail_default_parameters_refuse_private_ecr if {
	got := image_registry.deny with input as t.deployment({"containers": [{"name": "app", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}]})
	got == {{"msg": `container "app" image "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1" (123456789012.dkr.ecr.us-east-1.amazonaws.com/app) is not from an approved registry; pull it from public.ecr.aws`, "field": "spec.template.spec.containers[0].image"}}
}

test_success_approved_registries if {
	got := image_registry.deny with input as _input({
		"initContainers": [{"name": "setup", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/setup@sha256:abc"}],
		"containers": [{"name": "app", "image": "Public.ECR.aws/nginx/nginx:1.27"}],
	})
	got == set()
}

test_success_configured_docker_hub_namespace if {
	got := image_registry.deny with input as object.union(t.pod({"containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "side", "image": "index.docker.io/library/envoy"}]}), {"params": {"allowedRegistries": ["docker.io/library"]}})
	got == set()
}

# Image volumes (GA in 1.36) pull images like containers do.
test_fail_image_volume_from_another_registry if {
	got := image_registry.deny with input as _input({
		"containers": [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27"}],
		"volumes": [
			{"name": "models", "image": {"reference": "ghcr.io/evil/models:1", "pullPolicy": "IfNotPresent"}},
			{"name": "ok", "image": {"reference": "123456789012.dkr.ecr.us-east-1.amazonaws.com/models:2"}},
			{"name": "scratch", "emptyDir": {}},
		],
	})
	got == {{"msg": `volume "models" image "ghcr.io/evil/models:1" (ghcr.io/evil/models) is not from an approved registry; pull it from public.ecr.aws, 123456789012.dkr.ecr.<region>.amazonaws.com (or dkr-ecr.<region>.on.aws)`, "field": "spec.volumes[0].image.reference"}}
}
