package certs

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// NewWatcher loads tls.crt and tls.key from dir and returns a watcher that serves them
// (GetCertificate, for tls.Config) and reloads them when the files change: on file events, and
// every poll interval for the symlink swaps of Kubernetes Secret volumes that events can miss.
// onChange, when set, is called with the leaf certificate now and after every reload, in its
// own goroutine for reloads. Start the watcher with its Start method.
func NewWatcher(dir string, poll time.Duration, onChange func(leaf *x509.Certificate)) (*certwatcher.CertWatcher, error) {
	w, err := certwatcher.New(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, fmt.Errorf("load serving certificate from %s: %w", dir, err)
	}
	if poll > 0 {
		w = w.WithWatchInterval(poll)
	}
	if onChange != nil {
		w.RegisterCallback(func(c tls.Certificate) {
			if leaf := leafOf(c); leaf != nil {
				onChange(leaf)
			}
		})
	}
	return w, nil
}

// leafOf returns the parsed leaf of c (tls.X509KeyPair fills Leaf; parse it if a GODEBUG
// setting turned that off).
func leafOf(c tls.Certificate) *x509.Certificate {
	if c.Leaf != nil {
		return c.Leaf
	}
	if len(c.Certificate) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}
