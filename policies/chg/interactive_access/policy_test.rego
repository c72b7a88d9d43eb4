package chg.interactive_access_test

import data.chg.interactive_access
import data.lib.review_test as t

_connect(subresource, kind, options) := t.connect("shop", "web-1", subresource, kind, options)

_pod(ephemeral) := {"metadata": {"name": "web-1", "namespace": "shop"}, "spec": {"containers": [{"name": "app"}], "ephemeralContainers": ephemeral}}

_debug(old, new) := t.subresource(t.update("Pod", _pod(old), _pod(new)), "", "pods", "ephemeralcontainers")

test_fail_exec_names_container_never_command if {
	got := interactive_access.deny with input as _connect("exec", "PodExecOptions", {"container": "app", "command": ["cat", "/etc/secret"], "stdin": true, "tty": true})
	got == {{"msg": `exec into pod "web-1" (container "app") is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception`, "field": ""}}
}

test_fail_attach_and_port_forward if {
	attach := interactive_access.deny with input as _connect("attach", "PodAttachOptions", {"stdin": true})
	attach == {{"msg": `attach to pod "web-1" is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception`, "field": ""}}
	forward := interactive_access.deny with input as _connect("portforward", "PodPortForwardOptions", {"ports": [5432]})
	forward == {{"msg": `port-forward to pod "web-1" is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception`, "field": ""}}
}

test_fail_debug_container_added if {
	got := interactive_access.deny with input as _debug([{"name": "debugger-1"}], [{"name": "debugger-1"}, {"name": "debugger-2"}])
	got == {{"msg": `adding ephemeral container "debugger-2" to pod "web-1" is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception`, "field": "spec.ephemeralContainers[1]"}}
}

test_success_no_new_ephemeral_container if {
	interactive_access.deny == set() with input as _debug([{"name": "debugger-1"}], [{"name": "debugger-1"}])
}

test_success_other_pod_requests if {
	update := object.union(_debug([], [{"name": "x"}]), {"request": {"subResource": ""}})
	interactive_access.deny == set() with input as update
	proxy := _connect("proxy", "PodProxyOptions", {})
	interactive_access.deny == set() with input as proxy
}
