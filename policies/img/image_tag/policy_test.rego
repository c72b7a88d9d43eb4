package img.image_tag_test

import data.img.image_tag
import data.lib.review_test as t

_prod(spec) := object.union(t.deployment(spec), {"namespace": {"name": "shop", "labels": {"environment": "prod"}}})

_dev(review) := object.union(review, {"namespace": {"name": "dev", "labels": {"environment": "dev"}}})

test_fail_latest_or_no_tag if {
	got := image_tag.deny with input as _dev(t.pod({
		"initContainers": [{"name": "setup", "image": "busybox"}],
		"containers": [{"name": "app", "image": "nginx:latest"}, {"name": "side", "image": "localhost:5000/envoy"}, {"name": "ok", "image": "nginx:1.27"}],
	}))
	got == {
		{"msg": `init container "setup" image "busybox" must name a version tag (not latest) or be pinned by digest`, "field": "spec.initContainers[0].image"},
		{"msg": `container "app" image "nginx:latest" must name a version tag (not latest) or be pinned by digest`, "field": "spec.containers[0].image"},
		{"msg": `container "side" image "localhost:5000/envoy" must name a version tag (not latest) or be pinned by digest`, "field": "spec.containers[1].image"},
	}
}

test_fail_prod_requires_digest if {
	got := image_tag.deny with input as _prod({
		"containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "pinned", "image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox:latest@sha256:abc"}],
	})
	got == {
		{"msg": `container "app" image "nginx:1.27" must be pinned by digest (image@sha256:<digest>) in production namespace "shop"`, "field": "spec.template.spec.containers[0].image"},
		{"msg": `ephemeral container "debug" image "busybox:latest@sha256:abc" must be pinned by digest (image@sha256:<digest>) in production namespace "shop"`, "field": "spec.template.spec.ephemeralContainers[0].image"},
	}
}

test_fail_prod_label_key_from_parameters if {
	got := image_tag.deny with input as object.union(t.pod({"containers": [{"name": "app", "image": "nginx:1.27"}]}), {
		"namespace": {"name": "payments", "labels": {"stage": "prod", "environment": "dev"}},
		"params": {"environmentLabel": "stage"},
	})
	got == {{"msg": `container "app" image "nginx:1.27" must be pinned by digest (image@sha256:<digest>) in production namespace "payments"`, "field": "spec.containers[0].image"}}
}

# Like tiering, an unknown namespace is judged as production (fail closed).
test_fail_unknown_namespace_requires_digest if {
	got := image_tag.deny with input as t.pod({"containers": [{"name": "app", "image": "nginx:1.27"}]})
	got == {{"msg": `container "app" image "nginx:1.27" must be pinned by digest (image@sha256:<digest>) in a production namespace (the namespace is unknown, so it is judged as production)`, "field": "spec.containers[0].image"}}
}

test_success_tags_outside_prod if {
	got := image_tag.deny with input as object.union(t.pod({"containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "pinned", "image": "nginx:latest@sha256:abc"}]}), {"namespace": {"name": "dev", "labels": {"environment": "dev"}}})
	got == set()
}

test_success_digests_in_prod if {
	got := image_tag.deny with input as _prod({"containers": [{"name": "app", "image": "registry.example.com:5000/app:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]})
	got == set()
}

test_success_tag_forms if {
	got := image_tag.deny with input as _dev(t.pod({"containers": [
		{"name": "a", "image": "nginx:1.27"},
		{"name": "b", "image": "localhost:5000/app:2"},
		{"name": "c", "image": "nginx:latest@sha256:abc"},
		{"name": "d", "image": "host:5000"},
		{"name": "e", "image": "nginx@sha256:abc"},
	]}))
	got == set()
}

test_fail_sha_like_but_not_a_digest_in_prod if {
	got := image_tag.deny with input as _prod({"containers": [{"name": "app", "image": "nginx:sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]})
	count(got) == 1
}

test_fail_image_volumes if {
	volumes := [{"name": "models", "image": {"reference": "public.ecr.aws/team/models"}}, {"name": "tagged", "image": {"reference": "public.ecr.aws/team/models:2"}}]
	got_dev := image_tag.deny with input as _dev(t.pod({"containers": [{"name": "app", "image": "nginx:1.27"}], "volumes": volumes}))
	got_dev == {{"msg": `volume "models" image "public.ecr.aws/team/models" must name a version tag (not latest) or be pinned by digest`, "field": "spec.volumes[0].image.reference"}}
	got_prod := image_tag.deny with input as _prod({"containers": [{"name": "app", "image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}], "volumes": volumes})
	got_prod == {
		{"msg": `volume "models" image "public.ecr.aws/team/models" must be pinned by digest (image@sha256:<digest>) in production namespace "shop"`, "field": "spec.template.spec.volumes[0].image.reference"},
		{"msg": `volume "tagged" image "public.ecr.aws/team/models:2" must be pinned by digest (image@sha256:<digest>) in production namespace "shop"`, "field": "spec.template.spec.volumes[1].image.reference"},
	}
}
