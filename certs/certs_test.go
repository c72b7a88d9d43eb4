package certs

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func generate(t *testing.T, validity time.Duration) *Bundle {
	t.Helper()
	b, err := Generate(ServiceHosts("govhook", "govhook-system"), validity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseCert(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM block")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServiceCertificate checks that the serving certificate verifies against the CA for every
// name the apiserver or an in-cluster client may use, and for no other.
func TestServiceCertificate(t *testing.T) {
	b := generate(t, 24*time.Hour)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b.CACert) {
		t.Fatal("CA does not parse")
	}
	leaf := parseCert(t, b.Cert)
	tests := []struct {
		host   string
		wantOK bool
	}{
		{"govhook", true},
		{"govhook.govhook-system", true},
		{"govhook.govhook-system.svc", true},
		{"govhook.govhook-system.svc.cluster.local", true},
		{"govhook.default.svc", false},
		{"localhost", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			_, err := leaf.Verify(x509.VerifyOptions{DNSName: tc.host, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
			if (err == nil) != tc.wantOK {
				t.Fatalf("verify %s: err = %v, want ok = %v", tc.host, err, tc.wantOK)
			}
		})
	}
}

func TestSecret(t *testing.T) {
	b := generate(t, time.Hour)
	out, err := b.Secret("govhook-tls", "govhook-system")
	if err != nil {
		t.Fatal(err)
	}
	var got corev1.Secret
	if err := yaml.UnmarshalStrict(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"tls.crt": b.Cert, "tls.key": b.Key, "ca.crt": b.CACert}
	if diff := cmp.Diff(want, got.Data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if got.Kind != "Secret" || got.APIVersion != "v1" || got.Name != "govhook-tls" || got.Namespace != "govhook-system" || got.Type != corev1.SecretTypeTLS {
		t.Errorf("header = %s %s %s/%s type %s, want v1 Secret govhook-system/govhook-tls type kubernetes.io/tls", got.APIVersion, got.Kind, got.Namespace, got.Name, got.Type)
	}
}

// TestWriteReplacesAWorldReadableKey reproduces issue 16 row 10: writing over an existing
// 0644 tls.key left the new private key 0644.
func TestWriteReplacesAWorldReadableKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Generate([]string{"localhost"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("tls.key mode %o, want 0600", fi.Mode().Perm())
	}
	got, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if string(got) != string(b.Key) {
		t.Error("tls.key does not hold the new key")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
