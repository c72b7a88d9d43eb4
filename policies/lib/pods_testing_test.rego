# Helpers for the container policies' Rego tests: admission inputs around a pod spec.
package lib.pods_testing

# review is the input for creating object of kind.
review(kind, object) := {"request": {
	"operation": "CREATE",
	"kind": {"group": "", "version": "v1", "kind": kind},
	"object": object,
}}

# pod is the input for creating a Pod with spec.
pod(spec) := review("Pod", {"metadata": {"name": "web"}, "spec": spec})

# pod_with is pod with metadata (annotations and the like).
pod_with(metadata, spec) := review("Pod", {"metadata": metadata, "spec": spec})

# deployment is the input for creating a Deployment templating spec.
deployment(spec) := review("Deployment", {"metadata": {"name": "web"}, "spec": {"template": {"metadata": {}, "spec": spec}}})

# cronjob is the input for creating a CronJob templating spec.
cronjob(spec) := review("CronJob", {"metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}})

# containers is a pod spec with one container of each type, all with securityContext sc.
containers(sc) := {
	"initContainers": [{"name": "setup", "image": "busybox", "securityContext": sc}],
	"containers": [{"name": "app", "image": "nginx", "securityContext": sc}],
	"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": sc}],
}

# restricted is a container context that meets the restricted profile.
restricted := {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
