# METADATA
# title: Workloads do not run as the default ServiceAccount with a token
# description: |
#   A pod-bearing object must name a dedicated ServiceAccount (an empty serviceAccountName means
#   "default") unless it turns token automount off on the pod (automountServiceAccountToken:
#   false). Every workload sharing "default" shares whatever RBAC anyone binds to it. The
#   webhook does not see the ServiceAccount, so only the pod-level setting counts; a default
#   ServiceAccount with automount off still needs the pod to say so. An object a pod-bearing
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
	not serviceaccounts.spec.automountServiceAccountToken == false
	msg := sprintf(`%s must not run as ServiceAccount "default" with its token mounted: set %s to a dedicated ServiceAccount, or set automountServiceAccountToken: false`, [serviceaccounts.describe, serviceaccounts.name_field])
}
