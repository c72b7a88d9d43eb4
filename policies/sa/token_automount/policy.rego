# METADATA
# title: API tokens are mounted only where API access is justified
# description: |
#   A pod gets its ServiceAccount's API token when automountServiceAccountToken is true on the
#   pod, or unset on the pod and not false on the ServiceAccount. That effective setting must
#   be false unless API access is justified with a non-empty annotation (parameter
#   apiAccessAnnotation, default govhook.io/api-access) on the ServiceAccount or on the pod.
#   Each half is judged where it is written: a ServiceAccount that does not turn automount off
#   needs the annotation on itself (the namespace's "default" ServiceAccount is left to
#   SA-001, which keeps workloads off it); a pod-bearing object that sets automount to true
#   overrides its ServiceAccount and needs the annotation on its own pod metadata or on the
#   ServiceAccount it runs as. The ServiceAccount is read from the webhook's cache, the
#   manifests given to `govhook test`, or the cluster in `govhook audit`; when it is not known,
#   only the pod's annotation counts. Objects a pod-bearing controller makes are judged
#   through its template (lib/serviceaccounts.rego). A pod that leaves automount unset
#   inherits a ServiceAccount that was judged when it was admitted; accounts that predate
#   govhook are covered by the audit scan, not here.
#   UPDATE: only violations the object did not have before are judged on metadata-only updates
#   and on every Pod update (lib/update.rego).
# custom:
#   id: SA-002
#   severity: low
#   controls: [CC6.1, CC6.3]
#   groups: [least-privilege, service-accounts]
#   action: warn
#   rationale: |
#     A mounted API token is a credential for the cluster in every pod's file system; most
#     workloads never call the API.
#   remediation: |
#     Set automountServiceAccountToken: false on the ServiceAccount (or the pod), or justify API
#     access with the annotation of parameters.apiAccessAnnotation (default govhook.io/api-access)
#     on the ServiceAccount or pod.
#   parameters: [apiAccessAnnotation, controllerUsernames]
#   kinds: [ServiceAccount, pod-bearing]
#   references:
#     - CIS EKS Benchmark 4.1.6
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
package sa.token_automount

import data.lib.params
import data.lib.pods
import data.lib.serviceaccounts
import data.lib.update

# deny and warn split _violations as lib/update.rego says: on an update judged only for new
# violations, those the object already had (_before) are warned about, not refused.
deny := update.new_violations(_violations, _before)

warn := update.carried_violations(_violations, _before)

_before := before if {
	update.only_new_violations
	count(_violations) > 0
	before := _violations with input.request.object as input.request.oldObject
}

default _before := set()

_violations contains {"msg": msg, "field": "automountServiceAccountToken"} if {
	input.request.kind.kind == "ServiceAccount"
	account := input.request.object
	account.metadata.name != "default"
	not account.automountServiceAccountToken == false
	not _justified(account.metadata)
	msg := sprintf("ServiceAccount %q mounts its API token into every pod that runs as it: set automountServiceAccountToken: false, or justify API access in annotation %q", [account.metadata.name, params.api_access_annotation])
}

_violations contains {"msg": msg, "field": serviceaccounts.automount_field} if {
	serviceaccounts.spec.automountServiceAccountToken == true
	not _pod_justified
	msg := sprintf("%s sets %s: true: justify API access in annotation %q on %s or on ServiceAccount %q, or remove the setting", [serviceaccounts.describe, serviceaccounts.automount_field, params.api_access_annotation, pods.metadata_path, serviceaccounts.name])
}

_pod_justified if _justified(pods.metadata)

_pod_justified if _justified(serviceaccounts.account)

_justified(holder) if trim_space(holder.annotations[params.api_access_annotation]) != ""
