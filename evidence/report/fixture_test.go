package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
)

// admission is an allowed admission record of a Deployment named name, at the clock's time.
func admission(clock *testsupport.Clock, name string) *evidence.Record {
	return &evidence.Record{
		Type: evidence.TypeAdmission, ID: "id-" + name, Time: clock.Now(), UID: "uid-" + name, Operation: "CREATE",
		Kind: "apps/v1/Deployment", Namespace: "shop", Name: name, User: evidence.User{Username: "alice"},
		Decision: decision.OutcomeAllow, Violations: []decision.Finding{}, Exceptions: []decision.AppliedException{},
	}
}

// openWriter opens a writer on dir with the fake clock and no checkpoint timer.
func openWriter(t *testing.T, dir string, clock *testsupport.Clock, edit func(*evidence.Options)) *evidence.Writer {
	t.Helper()
	o := evidence.Options{Dir: dir, Replica: "r1", Now: clock.Now, CheckpointInterval: -1}
	if edit != nil {
		edit(&o)
	}
	w, err := evidence.Open(t.Context(), o)
	if err != nil {
		t.Fatalf("open writer: %v", err)
	}
	return w
}

func record(t *testing.T, w *evidence.Writer, r *evidence.Record) {
	t.Helper()
	if err := w.Record(t.Context(), r); err != nil {
		t.Fatalf("record %s: %v", r.Name, err)
	}
}

// lastSegment returns the newest segment file of a replica directory.
func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("segments of %s: %v %v", dir, paths, err)
	}
	slices.Sort(paths)
	return paths[len(paths)-1]
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// editLine rewrites line n (1-based) of a file with fn.
func editLine(t *testing.T, path string, n int, fn func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines[n-1] = fn(lines[n-1])
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o640); err != nil {
		t.Fatal(err)
	}
}
