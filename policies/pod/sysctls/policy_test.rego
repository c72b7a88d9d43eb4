package pod.sysctls_test

import data.lib.review_test as t
import data.pod.sysctls

_allowed := "kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports, net.ipv4.ip_unprivileged_port_start, net.ipv4.ping_group_range, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_notsent_lowat, net.ipv4.tcp_rmem, net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_syncookies, net.ipv4.tcp_wmem"

test_fail_unsafe_sysctls if {
	got := sysctls.deny with input as t.pod({
		"securityContext": {"sysctls": [
			{"name": "net.ipv4.tcp_syncookies", "value": "1"},
			{"name": "kernel.msgmax", "value": "65536"},
			{"name": "net.ipv4.ip_forward", "value": "1"},
		]},
		"containers": [{"name": "app", "image": "nginx"}],
	})
	got == {
		{"msg": sprintf(`pod must not set sysctl "kernel.msgmax" in securityContext.sysctls; only the safe sysctls are allowed: %s`, [_allowed]), "field": "spec.securityContext.sysctls[1].name"},
		{"msg": sprintf(`pod must not set sysctl "net.ipv4.ip_forward" in securityContext.sysctls; only the safe sysctls are allowed: %s`, [_allowed]), "field": "spec.securityContext.sysctls[2].name"},
	}
}

test_success_every_safe_sysctl_of_the_latest_release if {
	names := [
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
		"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
	]
	got := sysctls.deny with input as t.deployment({"securityContext": {"sysctls": [{"name": n, "value": "1"} | some n in names]}, "containers": [{"name": "app", "image": "nginx"}]})
	got == set()
}
