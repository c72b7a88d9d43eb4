package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govhook/govhook/config"
)

// configMapDir lays out a directory the way the kubelet projects a ConfigMap: the data lives in
// a timestamped directory, ..data links to it, and config.yaml links through ..data.
type configMapDir struct {
	t   *testing.T
	dir string
	n   int
}

func newConfigMapDir(t *testing.T, content string) *configMapDir {
	d := &configMapDir{t: t, dir: t.TempDir()}
	d.swap(content)
	if err := os.Symlink(filepath.Join("..data", "config.yaml"), filepath.Join(d.dir, "config.yaml")); err != nil {
		t.Fatal(err)
	}
	return d
}

// swap publishes content as the kubelet does: a new data directory, then an atomic rename of
// a fresh symlink over ..data.
func (d *configMapDir) swap(content string) {
	d.n++
	version := "..2026_11_28_0" + string(rune('0'+d.n))
	if err := os.Mkdir(filepath.Join(d.dir, version), 0o755); err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, version, "config.yaml"), []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
	tmp := filepath.Join(d.dir, "..data_tmp")
	if err := os.Symlink(version, tmp); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(d.dir, "..data")); err != nil {
		d.t.Fatal(err)
	}
}

func (d *configMapDir) path() string { return filepath.Join(d.dir, "config.yaml") }

// event is one report of the watcher: a reloaded config's digest or a rejection.
type event struct {
	digest   string
	rejected string
}

func TestWatcherFollowsConfigMapSwaps(t *testing.T) {
	warn := edit("POD-030: audit", "POD-030: warn")
	d := newConfigMapDir(t, validConfig)
	opts := []config.Option{config.KnownPolicies(catalogIDs), config.Clock(func() time.Time { return today })}
	current, err := config.Load(d.path(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan event, 10)
	w := &config.Watcher{
		Path:     d.path(),
		Options:  opts,
		Interval: 5 * time.Millisecond,
		Reloaded: func(c *config.Config) { events <- event{digest: c.Digest()} },
		Rejected: func(err error) { events <- event{rejected: err.Error()} },
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, current) }()
	next := func() event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("the watcher reported nothing")
			return event{}
		}
	}

	// The same content republished is not a reload; a changed one is.
	d.swap(validConfig)
	d.swap(warn)
	want, _ := parse(warn)
	if e := next(); e.digest != want.Digest() {
		t.Fatalf("after swapping in a new config: %+v, want reload with digest %s", e, want.Digest())
	}

	// A bad version is rejected, once, and a good one after it is loaded.
	d.swap(edit("POD-030: audit", "POD-030: block"))
	if e := next(); !strings.Contains(e.rejected, `enforcement.policies.POD-030: action "block" must be deny, warn or audit`) {
		t.Fatalf("after swapping in a bad config: %+v, want a rejection naming the field", e)
	}
	d.swap(validConfig)
	if e := next(); e.digest != current.Digest() {
		t.Fatalf("after swapping back: %+v, want reload with digest %s (and no repeated rejection)", e, current.Digest())
	}

	// A file that cannot be read is reported, and the config in force stays.
	if err := os.Remove(filepath.Join(d.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if e := next(); !strings.Contains(e.rejected, "no such file") {
		t.Fatalf("after removing the file: %+v, want a read error", e)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v after cancel, want nil", err)
	}
}
