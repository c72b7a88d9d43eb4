# METADATA
# title: Sysctls
# description: |
#   Sysctls can disable security mechanisms or affect every pod on the node; only the safe,
#   namespaced set is allowed (Pod Security Standards, baseline, Kubernetes 1.37):
#   kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_local_reserved_ports,
#   net.ipv4.ip_unprivileged_port_start, net.ipv4.ping_group_range, net.ipv4.tcp_syncookies,
#   net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
#   net.ipv4.tcp_keepalive_probes, net.ipv4.tcp_rmem, net.ipv4.tcp_wmem,
#   net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat.
# custom:
#   id: POD-011
#   severity: high
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"sysctls"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_sysctls.go
package pod.sysctls

import data.lib.pods

_safe := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.ping_group_range",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	"net.ipv4.tcp_slow_start_after_idle",
	"net.ipv4.tcp_notsent_lowat",
}

deny contains {"msg": msg, "field": field} if {
	some i, sysctl in pods.spec.securityContext.sysctls
	name := object.get(sysctl, "name", "")
	not name in _safe
	msg := sprintf("pod must not set sysctl %q in securityContext.sysctls; only the safe sysctls are allowed: %s", [name, concat(", ", sort(_safe))])
	field := sprintf("%s.securityContext.sysctls[%d].name", [pods.spec_path, i])
}
