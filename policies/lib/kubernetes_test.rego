package lib.kubernetes_test

import data.lib.kubernetes

_service(ns, name, labels) := {"request": {
	"kind": {"kind": "Service"}, "namespace": ns, "name": name,
	"object": {"metadata": {"name": name, "namespace": ns, "labels": labels}},
}}

test_success_apiserver_service_is_recognised if {
	kubernetes.apiserver_service with input as _service("default", "kubernetes", {"provider": "kubernetes", "component": "apiserver"})
}

test_fail_lookalikes_are_not_recognised if {
	not kubernetes.apiserver_service with input as _service("shop", "kubernetes", {"provider": "kubernetes", "component": "apiserver"})
	not kubernetes.apiserver_service with input as _service("default", "kubernetes", {})
	not kubernetes.apiserver_service with input as _service("default", "api", {"provider": "kubernetes", "component": "apiserver"})
}
