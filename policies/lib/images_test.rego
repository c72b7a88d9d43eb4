package lib.images_test

import data.lib.images

test_success_name_normalisation if {
	cases := {
		"nginx": "docker.io/library/nginx",
		"nginx:1.27": "docker.io/library/nginx",
		"library/nginx@sha256:abc": "docker.io/library/nginx",
		"bitnami/redis:7": "docker.io/bitnami/redis",
		"docker.io/nginx": "docker.io/library/nginx",
		"index.docker.io/library/nginx:latest": "docker.io/library/nginx",
		"Docker.IO/bitnami/redis": "docker.io/bitnami/redis",
		"localhost/app": "localhost/app",
		"localhost:5000/team/app:2": "localhost:5000/team/app",
		"Registry.Example.com:5000/team/app:1.0@sha256:abc": "registry.example.com:5000/team/app",
		"public.ecr.aws/nginx/nginx:1.27": "public.ecr.aws/nginx/nginx",
		"a:b:c": "docker.io/library/a:b:c",
	}
	every image, want in cases {
		images.name(image) == want
	}
}

_params := {"params": {"allowedRegistries": ["public.ecr.aws", "Registry.Example.com:5000/Team/", "index.docker.io/library"], "awsAccountIds": ["123456789012", "012345678901"]}}

test_success_approved if {
	every image in [
		"public.ecr.aws/nginx/nginx:1.27",
		"PUBLIC.ECR.AWS/nginx/nginx:1.27",
		"public.ecr.aws/x@sha256:abc",
		"registry.example.com:5000/team/app:1",
		"Registry.Example.COM:5000/team/app:1",
		"nginx:1.27",
		"docker.io/library/redis",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1",
		"012345678901.dkr.ecr.eu-west-1.amazonaws.com/app:1",
		"123456789012.DKR.ECR.us-east-1.amazonaws.com/app:1",
		"123456789012.dkr-ecr.us-east-1.on.aws/app:1",
		"123456789012.dkr-ecr-fips.us-gov-west-1.on.aws/app:1",
		"123456789012.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn/app:1",
	] {
		images.approved(image) with input as _params
	}
}

test_fail_refused_look_alikes if {
	every image in [
		"public.ecr.aws.evil.io/nginx:1",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/x",
		"evil.io/public.ecr.aws/x",
		"public.ecr.awsx/nginx",
		"registry.example.com/Team/app",
		"registry.example.com:5000/TeamX/app",
		"registry.example.com:5000/teamx/app",
		"registry.example.com:5000/Team/app",
		"999999999999.dkr.ecr.us-east-1.amazonaws.com/app",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com.cn.evil/app",
		"bitnami/redis",
		"ghcr.io/library/nginx",
		"999999999999.dkr-ecr.us-east-1.on.aws/app",
		"123456789012.dkr-ecr.us-east-1.on.aws.evil.io/app",
		"123456789012.dkr-ecr.us-east-1.on.awsx/app",
	] {
		not images.approved(image) with input as _params
	}
}

test_success_default_approves_public_ecr_only if {
	images.approved("public.ecr.aws/eks-distro/kubernetes/pause:3.9") with input as {"params": {}}
	not images.approved("123456789012.dkr.ecr.us-east-1.amazonaws.com/app") with input as {"params": {}}
	images.approved_text == "public.ecr.aws" with input as {"params": {}}
}

test_fail_nothing_approved if {
	not images.approved("public.ecr.aws/x") with input as {"params": {"allowedRegistries": []}}
	images.approved_text == "no registry is approved; set the allowedRegistries or awsAccountIds parameter" with input as {"params": {"allowedRegistries": []}}
}

test_success_approved_as_written_is_the_fast_path if {
	got := images.approved_as_written with input as object.union(_params, {"request": {"kind": {"kind": "Pod"}, "object": {"spec": {"containers": [
		{"name": "a", "image": "public.ecr.aws/nginx/nginx:1.27"},
		{"name": "b", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"},
		{"name": "c", "image": "nginx:1.27"},
		{"name": "d", "image": "PUBLIC.ECR.AWS/nginx/nginx:1.27"},
		{"name": "e", "image": "public.ecr.aws.evil.io/x"},
	]}}}})
	got == {"public.ecr.aws/nginx/nginx:1.27", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}
}
