package deploy

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/config"
)

const (
	namespace   = "govhook-system"
	webhookPort = 9443
	metricsPort = 8080
)

// webhookVariants are the variants that install govhook (as opposed to its monitoring).
var webhookVariants = []string{"base", "overlays/cert-manager", "overlays/eks-control-plane-only", "overlays/self-signed"}

func TestVariants(t *testing.T) {
	got, err := Variants(".")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"monitoring"}, webhookVariants...)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kustomizations under deploy/ (-want +got):\n%s\nadd a new variant to the tests", diff)
	}
}

// TestRenderedObjects checks what holds for every object of every variant.
func TestRenderedObjects(t *testing.T) {
	r := renderAll(t)
	for variant, objs := range r.variants {
		t.Run(variant, func(t *testing.T) {
			checkObjects(t, objs)
			for i, o := range objs {
				// The README's two-step install selects on this label.
				if isReg := o.Metadata.Labels["app.kubernetes.io/component"] == "admission-registration"; isReg != (o.Kind == "ValidatingWebhookConfiguration") {
					t.Errorf("%s: label app.kubernetes.io/component=admission-registration must mark exactly the webhook configuration", o.id())
				}
				// The apiserver must not call the webhook before its objects exist.
				if o.Kind == "ValidatingWebhookConfiguration" && i != len(objs)-1 {
					t.Errorf("%s is object %d of %d; it must come last", o.id(), i+1, len(objs))
				}
			}
		})
	}
}

// TestWebhookVariants checks the invariants every installable variant keeps: high
// availability, a restricted pod, probes on the metrics port, and a webhook registration
// that fails closed without locking the cluster out.
func TestWebhookVariants(t *testing.T) {
	r := renderAll(t)
	for _, variant := range webhookVariants {
		t.Run(variant, func(t *testing.T) { checkInstall(t, r.variants[variant], variant == "overlays/eks-control-plane-only") })
	}
}

// checkInstall checks the invariants of one installable rendering (a kustomize variant or the
// Helm chart with some values).
func checkInstall(t *testing.T, objs []object, controlPlaneOnly bool) {
	t.Helper()
	dep := find[appsv1.Deployment](t, objs, "Deployment", "govhook")
	checkDeployment(t, dep)
	checkPDB(t, find[policyv1.PodDisruptionBudget](t, objs, "PodDisruptionBudget", "govhook"), dep)
	checkService(t, find[corev1.Service](t, objs, "Service", "govhook"), dep)
	checkNetworkPolicy(t, find[networkingv1.NetworkPolicy](t, objs, "NetworkPolicy", "govhook"), dep, controlPlaneOnly)
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook")
	checkWebhookConfiguration(t, vwc)
	checkRBAC(t, objs, dep, vwc)
	checkNamespace(t, find[corev1.Namespace](t, objs, "Namespace", namespace))
	checkConfig(t, find[corev1.ConfigMap](t, objs, "ConfigMap", "govhook-config"))
}

