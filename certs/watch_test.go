package certs

import (
	"crypto/x509"
	"sync"
	"testing"
	"time"
)

// TestWatcherReloads rotates the files under a started watcher and waits for the new
// certificate to be served and reported.
func TestWatcherReloads(t *testing.T) {
	dir := t.TempDir()
	first := generate(t, 24*time.Hour)
	if err := first.Write(dir); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reported []time.Time
	w, err := NewWatcher(dir, 100*time.Millisecond, func(leaf *x509.Certificate) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, leaf.NotAfter)
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.Start(t.Context()) }()

	second := generate(t, 48*time.Hour)
	if err := second.Write(dir); err != nil {
		t.Fatal(err)
	}
	want := parseCert(t, second.Cert)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := w.GetCertificate(nil)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		last := reported[len(reported)-1]
		mu.Unlock()
		if c.Leaf.SerialNumber.Cmp(want.SerialNumber) == 0 && last.Equal(want.NotAfter) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after rotation the watcher serves serial %v and reported %v; want serial %v expiring %v", c.Leaf.SerialNumber, reported, want.SerialNumber, want.NotAfter)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if firstLeaf := parseCert(t, first.Cert); !reported[0].Equal(firstLeaf.NotAfter) {
		t.Errorf("first report %v, want the initial certificate's expiry %v", reported[0], firstLeaf.NotAfter)
	}
}

func TestNewWatcherMissingFiles(t *testing.T) {
	if _, err := NewWatcher(t.TempDir(), 0, nil); err == nil {
		t.Fatal("want an error for a directory without tls.crt/tls.key")
	}
}
