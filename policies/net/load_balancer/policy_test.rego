package net.load_balancer_test

import data.net.load_balancer

_service(annotations, spec) := {"request": {
	"operation": "CREATE",
	"kind": {"group": "", "version": "v1", "kind": "Service"},
	"object": {"metadata": {"name": "api", "annotations": annotations}, "spec": object.union({"type": "LoadBalancer"}, spec)},
}}

_scheme := "service.beta.kubernetes.io/aws-load-balancer-scheme"

_cert := "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"

_public := {_scheme: "internet-facing", _cert: "arn:aws:acm:us-east-1:123456789012:certificate/abc"}

test_fail_no_scheme if {
	got := load_balancer.deny with input as _service({}, {})
	got == {{"msg": `LoadBalancer Service "api" must set annotation "service.beta.kubernetes.io/aws-load-balancer-scheme" to internal or internet-facing`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`}}
}

test_fail_unknown_scheme if {
	got := load_balancer.deny with input as _service({_scheme: "public"}, {})
	got == {{"msg": `LoadBalancer Service "api" annotation "service.beta.kubernetes.io/aws-load-balancer-scheme" must be internal or internet-facing, not "public"`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`}}
}

test_fail_internet_facing_without_ranges_or_tls if {
	got := load_balancer.deny with input as _service({_scheme: "internet-facing"}, {})
	got == {
		{"msg": `internet-facing Service "api" must list the networks allowed to reach it in spec.loadBalancerSourceRanges, or carry annotation "govhook.io/internet-exposure-approval" naming the approval of an open exposure`, "field": "spec.loadBalancerSourceRanges"},
		{"msg": `internet-facing Service "api" must terminate TLS: set annotation "service.beta.kubernetes.io/aws-load-balancer-ssl-cert" to its certificate's ARN`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]`},
	}
}

test_fail_whole_internet_ranges if {
	got := load_balancer.deny with input as _service(_public, {"loadBalancerSourceRanges": ["203.0.113.0/24", "0.0.0.0/0", "::/0"]})
	got == {
		{"msg": `internet-facing Service "api" must not allow 0.0.0.0/0 (the whole internet) in its source ranges without annotation "govhook.io/internet-exposure-approval" naming the approval`, "field": "spec.loadBalancerSourceRanges"},
		{"msg": `internet-facing Service "api" must not allow ::/0 (the whole internet) in its source ranges without annotation "govhook.io/internet-exposure-approval" naming the approval`, "field": "spec.loadBalancerSourceRanges"},
	}
}

test_fail_whole_internet_in_annotation if {
	annotations := object.union(_public, {"service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8, 0.0.0.0/00"})
	got := load_balancer.deny with input as _service(annotations, {})
	got == {{"msg": `internet-facing Service "api" must not allow 0.0.0.0/00 (the whole internet) in its source ranges without annotation "govhook.io/internet-exposure-approval" naming the approval`, "field": "spec.loadBalancerSourceRanges"}}
}

test_success_internal if {
	load_balancer.deny == set() with input as _service({_scheme: "internal"}, {})
}

test_success_internet_facing_restricted_with_tls if {
	load_balancer.deny == set() with input as _service(_public, {"loadBalancerSourceRanges": ["203.0.113.0/24"]})
}

test_success_open_exposure_approved if {
	annotations := object.union(_public, {"govhook.io/internet-exposure-approval": "SEC-481"})
	load_balancer.deny == set() with input as _service(annotations, {"loadBalancerSourceRanges": ["0.0.0.0/0"]})
	load_balancer.deny == set() with input as _service(annotations, {})
}

test_success_other_service_types_and_delete if {
	load_balancer.deny == set() with input as _service({}, {"type": "ClusterIP"})
	load_balancer.deny == set() with input as {"request": {"operation": "DELETE", "kind": {"kind": "Service"}, "name": "api", "object": null}}
}
