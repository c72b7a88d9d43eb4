package webhook_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/go-logr/logr"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
	"github.com/govhook/govhook/webhook"
)

// fullFile is a segment on a disk that is full while full is set.
type fullFile struct {
	*os.File
	full *atomic.Bool
}

func (f fullFile) Write(p []byte) (int, error) {
	if f.full.Load() {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

// TestReadinessFailsWhileEvidenceCannotBeWritten reproduces issue 16 row 7: every request
// got 500 because the evidence writer could not write, while /readyz said 200. Readiness
// names the write error until the writer writes again.
func TestReadinessFailsWhileEvidenceCannotBeWritten(t *testing.T) {
	var full atomic.Bool
	clock := testsupport.NewClock()
	w, err := evidence.Open(t.Context(), evidence.Options{
		Dir: t.TempDir(), Replica: "r1", Now: clock.Now, CheckpointInterval: -1, Log: logr.Discard(),
		OpenFile: func(path string) (evidence.File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			return fullFile{File: f, full: &full}, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	ready := httptest.NewServer(webhook.Readiness{
		"evidence": func(*http.Request) error { return w.Healthy() },
		"webhook":  func(*http.Request) error { return nil },
	})
	t.Cleanup(ready.Close)
	probe := func() (int, string) {
		t.Helper()
		resp, err := http.Get(ready.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := probe(); code != http.StatusOK {
		t.Fatalf("healthy writer: /readyz %d %q, want 200", code, body)
	}

	full.Store(true)
	rec := &evidence.Record{Type: evidence.TypeAdmission, Time: clock.Now(), Name: "a"}
	if err := w.Record(t.Context(), rec); !errors.Is(err, evidence.ErrWriterFailed) {
		t.Fatalf("record on a full disk: %v", err)
	}
	code, body := probe()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "[-]evidence failed: evidence writer failed: write evidence segment:") ||
		!strings.Contains(body, "no space left on device") || !strings.Contains(body, "[+]webhook ok") {
		t.Fatalf("full disk: /readyz %d\n%s\nwant 503 naming the write error", code, body)
	}

	full.Store(false)
	clock.Add(evidence.DefaultRetryInterval)
	if code, body := probe(); code != http.StatusOK {
		t.Fatalf("disk writable again: /readyz %d\n%s\nwant 200", code, body)
	}
}