func checkDeployment(t *testing.T, dep *appsv1.Deployment) {
	t.Helper()
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas < 2 {
		t.Errorf("replicas = %v, want at least 2", val(dep.Spec.Replicas))
	}
	ru := dep.Spec.Strategy.RollingUpdate
	if dep.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy = %+v, want a rolling update with maxUnavailable 0", dep.Spec.Strategy)
	}
	pod := dep.Spec.Template.Spec
	if len(pod.TopologySpreadConstraints) == 0 || pod.Affinity == nil || pod.Affinity.PodAntiAffinity == nil {
		t.Error("want topologySpreadConstraints and podAntiAffinity")
	}
	// Issue 16 row 13: soft rules let both replicas share one node.
	if pa := pod.Affinity.PodAntiAffinity; pa == nil || len(pa.RequiredDuringSchedulingIgnoredDuringExecution) == 0 ||
		pa.RequiredDuringSchedulingIgnoredDuringExecution[0].TopologyKey != "kubernetes.io/hostname" {
		t.Error("want required pod anti-affinity by kubernetes.io/hostname")
	}
	podLabels := labels.Set(dep.Spec.Template.Labels)
	for _, c := range pod.TopologySpreadConstraints {
		if sel, err := metav1LabelSelector(c.LabelSelector); err != nil || !sel.Matches(podLabels) {
			t.Errorf("topology spread on %s does not select the pods", c.TopologyKey)
		}
	}
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext = %+v, want runAsNonRoot and seccomp RuntimeDefault", psc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		(sc.Privileged != nil && *sc.Privileged) ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("container securityContext = %+v, want no privilege escalation, read-only root, drop ALL", sc)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[r]; !ok {
			t.Errorf("no %s request", r)
		}
		if _, ok := c.Resources.Limits[r]; !ok {
			t.Errorf("no %s limit", r)
		}
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if diff := cmp.Diff(map[string]int32{"webhook": webhookPort, "metrics": metricsPort}, ports); diff != "" {
		t.Errorf("container ports (-want +got):\n%s", diff)
	}
	for name, probe := range map[string]*corev1.Probe{"/readyz": c.ReadinessProbe, "/healthz": c.LivenessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != name || resolvePort(probe.HTTPGet.Port, c) != metricsPort {
			t.Errorf("want a %s probe on port %d, got %+v", name, metricsPort, probe)
		}
	}

	args := flagValues(c.Args)
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	if v := volumes["tls"]; v.Secret == nil || v.Secret.SecretName != "govhook-tls" || args["--cert-dir"] != mounts["tls"] {
		t.Errorf("--cert-dir %q must be the mount %q of Secret govhook-tls (%+v)", args["--cert-dir"], mounts["tls"], v)
	}
	if v := volumes["config"]; v.ConfigMap == nil || v.ConfigMap.Name != "govhook-config" || mounts["config"] != "/etc/govhook" || args["--config"] != "/etc/govhook/config.yaml" {
		t.Errorf("--config %q must be config.yaml of ConfigMap govhook-config mounted at /etc/govhook (%+v at %q)", args["--config"], v, mounts["config"])
	}
	if v := volumes["evidence"]; (v.EmptyDir == nil && v.PersistentVolumeClaim == nil) || args["--evidence-dir"] != mounts["evidence"] {
		t.Errorf("--evidence-dir %q must be the evidence volume's mount %q", args["--evidence-dir"], mounts["evidence"])
	}
	if args["--port"] != fmt.Sprint(webhookPort) || args["--metrics-bind-address"] != fmt.Sprintf(":%d", metricsPort) {
		t.Errorf("--port %q --metrics-bind-address %q, want %d and :%d", args["--port"], args["--metrics-bind-address"], webhookPort, metricsPort)
	}
	var podName *corev1.EnvVar
	for i := range c.Env {
		if c.Env[i].Name == "POD_NAME" {
			podName = &c.Env[i]
		}
	}
	if podName == nil || podName.ValueFrom == nil || podName.ValueFrom.FieldRef == nil || podName.ValueFrom.FieldRef.FieldPath != "metadata.name" || args["--replica"] != "$(POD_NAME)" {
		t.Errorf("each replica's evidence chain must be named after its pod: env POD_NAME %+v, --replica %q", podName, args["--replica"])
	}
	// Issue 16 row 1: without a Go memory limit from the container's, the heap grew past it.
	memLimit := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool {
		return e.Name == "GOVHOOK_MEMORY_LIMIT" && e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil &&
			e.ValueFrom.ResourceFieldRef.Resource == "limits.memory" && e.ValueFrom.ResourceFieldRef.ContainerName == c.Name
	})
	if memLimit < 0 {
		t.Error("want env GOVHOOK_MEMORY_LIMIT from the container's limits.memory (resourceFieldRef)")
	}
	// Issue 16 row 4: endpoints must go before the listener, and the drain must fit the grace.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || pod.TerminationGracePeriodSeconds == nil ||
		c.Lifecycle.PreStop.Sleep.Seconds+15 >= *pod.TerminationGracePeriodSeconds {
		t.Errorf("want a native preStop sleep and a grace period longer than it plus the 15 s drain, got %+v", c.Lifecycle)
	}
}

func checkPDB(t *testing.T, pdb *policyv1.PodDisruptionBudget, dep *appsv1.Deployment) {
	t.Helper()
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 {
		t.Errorf("PDB minAvailable = %v, want 1", val(pdb.Spec.MinAvailable))
	}
	if sel, err := metav1LabelSelector(pdb.Spec.Selector); err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Error("the PDB does not select govhook's pods")
	}
}

