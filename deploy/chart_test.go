package deploy

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/certs"
)

// chartCase is one set of values the chart is rendered with.
type chartCase struct {
	name   string
	values map[string]any
}

// selfSignedFiles returns what `govhook certs` makes for the chart's Service, as the values
// --set-file passes.
func selfSignedFiles(t *testing.T) (*certs.Bundle, map[string]any) {
	t.Helper()
	b, err := certs.Generate(certs.ServiceHosts("govhook", namespace), 24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return b, map[string]any{"certificates": map[string]any{"mode": "self-signed", "selfSigned": map[string]any{
		"caCert": string(b.CACert), "tlsCert": string(b.Cert), "tlsKey": string(b.Key),
	}}}
}

// chartCases are the default values and each certificate mode.
func chartCases(t *testing.T) []chartCase {
	_, files := selfSignedFiles(t)
	return []chartCase{
		{name: "defaults"},
		{name: "self-signed from govhook certs", values: files},
		{name: "cert-manager", values: map[string]any{"certificates": map[string]any{"mode": "cert-manager"}}},
	}
}

func renderChart(t *testing.T, values map[string]any) []object {
	t.Helper()
	out, err := RenderChart(ChartDir, namespace, values)
	if err != nil {
		t.Fatal(err)
	}
	return splitObjects(t, out)
}

func TestChartLints(t *testing.T) {
	kube, err := common.ParseKubeVersion(ChartKubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range chartCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			lint := action.NewLint()
			lint.Strict = true
			lint.Namespace = namespace
			lint.KubeVersion = kube
			res := lint.Run([]string{ChartDir}, tc.values)
			for _, m := range res.Messages {
				t.Logf("lint: %s", m)
			}
			if len(res.Errors) > 0 || res.TotalChartsLinted != 1 {
				t.Errorf("helm lint --strict: %d charts linted, errors %v", res.TotalChartsLinted, res.Errors)
			}
		})
	}
}

// TestChartRenders renders the chart for the defaults and each certificate mode and holds
// every rendering to the invariants of the kustomize variants.
func TestChartRenders(t *testing.T) {
	for _, tc := range chartCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			// the kustomize invariants include an archive and an IRSA role, which an install names
			values := baseInstallValues()
			maps.Copy(values, tc.values)
			objs := renderChart(t, values)
			checkObjects(t, objs)
			for _, o := range objs {
				if o.Metadata.Labels["app.kubernetes.io/managed-by"] != "Helm" {
					t.Errorf("%s lacks Helm's labels: %v", o.id(), o.Metadata.Labels)
				}
			}
			checkInstall(t, objs, false)
			mode := "self-signed"
			if tc.values != nil {
				mode = tc.values["certificates"].(map[string]any)["mode"].(string)
			}
			if mode == "self-signed" {
				checkServingCertificate(t, objs)
			}
		})
	}
}

// TestChartSelfSignedFromGovhookCerts checks that the files of `govhook certs` become the
// Secret and every webhook's caBundle as they are.
func TestChartSelfSignedFromGovhookCerts(t *testing.T) {
	b, values := selfSignedFiles(t)
	objs := renderChart(t, values)
	secret := find[corev1.Secret](t, objs, "Secret", "govhook-tls")
	want := map[string][]byte{"ca.crt": b.CACert, "tls.crt": b.Cert, "tls.key": b.Key}
	if diff := cmp.Diff(want, secret.Data); diff != "" {
		t.Errorf("Secret govhook-tls (-want +got):\n%s", diff)
	}
	for _, w := range find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook").Webhooks {
		if !bytes.Equal(w.ClientConfig.CABundle, b.CACert) {
			t.Errorf("%s: caBundle is not the CA of govhook certs", w.Name)
		}
	}
	// Half of the files is a mistake, not a reason to make a CA.
	delete(values["certificates"].(map[string]any)["selfSigned"].(map[string]any), "tlsKey")
	if _, err := RenderChart(ChartDir, namespace, values); err == nil || !strings.Contains(err.Error(), "give caCert, tlsCert and tlsKey together") {
		t.Errorf("render with caCert and tlsCert only: err = %v, want the three files asked for", err)
	}
}

