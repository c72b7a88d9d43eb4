package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/internal/testsupport"
)

func TestSecondWriterFailsToStart(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, nil)
	defer w.Close()
	_, err := Open(t.Context(), Options{Dir: dir, Replica: "r1", Now: clock.Now, CheckpointInterval: -1})
	want := "evidence chain is locked by another writer: " + filepath.Join(dir, "r1") +
		" is in use; is another govhook running with --replica r1 on this evidence directory? Each replica needs its own name"
	if !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Fatalf("second writer: %v\nwant: %s", err, want)
	}
	// Once the first writer is gone, the chain can be opened again.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w2 := openWriter(t, dir, clock, nil)
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStartRecords(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *Options) {
		o.Pod, o.Version, o.ConfigDigest, o.Signer = "govhook-abc", "v1.2.3", "sha256:cfg", testSigner(1)
	})
	record(t, w, admission(clock, "a"))
	w.abandon() // kill -9
	w = openWriter(t, dir, clock, func(o *Options) { o.Pod = "govhook-def" })
	record(t, w, admission(clock, "b"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	chain := readChain(t, filepath.Join(dir, "r1"))
	if diff := cmp.Diff([]string{"1 start new", "2 admission a", "3 start resumed", "4 admission b", "5 checkpoint head=4 count=4 09:00:00..09:00:00"}, summary(chain)); diff != "" {
		t.Fatalf("chain (-want +got):\n%s", diff)
	}
	want := []*Start{
		{Chain: ChainNew, Pod: "govhook-abc", Version: "v1.2.3", ConfigDigest: "sha256:cfg", KeyID: testSigner(1).KeyID()},
		{Chain: ChainResumed, HeadSeq: 2, HeadHash: chain[1].Hash, Pod: "govhook-def"},
	}
	if diff := cmp.Diff(want, []*Start{chain[0].Start, chain[2].Start}); diff != "" {
		t.Errorf("start records (-want +got):\n%s", diff)
	}
	mustVerify(t, dir)
}

// writeSegments writes a closed chain of r1 in segments of one batch each:
// 1 start, 2 a, 3 b, 4 checkpoint, 5 start, 6 c, 7 d, 8 checkpoint.
func writeSegments(t *testing.T, dir string, clock *testsupport.Clock, edit func(*Options)) {
	t.Helper()
	small := func(o *Options) {
		o.MaxSegmentBytes = 1
		if edit != nil {
			edit(o)
		}
	}
	for _, names := range [][]string{{"a", "b"}, {"c", "d"}} {
		w := openWriter(t, dir, clock, small)
		for _, n := range names {
			record(t, w, admission(clock, n))
			clock.Add(time.Minute)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRestartAfterTheNewestSegmentWasDeletedStartsANewChain(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	writeSegments(t, dir, clock, nil)
	replica := filepath.Join(dir, "r1")
	if err := os.Remove(filepath.Join(replica, segmentName(8))); err != nil {
		t.Fatal(err)
	}
	w := openWriter(t, dir, clock, nil)
	record(t, w, admission(clock, "e"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := summary(readChain(t, replica))
	want := []string{
		"1 start new", "2 admission a", "3 admission b", "4 checkpoint head=3 count=3 09:00:00..09:01:00",
		"5 start resumed", "6 admission c", "7 admission d",
		"9 start new lost=8-8", "10 admission e", "11 checkpoint head=10 count=2 09:04:00..09:04:00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	v, err := Verify(t.Context(), []string{dir}, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBreaks := []string{
		"r1/00000000000000000009.jsonl:1: records 8-8 are lost, a new chain starts at seq 9: the local chain ends at seq 7, but seq 8 was written before",
	}
	if diff := cmp.Diff(wantBreaks, breakStrings(dir, v)); diff != "" {
		t.Errorf("breaks (-want +got):\n%s", diff)
	}
}

// staticAnchors is an anchor source that knows one anchor, or fails with err.
type staticAnchors struct {
	a   *Anchor
	err error
}

func (s staticAnchors) Latest(_ context.Context, _ string) (*Anchor, error) { return s.a, s.err }

func TestStartWithoutAnchorsSaysSoInTheChain(t *testing.T) {
	// The store is down at startup: the writer opens (admission must not stop with the
	// archive), and its start record says the chain was not checked against the anchors.
	dir, clock := t.TempDir(), testsupport.NewClock()
	down := fmt.Errorf("%w: the archive did not answer: connection refused", ErrAnchorsUnavailable)
	w := openWriter(t, dir, clock, func(o *Options) { o.AnchorSource = staticAnchors{err: down} })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	chain := readChain(t, filepath.Join(dir, "r1"))
	if chain[0].Start == nil {
		t.Fatalf("first record is %q, want a start record", chain[0].Type)
	}
	if got, want := chain[0].Start.AnchorUnchecked, down.Error(); got != want {
		t.Errorf("start record's anchorUnchecked = %q, want %q", got, want)
	}
	// verify lists the unchecked start, and it is not a break.
	v, err := Verify(t.Context(), []string{dir}, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []UncheckedStart{{Seq: 1, Time: clock.Now().UTC(), Reason: down.Error()}}
	if diff := cmp.Diff(want, v.Chains[0].UncheckedStarts); diff != "" {
		t.Errorf("unchecked starts (-want +got):\n%s", diff)
	}
	if !v.Intact() {
		t.Errorf("an unchecked start is not a break: %v", v.Breaks)
	}

	// Any other failure of the anchor source stops the writer from opening.
	_, err = Open(t.Context(), Options{Dir: t.TempDir(), Replica: "r1", Now: clock.Now, CheckpointInterval: -1,
		AnchorSource: staticAnchors{err: errors.New("anchor object is not JSON")}})
	if err == nil || !strings.Contains(err.Error(), "read the newest evidence anchor: anchor object is not JSON") {
		t.Errorf("Open with a failing anchor source: err = %v, want it to name the failure", err)
	}
}

func TestRestartBehindTheNewestAnchorStartsANewChain(t *testing.T) {
	// The whole replica directory is gone (a new node, or deleted): only the archive knows.
	dir, clock := t.TempDir(), testsupport.NewClock()
	anchor := &Anchor{Replica: "r1", Seq: 40, Time: clock.Now()}
	w := openWriter(t, dir, clock, func(o *Options) { o.AnchorSource = staticAnchors{a: anchor} })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"41 start new lost=1-40", "42 checkpoint head=41 count=1 09:00:00..09:00:00"}, summary(readChain(t, filepath.Join(dir, "r1")))); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	v, err := Verify(t.Context(), []string{dir}, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantBreaks := []string{
		"r1/00000000000000000041.jsonl:1: records 1-40 are lost, a new chain starts at seq 41: the local chain is empty, but the newest anchor names seq 40 (2026-03-02T09:00:00Z)",
	}
	if diff := cmp.Diff(wantBreaks, breakStrings(dir, v)); diff != "" {
		t.Errorf("breaks (-want +got):\n%s", diff)
	}
}

func TestVerifyReportsHeartbeatGaps(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, nil)
	for range 3 { // a healthy writer: a checkpoint a minute
		clock.Add(time.Minute)
		if err := w.Checkpoint(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	w.abandon() // down at 09:03 (killed), back at 11:00
	clock.Add(117 * time.Minute)
	w = openWriter(t, dir, clock, nil)
	clock.Add(time.Minute)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(t.Context(), []string{dir}, VerifyOptions{CheckpointInterval: time.Minute, MissedCheckpoints: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []HeartbeatGap{{From: testsupport.NewClock().Now().Add(3 * time.Minute), To: testsupport.NewClock().Now().Add(2 * time.Hour), Duration: "1h57m0s"}}
	if diff := cmp.Diff(want, v.Chains[0].HeartbeatGaps); diff != "" {
		t.Errorf("heartbeat gaps (-want +got):\n%s", diff)
	}
	if !v.Intact() {
		t.Errorf("an outage is reported, not a break: %v", v.Breaks)
	}
}