func checkService(t *testing.T, svc *corev1.Service, dep *appsv1.Deployment) {
	t.Helper()
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Error("the Service does not select govhook's pods")
	}
	got := map[int32]int{}
	for _, p := range svc.Spec.Ports {
		got[p.Port] = resolvePort(p.TargetPort, dep.Spec.Template.Spec.Containers[0])
	}
	if diff := cmp.Diff(map[int32]int{443: webhookPort, metricsPort: metricsPort}, got); diff != "" {
		t.Errorf("service port -> container port (-want +got):\n%s", diff)
	}
}

// controlPlaneOnly is set for the overlay that admits only the control plane's CIDRs to the
// webhook port (issue 16 row 14).
func checkNetworkPolicy(t *testing.T, np *networkingv1.NetworkPolicy, dep *appsv1.Deployment, controlPlaneOnly bool) {
	t.Helper()
	if sel, err := metav1LabelSelector(&np.Spec.PodSelector); err != nil || !sel.Matches(labels.Set(dep.Spec.Template.Labels)) {
		t.Error("the NetworkPolicy does not select govhook's pods")
	}
	if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
		t.Errorf("policyTypes = %v, want [Ingress]", np.Spec.PolicyTypes)
	}
	// Each ingress port and who may reach it: "any" for the apiserver's webhook port, a
	// namespace selector for the metrics port, nothing else.
	got := map[int]string{}
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			from := "any"
			if len(rule.From) > 0 {
				var peers []string
				for _, f := range rule.From {
					if f.IPBlock != nil && f.NamespaceSelector == nil && f.PodSelector == nil && len(f.IPBlock.Except) == 0 {
						if !slices.Contains(peers, "cidrs") {
							peers = append(peers, "cidrs")
						}
					} else if f.NamespaceSelector == nil || f.PodSelector != nil || f.IPBlock != nil || len(f.NamespaceSelector.MatchLabels) == 0 {
						peers = append(peers, "other")
					} else {
						peers = append(peers, "namespaces")
					}
				}
				from = strings.Join(peers, ",")
			}
			got[p.Port.IntValue()] = from
		}
	}
	want := map[int]string{webhookPort: "any", metricsPort: "namespaces"}
	if controlPlaneOnly {
		want[webhookPort] = "cidrs"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ingress port -> sources (-want +got):\n%s", diff)
	}
}

func checkWebhookConfiguration(t *testing.T, vwc *admissionregistrationv1.ValidatingWebhookConfiguration) {
	t.Helper()
	if len(vwc.Webhooks) == 0 {
		t.Fatal("no webhooks")
	}
	for _, w := range vwc.Webhooks {
		if w.MatchPolicy == nil || *w.MatchPolicy != admissionregistrationv1.Equivalent {
			t.Errorf("%s: matchPolicy %v, want Equivalent", w.Name, val(w.MatchPolicy))
		}
		if w.SideEffects == nil || *w.SideEffects != admissionregistrationv1.SideEffectClassNone {
			t.Errorf("%s: sideEffects %v, want None", w.Name, val(w.SideEffects))
		}
		if w.TimeoutSeconds == nil || *w.TimeoutSeconds != 5 {
			t.Errorf("%s: timeoutSeconds %v, want 5", w.Name, val(w.TimeoutSeconds))
		}
		wantFailure := admissionregistrationv1.Fail
		if w.Name == "protected.govhook.io" { // self-protection must not block repairs of govhook
			wantFailure = admissionregistrationv1.Ignore
		}
		if w.FailurePolicy == nil || *w.FailurePolicy != wantFailure {
			t.Errorf("%s: failurePolicy %v, want %s", w.Name, val(w.FailurePolicy), wantFailure)
		}
		if !slices.Equal(w.AdmissionReviewVersions, []string{"v1"}) {
			t.Errorf("%s: admissionReviewVersions %v, want [v1]", w.Name, w.AdmissionReviewVersions)
		}
		s := w.ClientConfig.Service
		if s == nil || s.Namespace != namespace || s.Name != "govhook" || s.Path == nil || *s.Path != "/validate" || s.Port == nil || *s.Port != 443 {
			t.Errorf("%s: clientConfig.service %+v, want govhook-system/govhook:443/validate", w.Name, s)
		}
		switch w.Name {
		case "validate.govhook.io":
			checkGovernedWebhook(t, w)
		case "aws-auth.govhook.io":
			checkAWSAuthWebhook(t, w)
		case "protected.govhook.io":
			checkProtectedWebhook(t, w)
		case "own-namespace.govhook.io":
			checkOwnNamespaceWebhook(t, w)
		default:
			t.Errorf("unexpected webhook %s", w.Name)
		}
	}
	if len(vwc.Webhooks) != 4 {
		t.Errorf("%d webhooks, want validate.govhook.io, aws-auth.govhook.io, protected.govhook.io and own-namespace.govhook.io", len(vwc.Webhooks))
	}
}