// TestChartValues checks that each value reaches the objects it is for.
func TestChartValues(t *testing.T) {
	objs := renderChart(t, map[string]any{
		"replicas":            3,
		"image":               map[string]any{"repository": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/govhook", "digest": "sha256:" + strings.Repeat("ab", 32)},
		"resources":           map[string]any{"requests": map[string]any{"cpu": "200m", "memory": "256Mi"}, "limits": map[string]any{"cpu": "2", "memory": "512Mi"}},
		"serviceAccount":      map[string]any{"roleArn": "arn:aws:iam::123456789012:role/govhook-evidence"},
		"evidenceArchive":     map[string]any{"url": "s3://audit-evidence/govhook", "region": "eu-west-1"},
		"webhook":             map[string]any{"failurePolicy": "Ignore", "timeoutSeconds": 10, "excludedNamespaces": []any{"sandbox"}},
		"networkPolicy":       map[string]any{"webhookCIDRs": []any{"10.0.0.0/16"}},
		"antiAffinity":        "hard",
		"monitoring":          map[string]any{"serviceMonitor": map[string]any{"enabled": true}, "prometheusRule": map[string]any{"enabled": true}, "dashboard": map[string]any{"enabled": true}},
		"podDisruptionBudget": map[string]any{"minAvailable": 2},
	})
	checkObjects(t, objs)
	dep := find[appsv1.Deployment](t, objs, "Deployment", "govhook")
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	got := map[string]any{
		"replicas":      *dep.Spec.Replicas,
		"image":         c.Image,
		"memory limit":  c.Resources.Limits.Memory().String(),
		"hard affinity": len(pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution),
		"role":          find[corev1.ServiceAccount](t, objs, "ServiceAccount", "govhook").Annotations["eks.amazonaws.com/role-arn"],
		"cidr":          find[networkingv1.NetworkPolicy](t, objs, "NetworkPolicy", "govhook").Spec.Ingress[0].From[0].IPBlock.CIDR,
	}
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook")
	for _, w := range vwc.Webhooks {
		got[w.Name+" failurePolicy"] = string(*w.FailurePolicy)
		got[w.Name+" timeout"] = *w.TimeoutSeconds
		if w.Name == "validate.govhook.io" {
			got["excluded"] = w.NamespaceSelector.MatchExpressions[0].Values
		}
	}
	var cfg struct {
		Evidence struct {
			Archive map[string]any `json:"archive"`
		} `json:"evidence"`
	}
	if err := yaml.Unmarshal([]byte(find[corev1.ConfigMap](t, objs, "ConfigMap", "govhook-config").Data["config.yaml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	got["archive"] = cfg.Evidence.Archive
	kinds := map[string]bool{}
	for _, o := range objs {
		kinds[o.Kind+"/"+o.Metadata.Name] = true
	}
	got["monitoring"] = kinds["ServiceMonitor/govhook"] && kinds["PrometheusRule/govhook"] && kinds["ConfigMap/govhook-dashboard"]
	want := map[string]any{
		"replicas":                          int32(3),
		"image":                             "123456789012.dkr.ecr.eu-west-1.amazonaws.com/govhook@sha256:" + strings.Repeat("ab", 32),
		"memory limit":                      "512Mi",
		"hard affinity":                     1,
		"role":                              "arn:aws:iam::123456789012:role/govhook-evidence",
		"cidr":                              "10.0.0.0/16",
		"validate.govhook.io failurePolicy": "Ignore",
		"validate.govhook.io timeout":       int32(10),
		"aws-auth.govhook.io failurePolicy": "Ignore",
		"aws-auth.govhook.io timeout":       int32(10),
		// Self-protection never blocks a repair of govhook, whatever the value.
		"protected.govhook.io failurePolicy": "Ignore",
		"protected.govhook.io timeout":       int32(10),
		// Who creates in govhook's namespace follows the chosen failure policy.
		"own-namespace.govhook.io failurePolicy": "Ignore",
		"own-namespace.govhook.io timeout":       int32(10),
		"excluded":                               []string{"kube-system", namespace, "sandbox"},
		"archive":                                map[string]any{"url": "s3://audit-evidence/govhook", "region": "eu-west-1", "retentionDays": float64(400), "lockMode": "COMPLIANCE", "maxLocalBytes": float64(943718400)},
		"monitoring":                             true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values in the rendered objects (-want +got):\n%s", diff)
	}
}

// TestChartOtherNamespace: installed in another namespace, govhook's config names it as its
// own (MON-002), and own-namespace.govhook.io sends that namespace's creates.
func TestChartOtherNamespace(t *testing.T) {
	out, err := RenderChart(ChartDir, "policy", nil)
	if err != nil {
		t.Fatal(err)
	}
	objs := splitObjects(t, out)
	var cfg struct {
		Parameters map[string]any `json:"parameters"`
	}
	if err := yaml.Unmarshal([]byte(find[corev1.ConfigMap](t, objs, "ConfigMap", "govhook-config").Data["config.yaml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Parameters["govhookNamespace"]; got != "policy" {
		t.Errorf("parameters.govhookNamespace = %v, want the release namespace policy", got)
	}
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, objs, "ValidatingWebhookConfiguration", "govhook")
	for _, w := range vwc.Webhooks {
		if w.Name == "own-namespace.govhook.io" {
			if got := w.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]; got != "policy" {
				t.Errorf("%s selects namespace %q, want policy", w.Name, got)
			}
			return
		}
	}
	t.Error("no webhook own-namespace.govhook.io")
}

// TestChartSchemaRefusesBadValues checks that values.schema.json refuses bad values before
// anything renders, naming the value and what it must be.
func TestChartSchemaRefusesBadValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   []string
	}{
		{"unknown certificate mode", map[string]any{"certificates": map[string]any{"mode": "vault"}}, []string{"/certificates/mode", "'self-signed', 'cert-manager'"}},
		{"failure policy", map[string]any{"webhook": map[string]any{"failurePolicy": "Never"}}, []string{"/webhook/failurePolicy", "'Fail', 'Ignore'"}},
		{"timeout beyond the apiserver's limit", map[string]any{"webhook": map[string]any{"timeoutSeconds": 60}}, []string{"/webhook/timeoutSeconds", "30"}},
		{"replicas as text", map[string]any{"replicas": "two"}, []string{"/replicas", "integer"}},
		{"misspelt value", map[string]any{"replicaCount": 3}, []string{"replicaCount"}},
		{"image digest", map[string]any{"image": map[string]any{"digest": "latest"}}, []string{"/image/digest"}},
		{"role that is no ARN", map[string]any{"serviceAccount": map[string]any{"roleArn": "govhook-role"}}, []string{"/serviceAccount/roleArn"}},
		{"archive that is no S3 URL", map[string]any{"evidenceArchive": map[string]any{"url": "https://bucket"}}, []string{"/evidenceArchive/url"}},
		{"anti-affinity", map[string]any{"antiAffinity": "strict"}, []string{"/antiAffinity", "'soft', 'hard'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RenderChart(ChartDir, namespace, tc.values)
			if err == nil {
				t.Fatal("rendered; want the schema to refuse the values")
			}
			for _, w := range append([]string{"values don't meet the specifications of the schema"}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// baseInstallValues are the install-specific values deploy/base ships as placeholders (the
// archive bucket and the IRSA role), so that the chart renders the same objects.
func baseInstallValues() map[string]any {
	return map[string]any{
		"serviceAccount":  map[string]any{"roleArn": "arn:aws:iam::111122223333:role/govhook-evidence"},
		"evidenceArchive": map[string]any{"url": "s3://govhook-evidence-111122223333-us-east-1/govhook", "region": "us-east-1"},
	}
}

// TestChartMatchesKustomize holds the chart's rendering to the kustomize variant it replaces:
// the same kinds and names, and each object the same but for what only Helm adds (its labels,
// the checksums, the keep policy on the namespace) and what each install makes anew (keys and
// certificates). A change to deploy/base or deploy/monitoring fails here until the chart
// follows it.
func TestChartMatchesKustomize(t *testing.T) {
	r := renderAll(t)
	image := kustomizeImage(t)
	for _, tc := range []struct {
		name, variant string
		values        map[string]any
		only          func(object) bool
	}{
		{name: "defaults", variant: "overlays/self-signed", values: baseInstallValues()},
		{name: "cert-manager", variant: "overlays/cert-manager", values: maps.Collect(func(yield func(string, any) bool) {
			for k, v := range baseInstallValues() {
				yield(k, v)
			}
			yield("certificates", map[string]any{"mode": "cert-manager"})
		})},
		{name: "monitoring", variant: "monitoring",
			values: map[string]any{"monitoring": map[string]any{"serviceMonitor": map[string]any{"enabled": true}, "prometheusRule": map[string]any{"enabled": true}, "dashboard": map[string]any{"enabled": true}}},
			only: func(o object) bool {
				return o.Kind == "ServiceMonitor" || o.Kind == "PrometheusRule" || o.Metadata.Name == "govhook-dashboard"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chart := normalized(t, renderChart(t, tc.values), tc.only)
			kustomize := normalized(t, r.variants[tc.variant], nil)
			if diff := cmp.Diff(slices.Sorted(maps.Keys(kustomize)), slices.Sorted(maps.Keys(chart))); diff != "" {
				t.Fatalf("objects of %s (-want) and of the chart (+got):\n%s", tc.variant, diff)
			}
			for id, want := range kustomize {
				if diff := cmp.Diff(want, chart[id]); diff != "" {
					t.Errorf("%s: %s (-want) and the chart (+got) differ:\n%s", id, tc.variant, diff)
				}
			}
		})
	}
	dep := find[appsv1.Deployment](t, renderChart(t, nil), "Deployment", "govhook")
	if got := dep.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Errorf("the chart's default image %s, kustomize's %s", got, image)
	}
}

// kustomizeImage is the image deploy/base installs.
func kustomizeImage(t *testing.T) string {
	t.Helper()
	var k struct {
		Images []struct{ NewName, NewTag string } `json:"images"`
	}
	if err := yaml.Unmarshal(mustRead(t, "base/kustomization.yaml"), &k); err != nil || len(k.Images) != 1 {
		t.Fatalf("deploy/base/kustomization.yaml: want one image, err %v", err)
	}
	return k.Images[0].NewName + ":" + k.Images[0].NewTag
}

// helmOnly are the labels and annotations only the chart sets.
var helmOnly = []string{"helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance", "app.kubernetes.io/version", "helm.sh/resource-policy", "checksum/config", "checksum/certs"}

// normalized decodes objects by id, keeping those only selects, without what differs by
// design between the chart and kustomize.
func normalized(t *testing.T, objs []object, only func(object) bool) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range objs {
		if only != nil && !only(o) {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(o.doc, &m); err != nil {
			t.Fatal(err)
		}
		strip(m, "metadata")
		if meta := m["metadata"].(map[string]any); meta["creationTimestamp"] == nil {
			delete(meta, "creationTimestamp") // govhook certs writes it as null
		}
		switch o.Kind {
		case "Deployment":
			tmpl := m["spec"].(map[string]any)["template"].(map[string]any)
			strip(tmpl, "metadata")
			for _, c := range tmpl["spec"].(map[string]any)["containers"].([]any) {
				delete(c.(map[string]any), "image") // compared on its own
			}
		case "Secret":
			delete(m, "data") // a new key pair each time
		case "ValidatingWebhookConfiguration":
			for _, w := range m["webhooks"].([]any) {
				delete(w.(map[string]any)["clientConfig"].(map[string]any), "caBundle")
			}
		case "ConfigMap":
			if cfg, ok := m["data"].(map[string]any)["config.yaml"].(string); ok { // same settings, other comments
				var parsed any
				if err := yaml.Unmarshal([]byte(cfg), &parsed); err != nil {
					t.Fatal(err)
				}
				m["data"].(map[string]any)["config.yaml"] = parsed
			}
		}
		out[o.Kind+" "+o.Metadata.Namespace+"/"+o.Metadata.Name] = m
	}
	return out
}

// strip removes the Helm-only labels and annotations from obj[key] (object metadata).
func strip(obj map[string]any, key string) {
	meta, _ := obj[key].(map[string]any)
	for _, field := range []string{"labels", "annotations"} {
		fields, _ := meta[field].(map[string]any)
		for _, k := range helmOnly {
			delete(fields, k)
		}
		if fields != nil && len(fields) == 0 {
			delete(meta, field)
		}
	}
}

// TestChartVersion checks that the chart installs the govhook release kustomize does.
func TestChartVersion(t *testing.T) {
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(mustRead(t, ChartDir+"/Chart.yaml"), &chart); err != nil {
		t.Fatal(err)
	}
	image := kustomizeImage(t)
	if _, tag, _ := strings.Cut(image, ":"); chart.AppVersion != tag {
		t.Errorf("Chart.yaml appVersion %q, deploy/base installs %s", chart.AppVersion, image)
	}
}
