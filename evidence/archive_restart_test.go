package evidence_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-logr/logr"

	"github.com/govhook/govhook/evidence"
)

// TestRestartAfterArchiveContinuesChain: segments archived and removed locally are not lost
// records. A writer reopened on a directory whose segments all went to the archive resumes
// the chain at the archived head (a "resumed" start record, no loss), and the archive plus
// the local tail verify as one intact chain.
func TestRestartAfterArchiveContinuesChain(t *testing.T) {
	_, archive := newArchive(t, evidence.ArchiveOptions{})
	dir := t.TempDir()
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: dir, Replica: "r1", Archive: archive, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	open := func() *evidence.Writer {
		t.Helper()
		w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1,
			OnSeal: archiver.Sealed, Guard: archiver.Guard, SealOnClose: true})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := open()
	for range 3 {
		if err := w.Record(t.Context(), &evidence.Record{Type: evidence.TypeAdmission, ID: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := archiver.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	segs, err := filepath.Glob(filepath.Join(dir, "r1", "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		if info, err := os.Stat(s); err != nil || info.Size() > 0 {
			t.Fatalf("segment %s still holds records after the archive drained", s)
		}
	}

	w = open()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := archiver.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	var starts []*evidence.Start
	v, err := evidence.Verify(t.Context(), []string{archive.URL(), dir}, evidence.VerifyOptions{
		Archives: map[string]*evidence.Archive{archive.URL(): archive},
		Visit: func(e evidence.Entry) {
			if e.Record.Type == evidence.TypeStart {
				starts = append(starts, e.Record.Start)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Intact() || len(v.Chains) != 1 {
		t.Fatalf("archive and local tail are not one intact chain: %+v", v)
	}
	chains := []string{}
	for _, s := range starts {
		chains = append(chains, s.Chain)
		if s.Lost != nil {
			t.Errorf("start record names a loss after archiving: %+v", s.Lost)
		}
	}
	if want := []string{evidence.ChainNew, evidence.ChainResumed}; !slices.Equal(chains, want) {
		t.Errorf("start records %v, want %v", chains, want)
	}
}
