package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govhook/govhook/certs"
)

// served is a running `govhook serve` process.
type served struct {
	port        int
	metricsAddr string
	logs        *bytes.Buffer
}

// startServe runs `govhook serve` with args plus free --port and --metrics-bind-address on
// loopback, waits until /readyz answers 200, and stops the process when the test ends.
func startServe(t *testing.T, args ...string) served {
	t.Helper()
	s := served{port: freePort(t), metricsAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), logs: &bytes.Buffer{}}
	args = append([]string{"serve", "--port", fmt.Sprint(s.port), "--metrics-bind-address", s.metricsAddr}, args...)
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOVHOOK_RUN_MAIN=1")
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 100 {
		resp, err := http.Get("http://" + s.metricsAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("serve never became ready; logs:\n%s", s.logs.String())
	return s
}

// metric returns the value of an unlabelled metric from /metrics.
func (s served) metric(t *testing.T, name string) (float64, bool) {
	t.Helper()
	resp, err := http.Get("http://" + s.metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", name, err)
			}
			return f, true
		}
	}
	return 0, false
}

// presented returns the certificate the server presents in a new TLS handshake (unverified:
// the caller checks it, so that a not-yet-rotated certificate is an answer, not an error).
func (s served) presented(t *testing.T) *x509.Certificate {
	t.Helper()
	conn, err := tls.Dial("tcp", net.JoinHostPort("localhost", fmt.Sprint(s.port)), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // verified by the caller
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

// verify checks that leaf is valid for localhost under the CA in caPEM.
func verify(t *testing.T, leaf *x509.Certificate, caPEM []byte) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: pool}); err != nil {
		t.Fatalf("presented certificate does not verify: %v", err)
	}
}

func localhostBundle(t *testing.T, validity time.Duration) (*certs.Bundle, *x509.Certificate) {
	t.Helper()
	b, err := certs.Generate([]string{"localhost", "127.0.0.1"}, validity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	return b, pair.Leaf
}

// writeRotated replaces tls.crt and tls.key the way a Secret volume update does: the new files
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
	dir := t.TempDir()
	certDir := filepath.Join(dir, "certs")
	first, firstLeaf := localhostBundle(t, 24*time.Hour)
	if err := first.Write(certDir); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--cert-dir", certDir, "--evidence-dir", filepath.Join(dir, "evidence"), "--replica", "r1")

	got := s.presented(t)
	verify(t, got, first.CACert)
	if got.SerialNumber.Cmp(firstLeaf.SerialNumber) != 0 {
		t.Fatalf("presented serial %v, want %v", got.SerialNumber, firstLeaf.SerialNumber)
	}
	if got, ok := s.metric(t, "govhook_certificate_expiry_timestamp_seconds"); !ok || got != float64(firstLeaf.NotAfter.Unix()) {
		t.Fatalf("govhook_certificate_expiry_timestamp_seconds = %v (present %v), want %d", got, ok, firstLeaf.NotAfter.Unix())
	}

	second, secondLeaf := localhostBundle(t, 48*time.Hour)
	writeRotated(t, certDir, second)
	// File events usually land within milliseconds; the poll (certPollInterval) is the bound.
	deadline := time.Now().Add(3 * certPollInterval)
	for {
		got = s.presented(t)
		expiry, _ := s.metric(t, "govhook_certificate_expiry_timestamp_seconds")
		if got.SerialNumber.Cmp(secondLeaf.SerialNumber) == 0 && expiry == float64(secondLeaf.NotAfter.Unix()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after rotation: presented serial %v and expiry %v, want %v and %d; logs:\n%s",
				got.SerialNumber, expiry, secondLeaf.SerialNumber, secondLeaf.NotAfter.Unix(), s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	verify(t, got, second.CACert)
}
