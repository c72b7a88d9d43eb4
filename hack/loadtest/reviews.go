package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// object is a generated Kubernetes object with what a review needs to describe it.
type object struct {
	group, version, kind, resource, namespace, name string
	body                                            map[string]any
}

// generator makes a realistic mix of objects: mostly compliant workloads, a share of
// violating ones, RBAC objects, namespaces and a few very large pods.
type generator struct {
	rng *rand.Rand
	// apiserver sends objects as the kube-apiserver does (see stamp), and every third review
	// as an UPDATE with the old object.
	apiserver bool
}

// mix is the share of each shape, in percent.
var mix = []struct {
	weight int
	make   func(g *generator, i int) object
}{
	{30, (*generator).compliantDeployment},
	{10, (*generator).violatingDeployment},
	{20, (*generator).compliantPod},
	{8, (*generator).violatingPod},
	{8, (*generator).cronJob},
	{8, (*generator).clusterRole},
	{6, (*generator).roleBinding},
	{5, (*generator).namespace},
	{5, (*generator).largeDeployment},
}

// reviews returns n AdmissionReview bodies drawn from the mix.
func (g *generator) reviews(n int) ([][]byte, error) {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	out := make([][]byte, n)
	for i := range n {
		pick := g.rng.IntN(total)
		var obj object
		for _, m := range mix {
			if pick < m.weight {
				obj = m.make(g, i)
				break
			}
			pick -= m.weight
		}
		op, old := "CREATE", map[string]any(nil)
		if g.apiserver {
			previous := stamp(obj.body, i)
			if i%3 == 2 {
				op, old = "UPDATE", previous
			}
		}
		body, err := review(fmt.Sprintf("load-%d", i), op, obj, old)
		if err != nil {
			return nil, err
		}
		out[i] = body
	}
	return out, nil
}

func review(uid, op string, o object, old map[string]any) ([]byte, error) {
	request := map[string]any{
		"uid":       uid,
		"kind":      map[string]any{"group": o.group, "version": o.version, "kind": o.kind},
		"resource":  map[string]any{"group": o.group, "version": o.version, "resource": o.resource},
		"namespace": o.namespace,
		"name":      o.name,
		"operation": op,
		"userInfo":  map[string]any{"username": "system:serviceaccount:ci:deployer", "groups": []string{"system:serviceaccounts"}},
		"object":    o.body,
		"dryRun":    false,
	}
	if old != nil {
		request["oldObject"] = old
	}
	return json.Marshal(map[string]any{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
}

// stamp adds to body's metadata what the kube-apiserver has set by the time a validating
// webhook sees an object (uid, creationTimestamp, resourceVersion, and managedFields: every
// field of the object once more, as kubectl's client-side apply records them), and returns a
// copy of the result as its previous version (one resourceVersion earlier).
func stamp(body map[string]any, i int) map[string]any {
	meta, _ := body["metadata"].(map[string]any)
	meta["uid"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	meta["creationTimestamp"] = "2026-12-01T10:00:00Z"
	meta["resourceVersion"] = fmt.Sprint(1000 + i)
	meta["managedFields"] = []any{map[string]any{
		"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
		"time": "2026-12-01T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fieldsV1(body),
	}}
	raw, _ := json.Marshal(body)
	var old map[string]any
	_ = json.Unmarshal(raw, &old)
	old["metadata"].(map[string]any)["resourceVersion"] = fmt.Sprint(999 + i)
	return old
}

// fieldsV1 is v as managedFields record it: "f:<key>" for each field, {} for leaves.
func fieldsV1(v any) map[string]any {
	out := map[string]any{}
	switch v := v.(type) {
	case map[string]any:
		out["."] = map[string]any{}
		for k, child := range v {
			if k != "managedFields" {
				out["f:"+k] = fieldsV1(child)
			}
		}
	case []any:
		for i, child := range v {
			out[fmt.Sprintf("i:%d", i)] = fieldsV1(child)
		}
	}
	return out
}

func labels(owner string) map[string]any {
	return map[string]any{"app": "svc", "owner": owner, "environment": "prod"}
}

func (g *generator) container(name string, violating bool) map[string]any {
	c := map[string]any{
		"name":  name,
		"image": fmt.Sprintf("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/%s:1.%d.0", name, g.rng.IntN(20)),
		"securityContext": map[string]any{
			"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
			"capabilities": map[string]any{"drop": []any{"ALL"}},
		},
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "128Mi"},
			"limits":   map[string]any{"memory": "128Mi"},
		},
		"env": []any{map[string]any{"name": "LOG_LEVEL", "value": "info"}},
	}
	if violating {
		switch g.rng.IntN(3) {
		case 0:
			c["securityContext"] = map[string]any{"privileged": true}
		case 1:
			c["image"] = "nginx:latest"
		default:
			c["env"] = []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter2"}}
		}
	}
	return c
}

func (g *generator) podSpec(containers int, violating bool) map[string]any {
	cs := make([]any, containers)
	for i := range cs {
		cs[i] = g.container(fmt.Sprintf("c%d", i), violating && i == 0)
	}
	return map[string]any{
		"serviceAccountName":           "app",
		"automountServiceAccountToken": false,
		"securityContext":              map[string]any{"runAsNonRoot": true, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
		"containers":                   cs,
	}
}

func (g *generator) workload(kind, group, resource string, i, containers int, violating bool) object {
	name := fmt.Sprintf("%s-%d", resource, i)
	spec := map[string]any{
		"replicas": 2,
		"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": labels("payments")},
			"spec":     g.podSpec(containers, violating),
		},
	}
	return object{group, "v1", kind, resource, "shop", name, map[string]any{
		"apiVersion": group + "/v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": "shop", "labels": labels("payments")},
		"spec":     spec,
	}}
}

