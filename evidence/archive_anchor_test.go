package evidence_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/testsupport"
	"github.com/govhook/govhook/test/s3store"
)

// TestArchiveLatestAnchor: Latest finds the highest seq among a replica's anchor objects,
// however they are spread, and nil for a replica without anchors.
func TestArchiveLatestAnchor(t *testing.T) {
	_, archive := newArchive(t, evidence.ArchiveOptions{})
	ctx := t.Context()
	// Another replica's anchors must not count, whichever way they sort.
	for _, seq := range []uint64{5, 1 << 40} {
		if err := archive.PutAnchor(ctx, evidence.Anchor{Schema: evidence.AnchorSchema, Replica: "r0", Seq: seq}); err != nil {
			t.Fatal(err)
		}
	}
	if a, err := archive.Latest(ctx, "r1"); err != nil || a != nil {
		t.Fatalf("Latest of a replica without anchors = %+v, %v; want nil", a, err)
	}
	for _, seq := range []uint64{4, 7, 8, 9, 100, 1025, 1026, 4096, 1<<33 + 3} {
		if err := archive.PutAnchor(ctx, evidence.Anchor{Schema: evidence.AnchorSchema, Replica: "r1", Seq: seq, Hash: "h"}); err != nil {
			t.Fatal(err)
		}
		a, err := archive.Latest(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if a == nil || a.Seq != seq || a.Replica != "r1" || a.Hash != "h" {
			t.Fatalf("after the anchor of seq %d, Latest = %+v", seq, a)
		}
	}
	if _, err := archive.Latest(ctx, "r0"); err != nil {
		t.Fatal(err)
	}
}

// anchoredArchive writes replica r1, signed, into dir with the archiver as its anchor sink,
// in segments of one batch each, and drains the archiver: every sealed segment and every
// anchor is archived, the newest segment (the last checkpoint, seq 8) stays local only.
//
//	1 start, 2 a, 3 b, 4 checkpoint, 5 c, 6 d, 7 checkpoint, 8 checkpoint (Close)
func anchoredArchive(t *testing.T, dir string, signer *evidence.Signer) (*s3store.Store, *evidence.Archive, *evidence.Archiver, *testsupport.Clock) {
	t.Helper()
	store, archive := newArchive(t, evidence.ArchiveOptions{})
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: dir, Replica: "r1", Archive: archive, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	clock := testsupport.NewClock()
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1, Now: clock.Now,
		MaxSegmentBytes: 1, Signer: signer, Anchors: []evidence.AnchorSink{archiver}, AnchorSource: archive,
		OnSeal: archiver.Sealed, Guard: archiver.Guard})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "-", "c", "d", "-"} {
		if name == "-" {
			if err := w.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := w.Record(t.Context(), &evidence.Record{Type: evidence.TypeAdmission, ID: name}); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := archiver.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	return store, archive, archiver, clock
}

// TestArchiverArchivesAnchors: each checkpoint's anchor becomes the object
// <prefix>/<replica>/anchors/<seq, 20 digits>.json under the segments' Object Lock, and
// Latest names the newest.
func TestArchiverArchivesAnchors(t *testing.T) {
	dir := t.TempDir()
	signer, _ := newSigner()
	store, archive, archiver, _ := anchoredArchive(t, dir, signer)
	var names []string
	if err := archive.List(t.Context(), "r1/anchors", func(o evidence.ArchivedObject) error {
		names = append(names, o.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"r1/anchors/00000000000000000004.json", "r1/anchors/00000000000000000007.json", "r1/anchors/00000000000000000008.json"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("anchor objects (-want +got):\n%s", diff)
	}
	ret, err := store.Client().GetObjectRetention(t.Context(), &s3.GetObjectRetentionInput{Bucket: aws.String("evidence"), Key: aws.String("govhook/" + want[2])})
	if err != nil {
		t.Fatal(err)
	}
	if ret.Retention.Mode != s3types.ObjectLockRetentionModeCompliance || time.Until(aws.ToTime(ret.Retention.RetainUntilDate)) < 399*24*time.Hour {
		t.Errorf("anchor retention = %s until %v, want COMPLIANCE for 400 days", ret.Retention.Mode, ret.Retention.RetainUntilDate)
	}
	latest, err := archive.Latest(t.Context(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	if latest.Seq != 8 || latest.KeyID != signer.KeyID() || latest.Signature == "" || latest.Count != 0 {
		t.Errorf("newest anchor = %+v, want seq 8 signed by %s", latest, signer.KeyID())
	}
	if s := archiver.Status(); s.AnchorErrors != 0 {
		t.Errorf("anchor errors = %d", s.AnchorErrors)
	}
}

// TestArchiverAnchorOutage: while the store is down an anchor is tried a bounded number of
// times, each failure counted, and the writer's checkpoints are not held up.
func TestArchiverAnchorOutage(t *testing.T) {
	store, archive := newArchive(t, evidence.ArchiveOptions{})
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: t.TempDir(), Replica: "r1", Archive: archive, Log: logr.Discard(),
		AnchorAttempts: 3, RetryMin: time.Millisecond, RetryMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	store.Stop()
	if err := archiver.Anchor(t.Context(), evidence.Anchor{Schema: evidence.AnchorSchema, Replica: "r1", Seq: 4}); err != nil {
		t.Fatalf("queueing an anchor: %v", err)
	}
	if err := archiver.Drain(t.Context()); err == nil || !strings.Contains(err.Error(), "archive anchor of replica r1 seq 4") {
		t.Fatalf("drain with the store down: %v", err)
	}
	if got := archiver.Status().AnchorErrors; got != 3 {
		t.Errorf("anchor errors = %d, want 3 (one per attempt)", got)
	}
}

// TestRestartBehindArchivedAnchorStartsANewChain: the newest segment (the last checkpoint)
// is deleted before the archive took it, with the writer's own note of what it wrote: the
// archived anchor alone tells the restarted writer that seq 8 was used, so it starts a new
// chain naming the loss instead of reusing seq 8.
func TestRestartBehindArchivedAnchorStartsANewChain(t *testing.T) {
	dir := t.TempDir()
	signer, _ := newSigner()
	_, archive, _, clock := anchoredArchive(t, dir, signer)
	replica := filepath.Join(dir, "r1")
	for _, name := range []string{"00000000000000000008.jsonl", "written"} {
		if err := os.Remove(filepath.Join(replica, name)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1, Now: clock.Now, AnchorSource: archive})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var starts []*evidence.Start
	if _, err := evidence.Verify(t.Context(), []string{replica}, evidence.VerifyOptions{Visit: func(e evidence.Entry) {
		if e.Record.Type == evidence.TypeStart {
			starts = append(starts, e.Record.Start)
		}
	}}); err != nil {
		t.Fatal(err)
	}
	want := &evidence.Loss{FromSeq: 8, ToSeq: 8, Reason: "the local chain ends at seq 7, but the newest anchor names seq 8 (2026-03-02T09:04:00Z)"}
	if len(starts) != 1 || starts[0].Chain != evidence.ChainNew {
		t.Fatalf("start records after the restart: %+v", starts)
	}
	if diff := cmp.Diff(want, starts[0].Lost); diff != "" {
		t.Errorf("loss named by the start record (-want +got):\n%s", diff)
	}
}

// TestVerifyArchiveAnchors: verifying the archive (with the local tail) checks the chain
// against the archive's newest anchor, with no anchors file.
func TestVerifyArchiveAnchors(t *testing.T) {
	dir := t.TempDir()
	signer, keyring := newSigner()
	_, archive, _, clock := anchoredArchive(t, dir, signer)
	verify := func(paths ...string) (*evidence.Verification, []string) {
		t.Helper()
		v, err := evidence.Verify(t.Context(), paths, evidence.VerifyOptions{Keyring: keyring, Archives: map[string]*evidence.Archive{archive.URL(): archive}})
		if err != nil {
			t.Fatal(err)
		}
		breaks := []string{}
		for _, b := range v.Breaks {
			breaks = append(breaks, strings.ReplaceAll(b.String(), dir, "DIR"))
		}
		return v, breaks
	}

	v, breaks := verify(archive.URL(), dir)
	if len(breaks) != 0 || !v.AnchorsChecked || len(v.Chains) != 1 {
		t.Fatalf("untouched chain: %v %+v", breaks, v)
	}
	if c := v.Chains[0]; c.AnchoredSeq != 8 || c.PastAnchor != 0 || c.LastSeq != 8 {
		t.Errorf("untouched chain: anchored seq %d, %d past it, ends at %d; want 8, 0, 8", c.AnchoredSeq, c.PastAnchor, c.LastSeq)
	}

	// The archive alone lags the anchors by the open segment.
	_, breaks = verify(archive.URL())
	want := []string{"s3://evidence/govhook/r1: the chain ends at seq 7, but the newest anchor names seq 8 (2026-03-02T09:04:00Z): record 8 is missing at the end (tail cut or newest segment deleted)"}
	if diff := cmp.Diff(want, breaks); diff != "" {
		t.Errorf("archive alone (-want +got):\n%s", diff)
	}

	// With a grace, the archive alone is held to the newest anchor older than it (seq 4),
	// read from the archive past the younger ones.
	v, err := evidence.Verify(t.Context(), []string{archive.URL()}, evidence.VerifyOptions{Keyring: keyring,
		Archives: map[string]*evidence.Archive{archive.URL(): archive}, AnchorGrace: time.Minute, Now: func() time.Time { return clock.Now().Add(30 * time.Second) }})
	if err != nil {
		t.Fatal(err)
	}
	if c := v.Chains[0]; !v.Intact() || c.AnchoredSeq != 4 || c.AheadSeq != 8 || c.PastAnchor != 3 {
		t.Errorf("archive alone with a grace: breaks %v, anchored seq %d, ahead %d, %d past; want none, 4, 8, 3", v.Breaks, c.AnchoredSeq, c.AheadSeq, c.PastAnchor)
	}

	// Deleting the newest segment locally, before the archive took it, is caught.
	segment8, err := os.ReadFile(filepath.Join(dir, "r1", "00000000000000000008.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "r1", "00000000000000000008.jsonl")); err != nil {
		t.Fatal(err)
	}
	_, breaks = verify(archive.URL(), dir)
	if diff := cmp.Diff(want, breaks); diff != "" {
		t.Errorf("newest segment deleted (-want +got):\n%s", diff)
	}

	// A writer that carries on without anchoring (its anchor sink failing): the chain runs
	// past the newest anchor, which verify reports.
	if err := os.WriteFile(filepath.Join(dir, "r1", "00000000000000000008.jsonl"), segment8, 0o640); err != nil {
		t.Fatal(err)
	}
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1, Now: clock.Now, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Record(t.Context(), &evidence.Record{Type: evidence.TypeAdmission, ID: "e"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	v, breaks = verify(archive.URL(), dir)
	if len(breaks) != 0 {
		t.Fatalf("chain past its anchor: %v", breaks)
	}
	if c := v.Chains[0]; c.AnchoredSeq != 8 || c.LastSeq != 11 || c.PastAnchor != 3 {
		t.Errorf("chain past its anchor: anchored seq %d, ends at %d, %d past it; want 8, 11, 3", c.AnchoredSeq, c.LastSeq, c.PastAnchor)
	}
}

// newSigner is a signer with a fixed key, and the keyring that pins it.
func newSigner() (*evidence.Signer, evidence.Keyring) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	k := evidence.Keyring{}
	k.Add(key.Public().(ed25519.PublicKey))
	return evidence.NewSigner(key), k
}

// benchAnchor is a signed checkpoint's anchor, as the writer hands it over.
func benchAnchor(seq uint64) evidence.Anchor {
	return evidence.Anchor{Schema: evidence.AnchorSchema, Replica: "bench", Seq: seq, Time: time.Now().UTC(), Count: 120,
		Hash:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		HeadHash:  "3708380e2a2818efde51b5c4558f71e2f20aba5acf0970b68c1150ca2bd9305e",
		KeyID:     "4f2a9c1d0b7e6a53",
		Signature: "c2lnbmF0dXJlIG9mIDY0IGJ5dGVzIHNpZ25hdHVyZSBvZiA2NCBieXRlcyBzaWduYXR1cmUgb2YgNjQgYnl0ZXMgc2lnbmE="}
}

// BenchmarkArchiveAnchor is the cost of archiving one checkpoint's anchor against the real
// local store: one locked, checksummed, conditional PUT (off the request path).
func BenchmarkArchiveAnchor(b *testing.B) {
	_, archive := newArchive(b, evidence.ArchiveOptions{})
	seq := uint64(0)
	for b.Loop() {
		seq++
		if err := archive.PutAnchor(b.Context(), benchAnchor(seq)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkArchiveLatest is a writer's startup look at the newest of 1,000 anchors (seqs
// spread as a minute's checkpoints of a busy replica are).
func BenchmarkArchiveLatest(b *testing.B) {
	_, archive := newArchive(b, evidence.ArchiveOptions{})
	for i := range uint64(1000) {
		if err := archive.PutAnchor(b.Context(), benchAnchor(i*997+1)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		a, err := archive.Latest(b.Context(), "bench")
		if err != nil || a.Seq != 999*997+1 {
			b.Fatal(a, err)
		}
	}
}

// TestArchiverRunArchivesAnchorsAsTheyCome: while Run runs, each checkpoint's anchor reaches
// the archive without a drain.
func TestArchiverRunArchivesAnchorsAsTheyCome(t *testing.T) {
	_, archive := newArchive(t, evidence.ArchiveOptions{})
	dir := t.TempDir()
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: dir, Replica: "r1", Archive: archive, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = archiver.Run(ctx) }()
	defer func() { cancel(); <-done }()
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1, Anchors: []evidence.AnchorSink{archiver}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := range 3 {
		if err := w.Record(t.Context(), &evidence.Record{Type: evidence.TypeAdmission, ID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
		if err := w.Checkpoint(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// 1 start, then admission and checkpoint three times: the last checkpoint is seq 7.
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := archive.Latest(t.Context(), "r1")
		if err != nil {
			t.Fatal(err)
		}
		if a != nil && a.Seq == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("newest archived anchor = %+v, want seq 7", a)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestArchiverAnchorQueueFull: when anchors come faster than the archive takes them, the
// oldest queued gives way (counted), the newest are kept.
func TestArchiverAnchorQueueFull(t *testing.T) {
	_, archive := newArchive(t, evidence.ArchiveOptions{})
	archiver, err := evidence.NewArchiver(evidence.ArchiverOptions{Dir: t.TempDir(), Replica: "r1", Archive: archive, Log: logr.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	for seq := range uint64(70) {
		if err := archiver.Anchor(t.Context(), evidence.Anchor{Schema: evidence.AnchorSchema, Replica: "r1", Seq: seq + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if got := archiver.Status().AnchorErrors; got != 6 {
		t.Errorf("anchor errors = %d, want 6 dropped from a queue of 64", got)
	}
	if err := archiver.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	var first string
	n := 0
	if err := archive.List(t.Context(), "r1/anchors", func(o evidence.ArchivedObject) error {
		if n == 0 {
			first = o.Name
		}
		n++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 64 || first != evidence.AnchorObjectName("r1", 7) {
		t.Errorf("archived %d anchors from %s, want 64 from seq 7", n, first)
	}
}
