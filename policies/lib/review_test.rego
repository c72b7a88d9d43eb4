# Admission requests for Rego unit tests, the one way they are built: the shapes the webhook
# builds from a review, and pod specs around them for the pod policies.
package lib.review_test

_group := {
	"Role": "rbac.authorization.k8s.io",
	"ClusterRole": "rbac.authorization.k8s.io",
	"RoleBinding": "rbac.authorization.k8s.io",
	"ClusterRoleBinding": "rbac.authorization.k8s.io",
	"Deployment": "apps",
	"DaemonSet": "apps",
	"CronJob": "batch",
	"Ingress": "networking.k8s.io",
	"Scale": "autoscaling",
	"ValidatingWebhookConfiguration": "admissionregistration.k8s.io",
	"PrometheusRule": "monitoring.coreos.com",
	"ServiceMonitor": "monitoring.coreos.com",
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

# review is the input of operation (CREATE, UPDATE or DELETE) on obj; an UPDATE leaves obj as
# it was.
review("CREATE", kind, obj) := create(kind, obj)

review("UPDATE", kind, obj) := update(kind, obj, obj)

review("DELETE", kind, obj) := delete(kind, obj)

# by is inp as requested by username (a controller's service account, the apiserver).
by(inp, username) := object.union(inp, {"request": {"userInfo": {"username": username, "groups": ["system:authenticated"]}}})

# by_user is inp as requested by user_info, exactly as given (username and groups).
by_user(inp, user_info) := json.patch(inp, [{"op": "replace", "path": "/request/userInfo", "value": user_info}])

# subresource is inp as a request to subresource sub of the resource (pods/exec,
# deployments/scale) in group.
subresource(inp, group, resource, sub) := object.union(inp, {"request": {
	"resource": {"group": group, "version": "v1", "resource": resource},
	"subResource": sub,
}})

# connect is the input of a CONNECT to subresource sub (exec, attach, portforward) of pod name in
# namespace: the apiserver sends the options (PodExecOptions, ...) as the object.
connect(namespace, name, sub, kind, options) := subresource(
	object.union(
		{"request": _request("CONNECT", kind, object.union({"apiVersion": "v1", "kind": kind}, options), null), "params": {}},
		{"request": {"namespace": namespace, "name": name}},
	),
	"", "pods", sub,
)

# pod is the input for creating a Pod with spec.
pod(spec) := create("Pod", {"metadata": {"name": "web"}, "spec": spec})

# pod_with is pod with metadata (annotations and the like).
pod_with(metadata, spec) := create("Pod", {"metadata": metadata, "spec": spec})

# deployment is the input for creating a Deployment templating spec.
deployment(spec) := create("Deployment", {"metadata": {"name": "web"}, "spec": {"template": {"metadata": {}, "spec": spec}}})

# cronjob is the input for creating a CronJob templating spec.
cronjob(spec) := create("CronJob", {"metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}})

# containers is a pod spec with one container of each type, all with securityContext sc.
containers(sc) := {
	"initContainers": [{"name": "setup", "image": "busybox", "securityContext": sc}],
	"containers": [{"name": "app", "image": "nginx", "securityContext": sc}],
	"ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": sc}],
}

# restricted is a container context that meets the restricted profile.
restricted := {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}

# running_as is inp with the ServiceAccount its pod will run as known (input.serviceAccount),
# as the webhook's cache, `govhook test` and `govhook audit` give it.
running_as(inp, account) := object.union(inp, {"serviceAccount": account})

# service_account is input.serviceAccount for the account name in namespace, with extra
# (automountServiceAccountToken, annotations).
service_account(namespace, name, extra) := object.union({"name": name, "namespace": namespace, "annotations": {}}, extra)
