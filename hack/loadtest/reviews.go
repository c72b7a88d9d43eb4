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
		body, err := review(fmt.Sprintf("load-%d", i), obj)
		if err != nil {
			return nil, err
		}
		out[i] = body
	}
	return out, nil
}

func review(uid string, o object) ([]byte, error) {
	return json.Marshal(map[string]any{
		"apiVersion": "admission.k8s.io/v1",
		"kind":       "AdmissionReview",
		"request": map[string]any{
			"uid":       uid,
			"kind":      map[string]any{"group": o.group, "version": o.version, "kind": o.kind},
			"resource":  map[string]any{"group": o.group, "version": o.version, "resource": o.resource},
			"namespace": o.namespace,
			"name":      o.name,
			"operation": "CREATE",
			"userInfo":  map[string]any{"username": "system:serviceaccount:ci:deployer", "groups": []string{"system:serviceaccounts"}},
			"object":    o.body,
			"dryRun":    false,
		},
	})
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