// checkGovernedWebhook: every governed namespace, never kube-system or govhook's own.
func checkGovernedWebhook(t *testing.T, w admissionregistrationv1.ValidatingWebhook) {
	t.Helper()
	checkSelectedNamespaces(t, w, map[string]bool{"kube-system": false, namespace: false, "default": true, "shop": true})
	ops := ruleOperations(w.Rules)
	for res, want := range map[string][]string{
		"/pods":                     {"CREATE", "UPDATE"},
		"/pods/ephemeralcontainers": {"CREATE", "UPDATE"},
		"/pods/exec":                {"CONNECT"},
		"/pods/attach":              {"CONNECT"},
		"/pods/portforward":         {"CONNECT"},
		"apps/deployments":          {"CREATE", "UPDATE"},
		"batch/cronjobs":            {"CREATE", "UPDATE"},
		"rbac.authorization.k8s.io/clusterrolebindings": {"CREATE", "UPDATE"},
	} {
		if diff := cmp.Diff(want, ops[res]); diff != "" {
			t.Errorf("%s: operations on %s (-want +got):\n%s", w.Name, res, diff)
		}
	}
}

// checkAWSAuthWebhook: only kube-system, only the aws-auth ConfigMap, deletes included.
func checkAWSAuthWebhook(t *testing.T, w admissionregistrationv1.ValidatingWebhook) {
	t.Helper()
	checkSelectedNamespaces(t, w, map[string]bool{"kube-system": true, namespace: false, "default": false})
	if diff := cmp.Diff(map[string][]string{"/configmaps": {"CREATE", "DELETE", "UPDATE"}}, ruleOperations(w.Rules)); diff != "" {
		t.Errorf("%s: rules (-want +got):\n%s", w.Name, diff)
	}
	if len(w.MatchConditions) != 1 || w.MatchConditions[0].Expression != `request.name == "aws-auth"` {
		t.Errorf("%s: matchConditions %+v, want only request.name == \"aws-auth\"", w.Name, w.MatchConditions)
	}
}

// checkProtectedWebhook: govhook's own namespace and monitoring, changes and deletions of
// workloads, RBAC and config.
func checkProtectedWebhook(t *testing.T, w admissionregistrationv1.ValidatingWebhook) {
	t.Helper()
	checkSelectedNamespaces(t, w, map[string]bool{namespace: true, "monitoring": true, "kube-system": false, "shop": false})
	ops := ruleOperations(w.Rules)
	for _, res := range []string{"apps/deployments", "apps/daemonsets", "/configmaps", "/secrets", "rbac.authorization.k8s.io/rolebindings", "/namespaces"} {
		if diff := cmp.Diff([]string{"DELETE", "UPDATE"}, ops[res]); diff != "" {
			t.Errorf("%s: operations on %s (-want +got):\n%s", w.Name, res, diff)
		}
	}
	if len(w.MatchConditions) != 1 {
		t.Errorf("%s: want one match condition keeping monitoring's updates with validate.govhook.io", w.Name)
	}
}

// checkOwnNamespaceWebhook: issue 16 row 12, CREATEs in govhook's own namespace were never
// judged. Only that namespace, only CREATE of what could take govhook's place or its Secrets,
// and never the requests of the controllers that create govhook's own pods and endpoints (or
// govhook's pods would wait for govhook).
func checkOwnNamespaceWebhook(t *testing.T, w admissionregistrationv1.ValidatingWebhook) {
	t.Helper()
	checkSelectedNamespaces(t, w, map[string]bool{namespace: true, "monitoring": false, "kube-system": false, "shop": false})
	want := map[string][]string{
		"/pods": {"CREATE"}, "/services": {"CREATE"},
		"discovery.k8s.io/endpointslices":        {"CREATE"},
		"rbac.authorization.k8s.io/rolebindings": {"CREATE"},
	}
	if diff := cmp.Diff(want, ruleOperations(w.Rules)); diff != "" {
		t.Errorf("%s: rules (-want +got):\n%s", w.Name, diff)
	}
	if len(w.MatchConditions) != 1 {
		t.Fatalf("%s: want one match condition leaving out govhook's own pods' creators, got %+v", w.Name, w.MatchConditions)
	}
	for _, creator := range []string{"'system:serviceaccount:kube-system:replicaset-controller'", "'system:serviceaccount:kube-system:endpointslice-controller'", "'system:kube-controller-manager'", "'system:masters'"} {
		if !strings.Contains(w.MatchConditions[0].Expression, creator) {
			t.Errorf("%s: match condition %q does not leave out %s", w.Name, w.MatchConditions[0].Expression, creator)
		}
	}
}

