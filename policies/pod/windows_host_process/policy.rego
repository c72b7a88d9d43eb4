# METADATA
# title: Windows HostProcess containers
# description: |
#   Windows HostProcess containers run directly on the host with full access and must be
#   disallowed (Pod Security Standards, baseline: securityContext.windowsOptions.hostProcess
#   unset or false on the pod and on every container).
# custom:
#   id: POD-006
#   severity: critical
#   controls: [CC6.1, CC6.8]
#   groups: [pod-security, pss-baseline, pss-restricted]
#   action: deny
#   kinds: [pod-bearing]
#   triggers: ['"hostProcess"']
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - k8s.io/pod-security-admission/policy/check_windowsHostProcess.go
package pod.windows_host_process

import data.lib.pss

deny contains {"msg": msg, "field": field} if {
	some s in pss.contexts
	s.context.windowsOptions.hostProcess == true
	msg := sprintf("%s must not set securityContext.windowsOptions.hostProcess=true", [pss.describe(s)])
	field := pss.field(s, "windowsOptions.hostProcess")
}
