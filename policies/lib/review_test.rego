# Admission requests for Rego unit tests: the shapes the webhook builds from a review.
package lib.review_test

_group := {
	"Role": "rbac.authorization.k8s.io",
	"ClusterRole": "rbac.authorization.k8s.io",
	"RoleBinding": "rbac.authorization.k8s.io",
	"ClusterRoleBinding": "rbac.authorization.k8s.io",
	"Deployment": "apps",
	"CronJob": "batch",
}

_request(operation, kind, obj, old) := {
	"operation": operation,
	"kind": {"group": object.get(_group, kind, ""), "version": "v1", "kind": kind},
	"name": object.get(_subject(obj, old), ["metadata", "name"], ""),
	"namespace": object.get(_subject(obj, old), ["metadata", "namespace"], ""),
	"userInfo": {"username": "alice@example.com", "groups": ["system:authenticated"]},
	"object": obj,
	"oldObject": old,
}

_subject(obj, _) := obj if obj != null

_subject(null, old) := old

# create is the input of a CREATE of obj.
create(kind, obj) := {"request": _request("CREATE", kind, obj, null), "params": {}}

# update is the input of an UPDATE from old to obj.
update(kind, old, obj) := {"request": _request("UPDATE", kind, obj, old), "params": {}}

# delete is the input of a DELETE of old (the apiserver sends no object).
delete(kind, old) := {"request": _request("DELETE", kind, null, old), "params": {}}

# by is inp as requested by username (a controller's service account, the apiserver).
by(inp, username) := object.union(inp, {"request": {"userInfo": {"username": username, "groups": ["system:authenticated"]}}})
