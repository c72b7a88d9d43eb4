package certs

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"
)

const webhookConfig = `# registration comment
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: govhook}
webhooks:
- name: a.govhook.io # first
  clientConfig:
    service: {name: govhook, namespace: govhook-system, path: /validate, port: 443}
    caBundle: run-govhook-certs
  sideEffects: None
  admissionReviewVersions: [v1]
- name: b.govhook.io
  sideEffects: None
  admissionReviewVersions: [v1]
`

const otherObject = `apiVersion: v1
kind: Service
metadata: {name: govhook}
spec:
  ports: [{port: 443}]
`

func TestInjectCABundle(t *testing.T) {
	ca := generate(t, time.Hour).CACert
	tests := []struct {
		name         string
		in           string
		wantWebhooks int
		wantErr      error
	}{
		{"one configuration", webhookConfig, 2, nil},
		{"among other documents", otherObject + "---\n" + webhookConfig + "---\n" + webhookConfig, 4, nil},
		{"kustomize patch with the webhook names only", "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: govhook}\nwebhooks:\n- name: a.govhook.io\n", 1, nil},
		{"no configuration", otherObject, 0, ErrNoWebhooks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, n, err := InjectCABundle([]byte(tc.in), ca, time.Now())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if n != tc.wantWebhooks {
				t.Errorf("injected %d webhooks, want %d", n, tc.wantWebhooks)
			}
			inDocs, outDocs := strings.Split(tc.in, "\n---\n"), strings.Split(string(out), "\n---\n")
			if len(inDocs) != len(outDocs) {
				t.Fatalf("%d documents in, %d out:\n%s", len(inDocs), len(outDocs), out)
			}
			for i := range inDocs {
				wantDoc := expectInjected(t, inDocs[i], ca)
				var gotDoc map[string]any
				if err := yaml.Unmarshal([]byte(outDocs[i]), &gotDoc); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(wantDoc, gotDoc); diff != "" {
					t.Errorf("document %d (-want +got):\n%s", i, diff)
				}
			}
			if strings.Contains(tc.in, "# registration comment") && !strings.Contains(string(out), "# registration comment") {
				t.Errorf("comments lost:\n%s", out)
			}
		})
	}
}

// expectInjected decodes doc and sets the caBundle the way the apiserver's typed decoding
// would see it, for comparison.
func expectInjected(t *testing.T, doc string, ca []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	if m["kind"] != "ValidatingWebhookConfiguration" {
		return m
	}
	for _, w := range m["webhooks"].([]any) {
		w := w.(map[string]any)
		cc, _ := w["clientConfig"].(map[string]any)
		if cc == nil {
			cc = map[string]any{}
			w["clientConfig"] = cc
		}
		cc["caBundle"] = base64.StdEncoding.EncodeToString(ca)
	}
	return m
}

// TestInjectKeepsValidCAs rotates the CA twice: the bundle the apiserver gets trusts the new CA
// and every earlier CA that is still valid, so replicas that have not reloaded stay reachable.
func TestInjectKeepsValidCAs(t *testing.T) {
	now := time.Now()
	first, second, third := generate(t, 24*time.Hour).CACert, generate(t, 24*time.Hour).CACert, generate(t, 24*time.Hour).CACert
	tests := []struct {
		name  string
		steps [][]byte
		at    time.Time
		want  string
	}{
		{"placeholder replaced", [][]byte{first}, now, string(first)},
		{"old CA kept after the new one", [][]byte{first, second}, now, string(second) + string(first)},
		{"all valid CAs kept, newest first", [][]byte{first, second, third}, now, string(third) + string(second) + string(first)},
		{"same CA injected twice appears once", [][]byte{first, first}, now, string(first)},
		{"expired CAs dropped", [][]byte{first, second}, now.Add(48 * time.Hour), string(second)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := []byte(webhookConfig)
			for _, ca := range tc.steps {
				var err error
				if doc, _, err = InjectCABundle(doc, ca, tc.at); err != nil {
					t.Fatal(err)
				}
			}
			var vwc admissionregistrationv1.ValidatingWebhookConfiguration
			if err := yaml.UnmarshalStrict(doc, &vwc); err != nil {
				t.Fatal(err)
			}
			for _, w := range vwc.Webhooks {
				if diff := cmp.Diff(tc.want, string(w.ClientConfig.CABundle)); diff != "" {
					t.Errorf("webhook %s caBundle (-want +got):\n%s", w.Name, diff)
				}
			}
		})
	}
}

func TestInjectCABundleErrors(t *testing.T) {
	ca := generate(t, time.Hour).CACert
	tests := []struct {
		name, in string
		ca       []byte
	}{
		{"empty CA", webhookConfig, nil},
		{"CA not PEM", webhookConfig, []byte("not a certificate")},
		{"malformed YAML", "kind: [", ca},
		{"webhooks not a list", "kind: ValidatingWebhookConfiguration\nwebhooks: {a: b}\n", ca},
		{"clientConfig not a mapping", "kind: ValidatingWebhookConfiguration\nwebhooks:\n- name: a\n  clientConfig: x\n", ca},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if out, _, err := InjectCABundle([]byte(tc.in), tc.ca, time.Now()); err == nil {
				t.Fatalf("want an error, got:\n%s", out)
			}
		})
	}
}