func checkSelectedNamespaces(t *testing.T, w admissionregistrationv1.ValidatingWebhook, want map[string]bool) {
	t.Helper()
	sel, err := metav1LabelSelector(w.NamespaceSelector)
	if err != nil {
		t.Fatal(err)
	}
	for ns, selected := range want {
		if got := sel.Matches(labels.Set{"kubernetes.io/metadata.name": ns}); got != selected {
			t.Errorf("%s: namespace %s selected = %v, want %v", w.Name, ns, got, selected)
		}
	}
}

func checkRBAC(t *testing.T, objs []object, dep *appsv1.Deployment, vwc *admissionregistrationv1.ValidatingWebhookConfiguration) {
	t.Helper()
	sa := find[corev1.ServiceAccount](t, objs, "ServiceAccount", "govhook")
	if dep.Spec.Template.Spec.ServiceAccountName != sa.Name {
		t.Errorf("the Deployment runs as %q, not ServiceAccount %s", dep.Spec.Template.Spec.ServiceAccountName, sa.Name)
	}
	// IRSA gives the pods the role that writes the evidence archive.
	if arn := sa.Annotations["eks.amazonaws.com/role-arn"]; !strings.HasPrefix(arn, "arn:aws:iam::") {
		t.Errorf("ServiceAccount %s lacks the IRSA annotation eks.amazonaws.com/role-arn (got %q)", sa.Name, arn)
	}
	// Shutdown seals and uploads the open evidence segment after the drain: leave room for it.
	if g := dep.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g < 60 {
		t.Errorf("terminationGracePeriodSeconds = %v, want >= 60 (preStop, drain, archive upload)", val(g))
	}
	webhook := find[rbacv1.ClusterRole](t, objs, "ClusterRole", "govhook")
	if diff := cmp.Diff(map[string][]string{"/namespaces": {"get", "list", "watch"}, "/serviceaccounts": {"list", "watch"}}, grants(t, webhook)); diff != "" {
		t.Errorf("ClusterRole govhook grants (-want +got):\n%s", diff)
	}
	binding := find[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding", "govhook")
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: namespace}}
	if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" || binding.RoleRef.Name != webhook.Name || binding.RoleRef.Kind != "ClusterRole" {
		t.Errorf("ClusterRoleBinding govhook: roleRef %+v, subjects (-want +got):\n%s", binding.RoleRef, diff)
	}

	// govhook audit reads every kind the webhook judges, read-only; Secrets only through a
	// separate role, since reading them exposes their values.
	audit := grants(t, find[rbacv1.ClusterRole](t, objs, "ClusterRole", "govhook-audit"))
	auditSecrets := grants(t, find[rbacv1.ClusterRole](t, objs, "ClusterRole", "govhook-audit-secrets"))
	if diff := cmp.Diff(map[string][]string{"/secrets": {"get", "list", "watch"}}, auditSecrets); diff != "" {
		t.Errorf("ClusterRole govhook-audit-secrets grants (-want +got):\n%s", diff)
	}
	for res := range ruleOperations(vwc.Webhooks[0].Rules) {
		if strings.Count(res, "/") > 1 { // subresources are not listed by the scan
			continue
		}
		role, verbs := "govhook-audit", audit[res]
		if res == "/secrets" {
			role, verbs = "govhook-audit-secrets", auditSecrets[res]
			if _, ok := audit[res]; ok {
				t.Error("govhook-audit must not read secrets; govhook-audit-secrets does, opt-in")
			}
		}
		if !slices.Equal(verbs, []string{"get", "list", "watch"}) {
			t.Errorf("%s must read %s (get, list, watch), has %v", role, res, verbs)
		}
	}
	for res, verbs := range audit {
		if !slices.Equal(verbs, []string{"get", "list", "watch"}) {
			t.Errorf("govhook-audit grants %v on %s; it must be read-only", verbs, res)
		}
	}
}

