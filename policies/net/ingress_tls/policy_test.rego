package net.ingress_tls_test

import data.lib.review_test as t
import data.net.ingress_tls

_ingress(annotations, spec) := t.create("Ingress", {"metadata": {"name": "web", "namespace": "shop", "annotations": annotations}, "spec": spec})

_rules(hosts) := [{"host": h, "http": {"paths": [{"path": "/", "pathType": "Prefix"}]}} | some h in hosts]

_arn := "arn:aws:acm:us-east-1:123456789012:certificate/abc"

_alb(annotations) := object.union({"alb.ingress.kubernetes.io/scheme": "internet-facing"}, annotations)

test_fail_host_without_tls if {
	spec := {"ingressClassName": "nginx", "rules": _rules(["a.example.com", "b.example.com", "x.y.example.com"]), "tls": [{"hosts": ["a.example.com", "*.example.com"], "secretName": "web-tls"}]}
	got := ingress_tls.deny with input as _ingress({}, spec)
	got == {{"msg": `Ingress "web" must list host "x.y.example.com" under spec.tls so that it is served over HTTPS`, "field": "spec.tls"}}
}

test_fail_no_tls_at_all if {
	got := ingress_tls.deny with input as _ingress({}, {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}})
	got == {{"msg": `Ingress "web" must terminate TLS: add spec.tls with its certificate's Secret`, "field": "spec.tls"}}
}

test_fail_alb_plain_http if {
	got := ingress_tls.deny with input as _ingress(_alb({}), {"ingressClassName": "alb", "rules": _rules(["shop.example.com"])})
	got == {
		{"msg": `ALB Ingress "web" must name its certificate in annotation "alb.ingress.kubernetes.io/certificate-arn", or list every host under spec.tls`, "field": `metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]`},
		{"msg": `ALB Ingress "web" must listen on HTTPS: annotation "alb.ingress.kubernetes.io/listen-ports" needs an HTTPS entry such as [{"HTTPS": 443}]`, "field": `metadata.annotations["alb.ingress.kubernetes.io/listen-ports"]`},
		{"msg": `ALB Ingress "web" listens on HTTP and must redirect it to HTTPS with annotation "alb.ingress.kubernetes.io/ssl-redirect" (e.g. "443")`, "field": `metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]`},
	}
}

test_fail_alb_http_and_https_without_redirect if {
	annotations := _alb({"kubernetes.io/ingress.class": "alb", "alb.ingress.kubernetes.io/certificate-arn": _arn, "alb.ingress.kubernetes.io/listen-ports": `[{"HTTP": 80}, {"HTTPS": 443}]`})
	got := ingress_tls.deny with input as _ingress(annotations, {"rules": _rules(["shop.example.com"])})
	got == {{"msg": `ALB Ingress "web" listens on HTTP and must redirect it to HTTPS with annotation "alb.ingress.kubernetes.io/ssl-redirect" (e.g. "443")`, "field": `metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]`}}
}

test_fail_alb_group_of_another_namespace if {
	every group in ["checkout", "shopping.public", "public"] {
		annotations := _alb({"alb.ingress.kubernetes.io/certificate-arn": _arn, "alb.ingress.kubernetes.io/group.name": group})
		got := ingress_tls.deny with input as _ingress(annotations, {"ingressClassName": "alb", "rules": _rules(["shop.example.com"])})
		got == {{"msg": sprintf(`Ingress "web" joins ALB group %q, which must be "shop" or start with "shop." so that no other namespace shares its load balancer`, [group]), "field": `metadata.annotations["alb.ingress.kubernetes.io/group.name"]`}}
	}
}

test_success_every_host_under_tls if {
	spec := {"ingressClassName": "nginx", "rules": _rules(["a.example.com", "b.example.com"]), "tls": [{"hosts": ["*.example.com"], "secretName": "web-tls"}]}
	ingress_tls.deny == set() with input as _ingress({}, spec)
}

test_success_alb_https_with_redirect if {
	annotations := _alb({"alb.ingress.kubernetes.io/certificate-arn": _arn, "alb.ingress.kubernetes.io/listen-ports": `[{"HTTP": 80}, {"HTTPS": 443}]`, "alb.ingress.kubernetes.io/ssl-redirect": "443", "alb.ingress.kubernetes.io/group.name": "shop.public"})
	ingress_tls.deny == set() with input as _ingress(annotations, {"ingressClassName": "alb", "rules": _rules(["shop.example.com"])})
}

test_success_alb_certificate_discovery_defaults_to_https if {
	spec := {"ingressClassName": "alb", "rules": _rules(["shop.example.com"]), "tls": [{"hosts": ["shop.example.com"]}]}
	ingress_tls.deny == set() with input as _ingress(_alb({"alb.ingress.kubernetes.io/group.name": "shop"}), spec)
}

test_success_other_kinds_and_delete if {
	ingress_tls.deny == set() with input as t.delete("Ingress", {"metadata": {"name": "web", "namespace": "shop"}})
	ingress_tls.deny == set() with input as t.create("Service", {"metadata": {"name": "web", "namespace": "shop"}})
}
