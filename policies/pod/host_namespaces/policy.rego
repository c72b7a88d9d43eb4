# METADATA
# title: Host namespaces
# description: |
#   Sharing the host's network, process or IPC namespace must be disallowed (Pod Security
#   Standards, baseline: spec.hostNetwork, spec.hostPID and spec.hostIPC unset or false).
# custom:
#   id: POD-002
#   severity: critical
#   controls: [CC6.1, CC6.6, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"hostNetwork"', '"hostPID"', '"hostIPC"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_hostNamespaces.go
#     - CIS EKS Benchmark 4.2.2, 4.2.3, 4.2.4
package pod.host_namespaces

import data.lib.pods

_namespaces := ["hostNetwork", "hostPID", "hostIPC"]

deny contains {"msg": msg, "field": field} if {
	some name in _namespaces
	pods.spec[name] == true
	msg := sprintf("pod must not set %s=true; remove it to keep the pod out of the host's namespaces", [name])
	field := concat(".", [pods.spec_path, name])
}
