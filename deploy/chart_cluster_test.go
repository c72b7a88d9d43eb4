package deploy

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/govhook/govhook/internal/testsupport"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/kube"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

// crdStubs stand in for the CRDs of cert-manager and the Prometheus Operator: open schemas,
// so the apiserver checks the objects' metadata but not their specs.
func crdStubs() []*apiextensionsv1.CustomResourceDefinition {
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, c := range []struct{ group, kind, plural string }{
		{"cert-manager.io", "Issuer", "issuers"},
		{"cert-manager.io", "Certificate", "certificates"},
		{"monitoring.coreos.com", "PrometheusRule", "prometheusrules"},
		{"monitoring.coreos.com", "ServiceMonitor", "servicemonitors"},
	} {
		open := true
		crds = append(crds, &apiextensionsv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: c.plural + "." + c.group},
			Spec: apiextensionsv1.CustomResourceDefinitionSpec{
				Group: c.group, Scope: apiextensionsv1.NamespaceScoped,
				Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: c.kind, Plural: c.plural},
				Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
					Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object", XPreserveUnknownFields: &open}}}},
			},
		})
	}
	return crds
}

// TestChartOnAPIServer puts the chart to a real kube-apiserver: every object of the default
// rendering, of the cert-manager mode and of the monitoring objects as a server-side dry run,
// then a Helm install (as the README's helm install does) and two upgrades. An upgrade without
// a change keeps the CA bundle, the certificate and the pod template (no restart); a config
// change rolls the pods but keeps the CA bundle.
//
// No controller manager runs here, so no pod ever serves: the install registers the webhook
// with failurePolicy Ignore, else the apiserver would refuse the upgrade's RBAC updates that
// govhook judges.
func TestChartOnAPIServer(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS not set: no local control plane")
	}
	env := &envtest.Environment{CRDs: crdStubs()}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	// A dry run cannot create the namespace the other objects of the dry run live in.
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []chartCase{
		{name: "defaults"},
		{name: "cert-manager", values: map[string]any{"certificates": map[string]any{"mode": "cert-manager"}}},
		{name: "monitoring", values: map[string]any{"monitoring": map[string]any{"serviceMonitor": map[string]any{"enabled": true}, "prometheusRule": map[string]any{"enabled": true}, "dashboard": map[string]any{"enabled": true}}}},
	} {
		t.Run("dry run "+tc.name, func(t *testing.T) {
			for _, o := range renderChart(t, tc.values) {
				if o.Kind == "Namespace" {
					continue
				}
				u := &unstructured.Unstructured{}
				if err := yaml.Unmarshal(o.doc, &u.Object); err != nil {
					t.Fatal(err)
				}
				if err := c.Create(ctx, u, client.DryRunAll); err != nil {
					t.Errorf("%s: the apiserver refuses it: %v", o.id(), err)
				}
			}
		})
	}
	if t.Failed() {
		return
	}

	kubeconfig := testsupport.Kubeconfig(t, env, envtest.User{Name: "helm", Groups: []string{"system:masters"}})
	ch, err := loader.Load(ChartDir)
	if err != nil {
		t.Fatal(err)
	}
	helm := action.NewConfiguration()
	getter := genericclioptions.NewConfigFlags(false)
	getter.KubeConfig, getter.Namespace = &kubeconfig, new(namespace)
	if err := helm.Init(getter, namespace, "secret"); err != nil {
		t.Fatal(err)
	}
	values := map[string]any{"webhook": map[string]any{"failurePolicy": "Ignore"}}
	install := action.NewInstall(helm)
	install.ReleaseName, install.Namespace = ChartRelease, namespace
	install.CreateNamespace, install.TakeOwnership = true, true // as the README: --create-namespace --take-ownership
	install.WaitStrategy, install.Timeout = kube.HookOnlyStrategy, time.Minute
	if _, err := install.RunWithContext(ctx, ch, values); err != nil {
		t.Fatalf("helm install: %v", err)
	}
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: namespace}, ns); err != nil {
		t.Fatal(err)
	}
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" || ns.Labels["owner"] == "" {
		t.Errorf("the installed namespace's labels %v lack the chart's", ns.Labels)
	}
	installed := observe(t, c)
	if pool := installed.caBundle; !bytes.Contains(pool, []byte("BEGIN CERTIFICATE")) || !bytes.Equal(pool, installed.secret.Data["ca.crt"]) {
		t.Fatalf("installed caBundle %q is not the Secret's CA", pool)
	}

	upgrade := func(values map[string]any) state {
		t.Helper()
		up := action.NewUpgrade(helm)
		up.Namespace = namespace
		up.WaitStrategy, up.Timeout = kube.HookOnlyStrategy, time.Minute
		if _, err := up.RunWithContext(ctx, ChartRelease, ch, values); err != nil {
			t.Fatalf("helm upgrade: %v", err)
		}
		return observe(t, c)
	}
	same := upgrade(values)
	if diff := cmp.Diff(installed, same, cmp.AllowUnexported(state{})); diff != "" {
		t.Errorf("an upgrade without a change changed the installed release (-install +upgrade):\n%s", diff)
	}

	values["config"] = map[string]any{"exemptions": map[string]any{"usernames": []any{"ci-bot"}}}
	changed := upgrade(values)
	if !bytes.Equal(changed.caBundle, installed.caBundle) || !bytes.Equal(changed.secret.Data["tls.key"], installed.secret.Data["tls.key"]) {
		t.Error("a config change replaced the serving certificate or the CA bundle")
	}
	if changed.generation != installed.generation+1 ||
		changed.annotations["checksum/config"] == installed.annotations["checksum/config"] ||
		changed.annotations["checksum/certs"] != installed.annotations["checksum/certs"] {
		t.Errorf("a config change: generation %d -> %d, annotations %v -> %v; want one rollout by checksum/config only",
			installed.generation, changed.generation, installed.annotations, changed.annotations)
	}
}

// state is what an upgrade must keep or change.
type state struct {
	caBundle    []byte
	secret      corev1.Secret
	generation  int64
	annotations map[string]string
}

func observe(t *testing.T, c client.Client) state {
	t.Helper()
	ctx := t.Context()
	var s state
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(ctx, client.ObjectKey{Name: "govhook"}, vwc); err != nil {
		t.Fatal(err)
	}
	for i, w := range vwc.Webhooks {
		if i > 0 && !bytes.Equal(w.ClientConfig.CABundle, s.caBundle) {
			t.Errorf("%s has another caBundle than %s", w.Name, vwc.Webhooks[0].Name)
		}
		s.caBundle = w.ClientConfig.CABundle
	}
	secret := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "govhook-tls"}, secret); err != nil {
		t.Fatal(err)
	}
	s.secret = corev1.Secret{Data: secret.Data}
	dep := &appsv1.Deployment{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "govhook"}, dep); err != nil {
		t.Fatal(err)
	}
	s.generation, s.annotations = dep.Generation, dep.Spec.Template.Annotations
	for _, k := range []string{"checksum/config", "checksum/certs"} {
		if len(strings.TrimSpace(s.annotations[k])) != 64 {
			t.Errorf("pod template annotation %s = %q, want a SHA-256", k, s.annotations[k])
		}
	}
	return s
}
