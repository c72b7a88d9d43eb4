# METADATA
# title: Pod Security Standards facts shared by the container policies
# description: |
#   What several Pod Security Standards checks need, computed once per request: the pod's
#   and each container's securityContext as one set (the reference implementation checks
#   most fields at both levels), whether the pod is a Windows pod (some restricted checks
#   exempt it) and whether it runs in a user namespace (some checks relax for it), and the
#   allowed values of the latest Kubernetes release (k8s.io/pod-security-admission v0.37.2,
#   policy/check_*.go).
package lib.pss

import data.lib.pods

# windows holds for pods with spec.os.name "windows"; the restricted checks of privilege
# escalation, capabilities and seccomp exempt them (the API forbids those fields there).
windows if pods.spec.os.name == "windows"

# user_namespace holds for pods with hostUsers: false; runAsNonRoot, runAsUser and the
# baseline /proc mount check relax for them.
user_namespace if pods.spec.hostUsers == false

# contexts holds every securityContext the pod sets: the pod's own ({"pod": true}) and each
# container's ({"pod": false, "container": c} with c from pods.containers).
contexts contains {"pod": true, "context": pods.spec.securityContext} if is_object(pods.spec.securityContext)

contexts contains {"pod": false, "container": c, "context": c.container.securityContext} if {
	some c in pods.containers
	is_object(c.container.securityContext)
}

# describe names the owner of a context for a message: `pod` or `container "app"`.
describe(s) := "pod" if s.pod

else := pods.describe(s.container)

# field is the path of a securityContext field of a context, for violations:
# field(s, "runAsUser") = "spec.template.spec.securityContext.runAsUser" for the pod.
field(s, suffix) := sprintf("%s.securityContext.%s", [pods.spec_path, suffix]) if s.pod

else := pods.field(s.container, concat(".", ["securityContext", suffix]))

# seccomp_types are the seccompProfile types both profiles accept.
seccomp_types := {"RuntimeDefault", "Localhost"}

# valid_seccomp holds for a seccompProfile whose type is RuntimeDefault or Localhost. The
# reference does not look at localhostProfile (the API requires it for Localhost).
valid_seccomp(profile) if profile.type in seccomp_types

# proc_mount_unmasked holds for a container whose securityContext.procMount is set to
# anything but "Default" (absent and null mean the default).
proc_mount_unmasked(container) if {
	mount := container.securityContext.procMount
	is_string(mount)
	mount != "Default"
}

# baseline_capabilities may be added under the baseline profile (the runtime's defaults).
baseline_capabilities := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# capability_hint completes a message about a capability outside allowed: when it is an
# allowed one misspelled (a CAP_ prefix, lower case) it says how to write it, else otherwise.
capability_hint(capability, allowed, otherwise) := sprintf("; capability names are upper case without the CAP_ prefix: write %q", [name]) if {
	is_string(capability)
	name := trim_prefix(upper(capability), "CAP_")
	name in allowed
} else := otherwise
