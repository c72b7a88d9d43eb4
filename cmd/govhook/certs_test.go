package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// baseWebhookConfig is the registration deploy/ ships; govhook certs must inject into it.
const baseWebhookConfig = "../../deploy/base/validatingwebhookconfiguration.yaml"

func TestCertsCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "certs")
	manifest := filepath.Join(dir, "webhook.yaml")
	data, err := os.ReadFile(baseWebhookConfig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, data, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := govhook(t, "", "certs", "--service", "govhook", "--namespace", "govhook-system", "--out", out, "--inject", manifest)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "injected the caBundle into 4 webhooks") {
		t.Errorf("stdout = %q", stdout)
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ca, crt, key := read("ca.crt"), read("tls.crt"), read("tls.key")
	for _, name := range []string{"tls.key", "secret.yaml"} {
		if info, err := os.Stat(filepath.Join(out, name)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v (%v), want 0600", name, info.Mode().Perm(), err)
		}
	}

	var secret corev1.Secret
	if err := yaml.UnmarshalStrict(read("secret.yaml"), &secret); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]byte{"ca.crt": ca, "tls.crt": crt, "tls.key": key}, secret.Data); diff != "" {
		t.Errorf("secret data (-want +got):\n%s", diff)
	}
	if secret.Name != SecretName || secret.Namespace != "govhook-system" || secret.Type != corev1.SecretTypeTLS {
		t.Errorf("secret %s/%s type %s", secret.Namespace, secret.Name, secret.Type)
	}

	injected, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var got, want admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(injected, &got); err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &want); err != nil {
		t.Fatal(err)
	}
	for i := range want.Webhooks {
		want.Webhooks[i].ClientConfig.CABundle = ca
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("injected configuration (-want +got):\n%s", diff)
	}
}

func TestCertsCommandUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "certs")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no flags", []string{"certs"}, "--service is required"},
		{"no out", []string{"certs", "--service", "govhook", "--namespace", "govhook-system"}, "--out is required"},
		{"missing inject file", []string{"certs", "--service", "govhook", "--namespace", "govhook-system", "--out", out, "--inject", filepath.Join(dir, "nope.yaml")}, "read manifest to inject"},
		{"inject file without webhooks", []string{"certs", "--service", "govhook", "--namespace", "govhook-system", "--out", out, "--inject", "../../deploy/examples/compliant-deployment.yaml"}, "no ValidatingWebhookConfiguration webhooks found"},
		{"zero validity", []string{"certs", "--service", "govhook", "--namespace", "govhook-system", "--out", out, "--validity", "0s"}, "--validity must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := govhook(t, "", tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed run wrote %s", out)
			}
		})
	}
}