func (g *generator) compliantDeployment(i int) object {
	return g.workload("Deployment", "apps", "deployments", i, 1+g.rng.IntN(3), false)
}

func (g *generator) violatingDeployment(i int) object {
	return g.workload("Deployment", "apps", "deployments", i, 1+g.rng.IntN(3), true)
}

func (g *generator) largeDeployment(i int) object {
	return g.workload("Deployment", "apps", "deployments", i, 20, false)
}

func (g *generator) pod(i int, violating bool) object {
	name := fmt.Sprintf("pod-%d", i)
	return object{"", "v1", "Pod", "pods", "shop", name, map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": "shop", "labels": labels("payments")},
		"spec":     g.podSpec(1+g.rng.IntN(2), violating),
	}}
}

func (g *generator) compliantPod(i int) object { return g.pod(i, false) }
func (g *generator) violatingPod(i int) object { return g.pod(i, true) }

func (g *generator) cronJob(i int) object {
	name := fmt.Sprintf("cron-%d", i)
	return object{"batch", "v1", "CronJob", "cronjobs", "shop", name, map[string]any{
		"apiVersion": "batch/v1", "kind": "CronJob",
		"metadata": map[string]any{"name": name, "namespace": "shop", "labels": labels("payments")},
		"spec": map[string]any{"schedule": "0 * * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"labels": labels("payments")},
			"spec":     g.podSpec(1, g.rng.IntN(4) == 0),
		}}}},
	}}
}

func (g *generator) clusterRole(i int) object {
	name := fmt.Sprintf("role-%d", i)
	rules := make([]any, 10)
	for r := range rules {
		verbs := []any{"get", "list", "watch"}
		if g.rng.IntN(10) == 0 {
			verbs = []any{"*"}
		}
		rules[r] = map[string]any{"apiGroups": []any{"", "apps"}, "resources": []any{"pods", "deployments", "configmaps"}, "verbs": verbs}
	}
	return object{"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "", name, map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]any{"name": name, "labels": labels("platform")},
		"rules":    rules,
	}}
}

func (g *generator) roleBinding(i int) object {
	name := fmt.Sprintf("binding-%d", i)
	subject := map[string]any{"kind": "Group", "name": "payments-developers", "apiGroup": "rbac.authorization.k8s.io"}
	if g.rng.IntN(5) == 0 {
		subject["name"] = "system:authenticated"
	}
	return object{"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "shop", name, map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": name, "namespace": "shop", "labels": labels("payments")},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
		"subjects": []any{subject},
	}}
}

func (g *generator) namespace(i int) object {
	name := fmt.Sprintf("team-%d", i)
	l := map[string]any{"owner": "payments", "environment": "prod", "data-classification": "internal",
		"pod-security.kubernetes.io/enforce": "restricted"}
	if g.rng.IntN(4) == 0 {
		delete(l, "owner")
	}
	return object{"", "v1", "Namespace", "namespaces", "", name, map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": name, "labels": l, "annotations": map[string]any{"security-contact": "payments@example.com"}},
	}}
}