func checkNamespace(t *testing.T, ns *corev1.Namespace) {
	t.Helper()
	for _, key := range []string{"owner", "environment", "data-classification", "pod-security.kubernetes.io/enforce"} {
		if ns.Labels[key] == "" {
			t.Errorf("namespace %s lacks label %s", ns.Name, key)
		}
	}
	if !strings.Contains(ns.Annotations["security-contact"], "@") {
		t.Errorf("namespace %s lacks a security-contact email annotation", ns.Name)
	}
}

func checkConfig(t *testing.T, cm *corev1.ConfigMap) {
	t.Helper()
	cfg, err := config.Parse([]byte(cm.Data["config.yaml"]))
	if err != nil {
		t.Fatalf("ConfigMap govhook-config: %v", err)
	}
	// Evidence must outlive the pod: the archive is configured, its backlog bounded below the
	// emptyDir's sizeLimit, with the 1-minute loss window.
	a := cfg.Evidence.Archive
	if a == nil || a.MaxLocalBytes <= 0 || a.MaxLocalBytes >= 1<<30 || cfg.Evidence.SegmentAgeOrDefault() != time.Minute {
		t.Errorf("config evidence = %+v (archive %+v); want an archive with 0 < maxLocalBytes < 1Gi and segmentAge 1m", cfg.Evidence, a)
	}
	// The webhook sends from kube-system and govhook-system only what must be judged there
	// (aws-auth for RBAC-006, govhook's own objects for MON-001): exempting them waives that.
	for _, ns := range []string{"kube-system", namespace} {
		if slices.Contains(cfg.Exemptions.Namespaces, ns) {
			t.Errorf("config exempts namespace %s, whose requests the webhook sends only to be judged", ns)
		}
	}
}

