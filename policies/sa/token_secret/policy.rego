# METADATA
# title: No long-lived ServiceAccount token Secrets
# description: |
#   Secrets of type kubernetes.io/service-account-token hold tokens that never expire and
#   outlive the pods that use them. Pods get short-lived, audience-bound tokens from the
#   TokenRequest API (projected volumes) instead; a tool outside the cluster can use
#   `kubectl create token`. Only CREATE is judged: a Secret's type is immutable, so no UPDATE
#   can introduce this violation, and the token controller can still fill in and the legacy
#   token cleaner can still label Secrets that predate govhook. Messages never carry Secret data.
# custom:
#   id: SA-003
#   severity: high
#   controls: [CC6.1, CC6.2]
#   groups: [least-privilege, service-accounts]
#   action: deny
#   kinds: [Secret]
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets
#     - https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner
package sa.token_secret

deny contains {"msg": msg, "field": "type"} if {
	input.request.kind.kind == "Secret"
	input.request.operation == "CREATE"
	input.request.object.type == "kubernetes.io/service-account-token"
	msg := sprintf(`Secret %q must not be of type kubernetes.io/service-account-token, whose token never expires: mount a projected ServiceAccount token, or use "kubectl create token" outside the cluster`, [object.get(input.request.object, ["metadata", "name"], "")])
}
