package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govhook/govhook/certs"
)

// certificateExpiry reads govhook_certificate_expiry_timestamp_seconds from /metrics.
func (s *servedWebhook) certificateExpiry() (float64, bool) {
	s.t.Helper()
	for line := range strings.Lines(s.metrics()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "govhook_certificate_expiry_timestamp_seconds "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				s.t.Fatalf("certificate expiry metric: %v", err)
			}
			return f, true
		}
	}
	return 0, false
}

// presented returns the certificate the webhook presents in a new TLS handshake, unverified:
// the caller checks it, so that a not-yet-rotated certificate is an answer, not an error.
func (s *servedWebhook) presented() *x509.Certificate {
	s.t.Helper()
	u, err := url.Parse(s.url)
	if err != nil {
		s.t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // verified by the caller
	if err != nil {
		s.t.Fatalf("handshake: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

// verifyLocalhost checks that leaf is valid for localhost under the CA in caPEM.
func verifyLocalhost(t *testing.T, leaf *x509.Certificate, caPEM []byte) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: pool}); err != nil {
		t.Fatalf("presented certificate does not verify: %v", err)
	}
}

func readLeaf(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(mustReadFile(t, path))
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeRotated replaces the files in dir the way a Secret volume update does: the new files
// appear under their names by rename, never half written.
func writeRotated(t *testing.T, dir string, b *certs.Bundle) {
	t.Helper()
	staging := t.TempDir()
	if err := b.Write(staging); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{certs.KeyFile, certs.CertFile, certs.CAFile} {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServeReloadsCertificate rotates the serving certificate under a running server: a new
// handshake presents the new certificate and the expiry gauge follows, with no restart.
func TestServeReloadsCertificate(t *testing.T) {
	s := startServe(t) // --dev writes the first certificate into s.certDir
	certDir := s.certDir

	first := readLeaf(t, filepath.Join(certDir, certs.CertFile))
	got := s.presented()
	verifyLocalhost(t, got, mustReadFile(t, filepath.Join(certDir, certs.CAFile)))
	if got.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Fatalf("presented serial %v, want %v", got.SerialNumber, first.SerialNumber)
	}
	if expiry, ok := s.certificateExpiry(); !ok || expiry != float64(first.NotAfter.Unix()) {
		t.Fatalf("govhook_certificate_expiry_timestamp_seconds = %v (present %v), want %d", expiry, ok, first.NotAfter.Unix())
	}

	second, err := certs.Generate([]string{"localhost", "127.0.0.1"}, 30*24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writeRotated(t, certDir, second)
	secondLeaf := readLeaf(t, filepath.Join(certDir, certs.CertFile))
	// File events usually land within milliseconds; the poll (certPollInterval) bounds the wait.
	deadline := time.Now().Add(3 * certPollInterval)
	for {
		got = s.presented()
		expiry, _ := s.certificateExpiry()
		if got.SerialNumber.Cmp(secondLeaf.SerialNumber) == 0 && expiry == float64(secondLeaf.NotAfter.Unix()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after rotation: presented serial %v and expiry %v, want %v and %d; logs:\n%s",
				got.SerialNumber, expiry, secondLeaf.SerialNumber, secondLeaf.NotAfter.Unix(), s.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	verifyLocalhost(t, got, second.CACert)
}

func TestGoMemoryLimitLeavesRoomForTheBinary(t *testing.T) {
	// At the Deployment's 256Mi, the Go runtime gets 60%: the binary's mapped pages (about
	// 50 MiB resident) and kernel buffers count against the container's limit too.
	const container = 256 << 20
	if got, want := goMemoryLimit(container), int64(container/100*60); got != want {
		t.Errorf("goMemoryLimit(256Mi) = %d, want %d", got, want)
	}
	if got := goMemoryLimit(container); container-got < 96<<20 {
		t.Errorf("goMemoryLimit(256Mi) leaves %d MiB outside the Go runtime, want at least 96 MiB", (container-got)>>20)
	}
}