// TestCertManagerOverlay checks that cert-manager issues the Secret the pods mount for the
// names the apiserver uses, and injects the CA of that Certificate.
func TestCertManagerOverlay(t *testing.T) {
	objs := renderAll(t).variants["overlays/cert-manager"]
	var cert struct {
		Metadata struct{ Name, Namespace string }
		Spec     struct {
			SecretName string   `json:"secretName"`
			DNSNames   []string `json:"dnsNames"`
			IssuerRef  struct{ Name, Kind string }
		}
	}
	for _, o := range objs {
		if o.Kind == "Certificate" && o.Metadata.Name == "govhook" {
			if err := yaml.Unmarshal(o.doc, &cert); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cert.Spec.SecretName != "govhook-tls" || !slices.Contains(cert.Spec.DNSNames, "govhook.govhook-system.svc") {
		t.Errorf("Certificate govhook: secretName %q dnsNames %v, want govhook-tls with govhook.govhook-system.svc", cert.Spec.SecretName, cert.Spec.DNSNames)
	}
	issuers := map[string]bool{}
	for _, o := range objs {
		if o.Kind == "Issuer" {
			issuers[o.Metadata.Name] = true
		}
	}
	if cert.Spec.IssuerRef.Kind != "Issuer" || !issuers[cert.Spec.IssuerRef.Name] {
		t.Errorf("Certificate govhook is issued by %s %q, which the overlay does not define", cert.Spec.IssuerRef.Kind, cert.Spec.IssuerRef.Name)
	}
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook")
	if got, want := vwc.Annotations["cert-manager.io/inject-ca-from"], cert.Metadata.Namespace+"/"+cert.Metadata.Name; got != want {
		t.Errorf("inject-ca-from = %q, want %q", got, want)
	}
	for _, o := range objs {
		if o.Kind == "Secret" {
			t.Errorf("%s: cert-manager makes the Secret; the overlay must not", o.id())
		}
	}
}

// TestSelfSignedOverlay checks that the overlay, once `govhook certs` has run, ships the
// Secret the pods mount and registers the webhook with the CA that signed it.
func TestSelfSignedOverlay(t *testing.T) {
	checkServingCertificate(t, renderAll(t).variants["overlays/self-signed"])
}

// checkServingCertificate checks that a self-signed rendering ships the Secret the pods mount
// and registers every webhook with a CA bundle the served certificate verifies against.
func checkServingCertificate(t *testing.T, objs []object) {
	t.Helper()
	secret := find[corev1.Secret](t, objs, "Secret", "govhook-tls")
	if secret.Type != corev1.SecretTypeTLS {
		t.Errorf("Secret type %s, want kubernetes.io/tls", secret.Type)
	}
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook")
	for _, w := range vwc.Webhooks {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(w.ClientConfig.CABundle) {
			t.Fatalf("%s: caBundle holds no certificate", w.Name)
		}
		block, _ := pem.Decode(secret.Data["tls.crt"])
		if block == nil {
			t.Fatal("Secret tls.crt is not PEM")
		}
		leaf, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		host := w.ClientConfig.Service.Name + "." + w.ClientConfig.Service.Namespace + ".svc"
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("%s: the served certificate does not verify for %s against the caBundle: %v", w.Name, host, err)
		}
	}
}

// TestSelfSignedOverlayNeedsCerts checks the fail-safe of the overlay: it does not build before
// `govhook certs` has made certs/, and the caBundle of its patch is either the placeholder,
// which is not base64 so the apiserver would refuse the configuration rather than register a
// webhook it cannot call, or CA certificates that `govhook certs --inject` wrote.
func TestSelfSignedOverlayNeedsCerts(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"base", SelfSignedOverlay} {
		if err := copyDir(filepath.Join(".", dir), filepath.Join(root, dir)); err != nil {
			t.Fatal(err)
		}
	}
	overlay := filepath.Join(root, filepath.FromSlash(SelfSignedOverlay))
	if err := os.RemoveAll(filepath.Join(overlay, "certs")); err != nil { // made locally by govhook certs, git-ignored
		t.Fatal(err)
	}
	if _, err := Build(overlay); err == nil || !strings.Contains(err.Error(), "secret.yaml") {
		t.Errorf("building without certs: err = %v, want one naming certs/secret.yaml", err)
	}
	var patch struct {
		Webhooks []struct {
			Name         string
			ClientConfig struct {
				CABundle string `json:"caBundle"`
			} `json:"clientConfig"`
		}
	}
	if err := yaml.Unmarshal(mustRead(t, filepath.Join(overlay, "webhook-cabundle.yaml")), &patch); err != nil {
		t.Fatal(err)
	}
	if len(patch.Webhooks) == 0 {
		t.Fatal("the patch names no webhook")
	}
	for _, w := range patch.Webhooks {
		data, err := base64.StdEncoding.DecodeString(w.ClientConfig.CABundle)
		if err != nil {
			continue // the placeholder
		}
		if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(data) {
			t.Errorf("%s: caBundle %q decodes but holds no CA certificate", w.Name, w.ClientConfig.CABundle)
		}
	}
}

// grants maps "group/resource" to the sorted verbs a ClusterRole grants, failing on wildcards.
func grants(t *testing.T, role *rbacv1.ClusterRole) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, r := range role.Rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				if g == "*" || res == "*" || slices.Contains(r.Verbs, "*") {
					t.Errorf("ClusterRole %s grants a wildcard: %+v", role.Name, r)
				}
				key := g + "/" + res
				out[key] = append(out[key], r.Verbs...)
				slices.Sort(out[key])
				out[key] = slices.Compact(out[key])
			}
		}
	}
	return out
}

// ruleOperations maps "group/resource[/subresource]" to the sorted operations the rules register.
func ruleOperations(rules []admissionregistrationv1.RuleWithOperations) map[string][]string {
	out := map[string][]string{}
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				ops := out[g+"/"+res]
				for _, op := range r.Operations {
					ops = append(ops, string(op))
				}
				slices.Sort(ops)
				out[g+"/"+res] = slices.Compact(ops)
			}
		}
	}
	return out
}

// flagValues maps --flag=value arguments to their values.
func flagValues(args []string) map[string]string {
	out := map[string]string{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			out[k] = v
		}
	}
	return out
}

// resolvePort turns a named or numbered port into the container's port number.
func resolvePort(p intstr.IntOrString, c corev1.Container) int {
	if p.Type == intstr.Int {
		return p.IntValue()
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort)
		}
	}
	return -1
}

// val is *p for messages, or "unset".
func val[T any](p *T) any {
	if p == nil {
		return "unset"
	}
	return *p
}

func metav1LabelSelector(s *metav1.LabelSelector) (labels.Selector, error) {
	return metav1.LabelSelectorAsSelector(s)
}

func copyDir(from, to string) error { return os.CopyFS(to, os.DirFS(from)) }

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
