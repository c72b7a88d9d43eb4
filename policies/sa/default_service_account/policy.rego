# METADATA
# title: Workloads do not run as the default ServiceAccount with a token
# description: |
#   A pod-bearing object must name a dedicated ServiceAccount (an empty or null
#   serviceAccountName means "default") unless its pod does not get the account's token: the
#   pod sets automountServiceAccountToken: false, or leaves it unset in a namespace whose
#   "default" ServiceAccount sets automountServiceAccountToken: false (a pod that sets it to
#   true turns the token back on). Every workload sharing "default" shares whatever RBAC
#   anyone binds to it. The ServiceAccount is read from the webhook's cache of the cluster's
#   ServiceAccounts, from the ServiceAccounts among the manifests given to `govhook test`, or
#   from the cluster in `govhook audit`; when it is not known (not yet in the cache, not among
#   the manifests), only the pod-level setting counts. An object a pod-bearing
#   controller made from its template (a Pod of a ReplicaSet, a ReplicaSet of a Deployment) is
#   not judged: the template was, and refusing the copy would break a workload that predates
#   govhook when it is next rescheduled (lib/serviceaccounts.rego). Tiered: denied in
#   namespaces labelled environment=prod, a warning elsewhere.
#   UPDATE: only violations the object did not have before are judged on metadata-only updates
#   and on every Pod update (the fields judged are immutable on Pods; lib/update.rego).
# custom:
#   id: SA-001
#   severity: medium
#   controls: [CC6.1, CC6.3]
#   groups: [least-privilege, service-accounts]
#   action: deny
#   tiered: true
#   rationale: |
#     Every workload on the default ServiceAccount shares whatever RBAC anyone ever binds to it,
#     with a token mounted in each pod.
#   remediation: |
#     Create a ServiceAccount for the workload and set spec.serviceAccountName
#     (spec.template.spec.serviceAccountName in controllers), or, if the workload does not call
#     the API, set automountServiceAccountToken: false on the pod or on the namespace's
#     "default" ServiceAccount.
#   parameters: [controllerUsernames]
#   kinds: [pod-bearing]
#   references:
#     - CIS EKS Benchmark 4.1.5
#     - https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts
package sa.default_service_account

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

_violations contains {"msg": msg, "field": serviceaccounts.name_field} if {
	serviceaccounts.name == "default"
	serviceaccounts.token_mounted
	msg := sprintf(`%s must not run as ServiceAccount "default" with its token mounted: set %s to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, [serviceaccounts.describe, serviceaccounts.name_field])
}
