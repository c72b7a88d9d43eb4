package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
)

// Server timeouts: every one is shorter than the webhook's timeoutSeconds (5 s), so a slow or
// stalled client holds a connection and its buffers for seconds, not minutes.
const (
	DefaultReadHeaderTimeout = 2 * time.Second
	DefaultReadTimeout       = 4 * time.Second
	DefaultWriteTimeout      = 6 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	// DefaultDrainTimeout bounds how long shutdown waits for requests in flight; it fits in
	// the pod's terminationGracePeriodSeconds after the preStop sleep.
	DefaultDrainTimeout = 15 * time.Second
	maxHeaderBytes      = 64 << 10
)

// aeadSuites are the TLS 1.2 cipher suites served: ECDHE with an AEAD only (no CBC, no SHA-1
// MACs, no RSA key exchange). TLS 1.3 suites are not configurable and are all AEAD.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// Server serves a Handler over TLS with bounded timeouts, HTTP/1.1 only, and a drained
// shutdown: when its context ends it stops accepting, lets the requests in flight finish with
// their real decisions (their contexts are not cancelled), and only then returns.
type Server struct {
	// Handler answers the requests (usually a mux with the Handler on ValidatePath).
	Handler http.Handler
	// GetCertificate returns the serving certificate (reloaded on rotation).
	GetCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// ClientCAs, when set, makes a client certificate signed by one of them mandatory.
	ClientCAs *x509.CertPool
	// DrainTimeout bounds the wait for requests in flight at shutdown; zero means
	// DefaultDrainTimeout.
	DrainTimeout time.Duration
	Log          logr.Logger

	started atomic.Bool
}

// TLSConfig is the server's TLS configuration: TLS 1.2+ with AEAD suites, HTTP/1.1 only in
// ALPN (no HTTP/2 and its rapid-reset class of attacks), client certificates when ClientCAs
// is set.
func (s *Server) TLSConfig() *tls.Config {
	c := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   aeadSuites,
		NextProtos:     []string{"http/1.1"},
		GetCertificate: s.GetCertificate,
	}
	if s.ClientCAs != nil {
		c.ClientCAs, c.ClientAuth = s.ClientCAs, tls.RequireAndVerifyClientCert
	}
	return c
}

// Serve accepts on ln until ctx ends, then drains.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         s.TLSConfig(),
		// A non-nil empty map turns HTTP/2 off.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		// Requests do not inherit ctx: SIGTERM must not cancel a decision in progress.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	var fresh freshConns
	srv.ConnState = fresh.track
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
	s.started.Store(true)
	select {
	case err := <-done:
		return fmt.Errorf("webhook server: %w", err)
	case <-ctx.Done():
	}
	drain := s.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}
	s.Log.Info("draining requests in flight", "timeout", drain.String())
	// Stop accepting, answer with "Connection: close", and give the connections already
	// accepted the time to send their request before Shutdown: net/http closes, unanswered,
	// a connection whose request it reads once Shutdown has begun.
	srv.SetKeepAlivesEnabled(false)
	var err error
	if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	if serr := <-done; serr != nil && !errors.Is(serr, net.ErrClosed) && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	fresh.wait(DefaultReadHeaderTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("drain webhook server: %w", err)
	}
	return nil
}

// freshConns tracks the connections accepted whose first request has not been read yet.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == http.StateNew {
		if f.conns == nil {
			f.conns = map[net.Conn]bool{}
		}
		f.conns[c] = true
		return
	}
	delete(f.conns, c)
}

// wait returns once no connection waits for its first request to be read, or after limit
// (past ReadHeaderTimeout such a connection is dropped anyway).
func (f *freshConns) wait(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		n := len(f.conns)
		f.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Started reports whether the server accepts connections (a readiness check).
func (s *Server) Started(*http.Request) error {
	if !s.started.Load() {
		return errors.New("webhook server not started")
	}
	return nil
}
