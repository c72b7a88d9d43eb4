package net.load_balancer_test

import data.lib.review_test as t
import data.net.load_balancer

_service(annotations, spec) := t.create("Service", {"metadata": {"name": "api", "annotations": annotations}, "spec": object.union({"type": "LoadBalancer"}, spec)})

_scheme := "service.beta.kubernetes.io/aws-load-balancer-scheme"

_cert := "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"

_type := "service.beta.kubernetes.io/aws-load-balancer-type"

_internal := "service.beta.kubernetes.io/aws-load-balancer-internal"

_lbc := {_type: "external"}

_public := {_type: "external", _scheme: "internet-facing", _cert: "arn:aws:acm:us-east-1:123456789012:certificate/abc"}

_ranges_msg := `internet-facing Service "api" must list the networks allowed to reach it in spec.loadBalancerSourceRanges, or carry annotation "govhook.io/internet-exposure-approval" naming the approval of an open exposure`

_tls_msg := `internet-facing Service "api" must terminate TLS: set annotation "service.beta.kubernetes.io/aws-load-balancer-ssl-cert" to its certificate's ARN`

test_fail_no_scheme if {
	got := load_balancer.deny with input as _service(_lbc, {})
	got == {{"msg": `LoadBalancer Service "api" must set annotation "service.beta.kubernetes.io/aws-load-balancer-scheme" to internal or internet-facing`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`}}
}

test_fail_unknown_scheme if {
	got := load_balancer.deny with input as _service({"service.beta.kubernetes.io/aws-load-balancer-scheme": "public"}, {"loadBalancerClass": "service.k8s.aws/nlb"})
	got == {{"msg": `LoadBalancer Service "api" annotation "service.beta.kubernetes.io/aws-load-balancer-scheme" must be internal or internet-facing, not "public"`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`}}
}

test_fail_internet_facing_without_ranges_or_tls if {
	got := load_balancer.deny with input as _service({_type: "nlb-ip", _scheme: "internet-facing"}, {})
	got == {
		{"msg": _ranges_msg, "field": "spec.loadBalancerSourceRanges"},
		{"msg": _tls_msg, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]`},
	}
}

test_fail_whole_internet_ranges if {
	every ranges in [["0.0.0.0/0"], ["10.0.0.0/8", "::/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1", "2001:db8::/32"]] {
		got := load_balancer.deny with input as _service(_public, {"loadBalancerSourceRanges": ranges})
		count(got) == 1
	}
}

# The union of the ranges is judged, one family at a time.
test_fail_ranges_that_cover_everything_together if {
	got := load_balancer.deny with input as _service(_public, {"loadBalancerSourceRanges": ["0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"]})
	got == {
		{"msg": `internet-facing Service "api" must not allow the whole IPv4 internet (0.0.0.0/0), which 0.0.0.0/1, 128.0.0.0/1, 8000::/1, ::/1 cover together in its source ranges without annotation "govhook.io/internet-exposure-approval" naming the approval`, "field": "spec.loadBalancerSourceRanges"},
		{"msg": `internet-facing Service "api" must not allow the whole IPv6 internet (::/0), which 0.0.0.0/1, 128.0.0.0/1, 8000::/1, ::/1 cover together in its source ranges without annotation "govhook.io/internet-exposure-approval" naming the approval`, "field": "spec.loadBalancerSourceRanges"},
	}
}

test_fail_whole_internet_in_annotation if {
	annotations := object.union(_public, {"service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/1, 128.0.0.0/1"})
	got := load_balancer.deny with input as _service(annotations, {})
	count(got) == 1
}

test_fail_invalid_range if {
	got := load_balancer.deny with input as _service(_public, {"loadBalancerSourceRanges": ["office"]})
	got == {{"msg": `internet-facing Service "api" source range "office" must be a CIDR such as 203.0.113.0/24`, "field": "spec.loadBalancerSourceRanges"}}
}

# The in-tree provider ignores the scheme annotation: without aws-load-balancer-internal the
# load balancer is internet-facing.
test_fail_in_tree_scheme_internal_is_ignored if {
	got := load_balancer.deny with input as _service({_scheme: "internal"}, {})
	got == {
		{"msg": `LoadBalancer Service "api" is served by the in-tree AWS cloud provider, which ignores annotation "service.beta.kubernetes.io/aws-load-balancer-scheme" and makes it internet-facing: set annotation "service.beta.kubernetes.io/aws-load-balancer-internal" to "true", or have the AWS Load Balancer Controller serve it (spec.loadBalancerClass: service.k8s.aws/nlb)`, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]`},
		{"msg": _ranges_msg, "field": "spec.loadBalancerSourceRanges"},
		{"msg": _tls_msg, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]`},
	}
}

test_fail_in_tree_internal_false if {
	got := load_balancer.deny with input as _service({_internal: "false", _type: "nlb"}, {})
	got == {{"msg": _ranges_msg, "field": "spec.loadBalancerSourceRanges"}, {"msg": _tls_msg, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]`}}
}

test_fail_other_load_balancer_class_is_judged_internet_facing if {
	got := load_balancer.deny with input as _service({_scheme: "internal"}, {"loadBalancerClass": "example.com/metallb"})
	got == {{"msg": _ranges_msg, "field": "spec.loadBalancerSourceRanges"}, {"msg": _tls_msg, "field": `metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]`}}
}

test_success_internal if {
	every annotations in [{_type: "external", _scheme: "internal"}, {_internal: "true"}, {_internal: "0.0.0.0/0"}] {
		got := load_balancer.deny with input as _service(annotations, {})
		got == set()
	}
	got_class := load_balancer.deny with input as _service({_scheme: "internal"}, {"loadBalancerClass": "eks.amazonaws.com/nlb"})
	got_class == set()
}

test_success_internet_facing_restricted_with_tls if {
	got := load_balancer.deny with input as _service(_public, {"loadBalancerSourceRanges": ["203.0.113.0/24", "2001:db8::/32", "0.0.0.0/1"]})
	got == set()
	in_tree := load_balancer.deny with input as _service({_cert: "arn:aws:acm:us-east-1:123456789012:certificate/abc"}, {"loadBalancerSourceRanges": ["203.0.113.0/24"]})
	in_tree == set()
}

test_success_open_exposure_approved if {
	annotations := object.union(_public, {"govhook.io/internet-exposure-approval": "SEC-456"})
	got := load_balancer.deny with input as _service(annotations, {"loadBalancerSourceRanges": ["0.0.0.0/1", "128.0.0.0/1"]})
	got == set()
}

test_success_other_service_types_and_delete if {
	got := load_balancer.deny with input as _service({}, {"type": "ClusterIP"})
	got == set()
	got_delete := load_balancer.deny with input as t.delete("Service", {"metadata": {"name": "api"}, "spec": {"type": "LoadBalancer"}})
	got_delete == set()
}
