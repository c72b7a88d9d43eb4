package net.service_exposure_test

import data.lib.review_test as t
import data.net.service_exposure

_service(namespace, spec) := t.create("Service", {"metadata": {"name": "api", "namespace": namespace}, "spec": spec})

test_fail_external_ips if {
	got := service_exposure.deny with input as _service("shop", {"type": "ClusterIP", "externalIPs": ["203.0.113.7"]})
	got == {{"msg": `Service "api" must not set spec.externalIPs, which lets a Service intercept traffic to any address (CVE-2020-8554): expose it through a load balancer`, "field": "spec.externalIPs"}}
}

test_fail_node_port if {
	got := service_exposure.deny with input as _service("shop", {"type": "NodePort"})
	got == {{"msg": `Service "api" must not be of type NodePort in namespace "shop" (allowed only in: no namespace): use ClusterIP behind an Ingress or a LoadBalancer`, "field": "spec.type"}}
}

test_fail_node_port_outside_configured_namespaces if {
	review := object.union(_service("shop", {"type": "NodePort"}), {"params": {"nodePortNamespaces": ["ingress-nginx", "istio-system"]}})
	got := service_exposure.deny with input as review
	got == {{"msg": `Service "api" must not be of type NodePort in namespace "shop" (allowed only in: ingress-nginx, istio-system): use ClusterIP behind an Ingress or a LoadBalancer`, "field": "spec.type"}}
}

test_success_cluster_ip_and_load_balancer if {
	service_exposure.deny == set() with input as _service("shop", {"type": "ClusterIP"})
	service_exposure.deny == set() with input as _service("shop", {"type": "LoadBalancer", "externalIPs": []})
}

test_success_node_port_in_allowed_namespace if {
	review := object.union(_service("ingress-nginx", {"type": "NodePort"}), {"params": {"nodePortNamespaces": ["ingress-nginx"]}})
	service_exposure.deny == set() with input as review
}

test_success_delete if {
	service_exposure.deny == set() with input as t.delete("Service", {"metadata": {"name": "api", "namespace": "shop"}, "spec": {"type": "NodePort"}})
}
