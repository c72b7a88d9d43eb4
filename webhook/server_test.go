package webhook_test

import (
	"context"
	"encoding/json"

	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	admissionv1 "k8s.io/api/admission/v1"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/govhook/govhook/certs"
	"github.com/govhook/govhook/internal/evidencetest"
	"github.com/govhook/govhook/webhook"
)

// startServer serves h over TLS on a loopback port; it returns the address, a client trust
// pool and a stop func that drains and returns Serve's error.
func startServer(t *testing.T, h http.Handler) (string, *x509.CertPool, func() error) {
	t.Helper()
	b, err := certs.Generate([]string{"127.0.0.1"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b.CACert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &webhook.Server{Handler: h, Log: logr.Discard(),
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }}
	ctx, cancel := contextWithCancel(t)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	var serr error
	stop := func() error {
		once.Do(func() { cancel(); serr = <-done })
		return serr
	}
	t.Cleanup(func() { _ = stop() })
	return ln.Addr().String(), pool, stop
}

// TestServerTLS reproduces issue 16 row 11: HTTP/2 was offered through ALPN and CBC-SHA1
// suites were accepted on TLS 1.2.
func TestServerTLS(t *testing.T) {
	addr, pool, _ := startServer(t, http.NotFoundHandler())
	t.Run("HTTP/2 is not negotiated", func(t *testing.T) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if got := conn.ConnectionState().NegotiatedProtocol; got == "h2" {
			t.Errorf("negotiated %q, want HTTP/1.1 only", got)
		}
	})
	t.Run("CBC suites are refused on TLS 1.2", func(t *testing.T) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA}})
		if err == nil {
			conn.Close()
			t.Fatalf("handshake with CBC-only suites succeeded (%s)", tls.CipherSuiteName(conn.ConnectionState().CipherSuite))
		}
	})
	t.Run("an AEAD suite on TLS 1.2 is served", func(t *testing.T) {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
	})
}

// TestServerClosesStalledBodies reproduces issue 16 row 2: connections that sent part of a
// body and stalled were held (with their buffers) for as long as the client liked. The
// server must close such a connection by itself (its read timeout), well before this test's
// own guard.
func TestServerClosesStalledBodies(t *testing.T) {
	addr, pool, _ := startServer(t, newHandler(t, &evidencetest.Memory{}))
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"apiVersion\":")
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute)) // the guard, not the assertion
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a stalled connection open for a minute")
	}
}

// TestServerDrainsRequestsInFlight reproduces issue 16 row 4: on SIGTERM the requests in
// flight were refused with "context canceled". Shutting the server down with N requests in
// flight must answer all N with their real decisions.
func TestServerDrainsRequestsInFlight(t *testing.T) {
	const n = 8
	gate := make(chan struct{})
	arrived := make(chan struct{}, n)
	h := newHandler(t, &evidencetest.Memory{})
	h.Deadline = time.Minute
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-gate // hold every request in flight until shutdown has begun
		h.ServeHTTP(w, r)
	})
	addr, pool, stop := startServer(t, slow)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	type answer struct {
		allowed bool
		code    int32
		err     error
	}
	answers := make(chan answer, n)
	for range n {
		go func() {
			resp, err := client.Post("https://"+addr+"/validate", "application/json", strings.NewReader(reviewBody("CREATE", privilegedPod, "null")))
			if err != nil {
				answers <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			var a answer
			body, _ := io.ReadAll(resp.Body)
			r := decodeBody(t, body)
			if r == nil {
				a.err = errors.New("not a review: " + string(body))
			} else {
				a.allowed = r.Allowed
				if r.Result != nil {
					a.code = r.Result.Code
				}
			}
			answers <- a
		}()
	}
	for range n {
		<-arrived
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(50 * time.Millisecond) // let Shutdown begin; the outcome does not depend on it
	close(gate)
	for range n {
		a := <-answers
		if a.err != nil || a.allowed || a.code != 403 {
			t.Errorf("answer %+v, want the real decision: denied 403", a)
		}
	}
	if err := <-stopped; err != nil {
		t.Errorf("drain: %v", err)
	}
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

func decodeBody(t *testing.T, body []byte) *admissionv1.AdmissionResponse {
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &out); err != nil || out.Response == nil {
		return nil
	}
	return out.Response
}
