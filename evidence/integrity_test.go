package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/internal/testsupport"
)

// memoryAnchors keeps anchors in memory, as the archive and the log would.
type memoryAnchors struct {
	mu      sync.Mutex
	anchors []Anchor
}

func (m *memoryAnchors) Anchor(_ context.Context, a Anchor) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.anchors = append(m.anchors, a)
	return nil
}

func (m *memoryAnchors) all() []Anchor {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Anchor(nil), m.anchors...)
}

// writeAnchoredChain writes replica r1 signed by s, its checkpoints anchored into sink:
//
//	00000000000000000001.jsonl  1 start, 2 a, 3 b (denied), 4 checkpoint        09:00-09:02
//	00000000000000000005.jsonl  5 c, 6 d, 7 checkpoint                          10:02-10:04
//	00000000000000000008.jsonl  8 e, 9 f, 10 checkpoint (closed, unless running) 11:04-11:06
//
// A running writer stops after f without a checkpoint, as a crashed one would.
func writeAnchoredChain(t *testing.T, dir string, s *Signer, sink AnchorSink, running bool) {
	t.Helper()
	clock := testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *Options) {
		o.Signer, o.Anchors, o.MaxSegmentAge = s, []AnchorSink{sink}, time.Hour
	})
	for _, name := range []string{"a", "b", "-", "+", "c", "d", "-", "+", "e", "f"} {
		switch name {
		case "-":
			if err := w.Checkpoint(t.Context()); err != nil {
				t.Fatal(err)
			}
		case "+":
			clock.Add(time.Hour)
		default:
			r := admission(clock, name)
			if name == "b" {
				r.Decision = decision.OutcomeDeny
			}
			record(t, w, r)
			clock.Add(time.Minute)
		}
	}
	if running {
		w.abandon()
		return
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyCatchesTampering is the attacker's table of issue 15: each tampering someone
// with write access to the evidence directory (but not the signing key, the archive or the
// log) can do, and the exact break verify reports with the pinned key and the anchors.
func TestVerifyCatchesTampering(t *testing.T) {
	k1, k2 := testSigner(1), testSigner(2)
	const (
		segA = "r1/00000000000000000001.jsonl"
		segB = "r1/00000000000000000005.jsonl"
		segC = "r1/00000000000000000008.jsonl"
	)
	allow := func(r *Record) {
		if r.Decision == decision.OutcomeDeny {
			r.Decision = decision.OutcomeAllow
		}
	}
	tests := []struct {
		name    string
		running bool
		tamper  func(t *testing.T, root string)
		want    []string
	}{
		{name: "untouched", want: []string{}},
		{name: "untouched, writer still running", running: true, want: []string{}},
		{
			name:   "delete the newest segment, with its final checkpoint",
			tamper: func(t *testing.T, root string) { remove(t, filepath.Join(root, segC)) },
			want:   []string{"r1: the chain ends at seq 7, but the newest anchor names seq 10 (2026-03-02T11:06:00Z): records 8-10 are missing at the end (tail cut or newest segment deleted)"},
		},
		{
			name:   "change a deny to allow, then recompute every hash",
			tamper: func(t *testing.T, root string) { rechain(t, filepath.Join(root, "r1"), nil, allow) },
			want: []string{
				segA + ":4: checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed; record seq 4 is not the checkpoint anchored at 2026-03-02T09:02:00Z (hash HASH4): rewritten after it was anchored",
				segB + ":3: checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed; record seq 7 is not the checkpoint anchored at 2026-03-02T10:04:00Z (hash HASH7): rewritten after it was anchored",
				segC + ":3: checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed; record seq 10 is not the checkpoint anchored at 2026-03-02T11:06:00Z (hash HASH10): rewritten after it was anchored",
			},
		},
		{
			name: "cut the tail in the middle of a checkpoint span",
			tamper: func(t *testing.T, root string) {
				f := &fixture{t: t, root: root}
				f.write(segC, f.lines(segC)[:1])
			},
			want: []string{"r1: the chain ends at seq 8, but the newest anchor names seq 10 (2026-03-02T11:06:00Z): records 9-10 are missing at the end (tail cut or newest segment deleted)"},
		},
		{
			name:   "re-chain with a different key",
			tamper: func(t *testing.T, root string) { rechain(t, filepath.Join(root, "r1"), k2, allow) },
			want: []string{
				segA + ":4: checkpoint is signed by key " + k2.KeyID() + ", which is not one of the given public keys; record seq 4 is not the checkpoint anchored at 2026-03-02T09:02:00Z (hash HASH4): rewritten after it was anchored",
				segB + ":3: checkpoint is signed by key " + k2.KeyID() + ", which is not one of the given public keys; record seq 7 is not the checkpoint anchored at 2026-03-02T10:04:00Z (hash HASH7): rewritten after it was anchored",
				segC + ":3: checkpoint is signed by key " + k2.KeyID() + ", which is not one of the given public keys; record seq 10 is not the checkpoint anchored at 2026-03-02T11:06:00Z (hash HASH10): rewritten after it was anchored",
			},
		},
		{
			name:    "drop the newest anchor's segment",
			running: true, // e and f run past the newest anchor (seq 7) in the newest segment
			tamper:  func(t *testing.T, root string) { remove(t, filepath.Join(root, segB)) },
			want: []string{
				segC + ":1: seq 8 where 5 was expected: 3 records missing; prevHash is not the hash of the record before it",
				"r1: the anchored checkpoint seq 7 (2026-03-02T10:04:00Z) is not in the chain: its records were removed",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			sink := &memoryAnchors{}
			writeAnchoredChain(t, root, k1, sink, tc.running)
			anchors := sink.all()
			var pairs []string
			for _, a := range anchors {
				pairs = append(pairs, "HASH"+strconv.FormatUint(a.Seq, 10)+")", short(a.Hash)+")")
			}
			hashes := strings.NewReplacer(pairs...)
			if tc.tamper != nil {
				tc.tamper(t, root)
			}
			v, err := Verify(t.Context(), []string{root}, VerifyOptions{Keyring: keyring(k1), Anchors: anchors})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(tc.want))
			for i, w := range tc.want {
				want[i] = hashes.Replace(w)
			}
			if diff := cmp.Diff(want, breakStrings(root, v)); diff != "" {
				t.Errorf("breaks (-want +got):\n%s", diff)
			}
			if c := v.Chains[0]; tc.tamper == nil && (c.AnchoredSeq == 0 || c.PastAnchor != c.LastSeq-c.AnchoredSeq) {
				t.Errorf("anchor status = seq %d, %d past it; chain ends at %d", c.AnchoredSeq, c.PastAnchor, c.LastSeq)
			}
		})
	}
}

func TestVerifyWithoutKeyOrAnchorsCannotSeeTheAttacks(t *testing.T) {
	// What the table above looked like before signatures and anchors: every row intact.
	root := t.TempDir()
	writeAnchoredChain(t, root, nil, &memoryAnchors{}, false)
	remove(t, filepath.Join(root, "r1/00000000000000000008.jsonl"))
	rechain(t, filepath.Join(root, "r1"), nil, func(r *Record) {
		if r.Decision == decision.OutcomeDeny {
			r.Decision = decision.OutcomeAllow
		}
	})
	if v := mustVerify(t, root); v.Chains[0].LastSeq != 7 {
		t.Errorf("chain = %+v", v.Chains[0])
	}
}

func TestVerifyAnchorsOfAMissingReplicaAndForgedAnchors(t *testing.T) {
	k1 := testSigner(1)
	root := t.TempDir()
	sink := &memoryAnchors{}
	writeAnchoredChain(t, root, k1, sink, false)
	anchors := sink.all()
	gone := anchors[len(anchors)-1]
	gone.Replica = "r9"
	gone.Signature = ""
	k1.signAnchor(&gone)
	forged := anchors[0]
	forged.Seq = 99
	v, err := Verify(t.Context(), []string{root}, VerifyOptions{Keyring: keyring(k1), Anchors: append(anchors, gone, forged)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"anchors: anchor of replica r1 seq 99: anchored checkpoint signature does not verify with key " + k1.KeyID() + ": the chain up to it was altered or re-hashed",
		"anchors: replica r9 has anchors up to seq 10 (2026-03-02T11:06:00Z), but no chain among the evidence given: its evidence is missing",
	}
	if diff := cmp.Diff(want, breakStrings(root, v)); diff != "" {
		t.Errorf("breaks (-want +got):\n%s", diff)
	}
}

func TestAnchorLines(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "stdout.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// serve's stdout as kubectl logs --timestamps shows it: anchors among other lines.
	sink := NewLineAnchors(&prefixWriter{w: f, prefix: "2026-03-02T11:06:00.000000000Z "})
	writeAnchoredChain(t, filepath.Join(root, "evidence"), testSigner(1), sink, false)
	if _, err := f.WriteString(`{"schema":"govhook.io/evidence/v1","type":"admission"}` + "\n" + "not json\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	anchors, err := ReadAnchorLines(path)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, a := range anchors {
		seqs = append(seqs, a.Seq)
	}
	if diff := cmp.Diff([]uint64{4, 7, 10}, seqs); diff != "" {
		t.Errorf("anchored seqs (-want +got):\n%s", diff)
	}
	v, err := Verify(t.Context(), []string{filepath.Join(root, "evidence")}, VerifyOptions{Keyring: keyring(testSigner(1)), Anchors: anchors})
	if err != nil || !v.Intact() {
		t.Errorf("verify with the anchors read back: %v %+v", err, v.Breaks)
	}
}

type prefixWriter struct {
	w      *os.File
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.WriteString(p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyAnchorGrace: with a grace, a chain may fall short of the anchors younger than it
// (the archive lags a running writer's anchors), but must still reach the newest anchor
// older than the grace. Anchors: seq 4 at 09:02, 7 at 10:04, 10 at 11:06.
func TestVerifyAnchorGrace(t *testing.T) {
	const segB, segC = "r1/00000000000000000005.jsonl", "r1/00000000000000000008.jsonl"
	now := time.Date(2026, 3, 2, 11, 10, 0, 0, time.UTC)
	tests := []struct {
		name   string
		grace  time.Duration
		remove []string
		want   []string
		// anchored, ahead and past are the chain's anchor status.
		anchored, ahead, past uint64
	}{
		{name: "no grace", remove: []string{segC},
			want: []string{"r1: the chain ends at seq 7, but the newest anchor names seq 10 (2026-03-02T11:06:00Z): records 8-10 are missing at the end (tail cut or newest segment deleted)"}},
		{name: "the newest anchor within the grace", grace: 30 * time.Minute, remove: []string{segC}, want: []string{}, anchored: 7, ahead: 10},
		{name: "two anchors within the grace", grace: 2 * time.Hour, remove: []string{segC}, want: []string{}, anchored: 4, ahead: 10, past: 3},
		{name: "short of the newest anchor older than the grace", grace: 30 * time.Minute, remove: []string{segB, segC},
			want: []string{"r1: the chain ends at seq 4, but the newest anchor older than the grace names seq 7 (2026-03-02T10:04:00Z): records 5-7 are missing at the end (tail cut or newest segment deleted)"}},
		{name: "the chain reaches the newest anchor", grace: 30 * time.Minute, want: []string{}, anchored: 10},
		{name: "every anchor within the grace", grace: 3 * time.Hour, remove: []string{segB, segC}, want: []string{}, ahead: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			sink := &memoryAnchors{}
			writeAnchoredChain(t, root, testSigner(1), sink, false)
			for _, seg := range tc.remove {
				remove(t, filepath.Join(root, seg))
			}
			v, err := Verify(t.Context(), []string{root}, VerifyOptions{Anchors: sink.all(), AnchorGrace: tc.grace, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, breakStrings(root, v)); diff != "" {
				t.Errorf("breaks (-want +got):\n%s", diff)
			}
			if c := v.Chains[0]; len(tc.want) == 0 && (c.AnchoredSeq != tc.anchored || c.AheadSeq != tc.ahead || c.PastAnchor != tc.past) {
				t.Errorf("anchored seq %d, ahead %d, %d past; want %d, %d, %d", c.AnchoredSeq, c.AheadSeq, c.PastAnchor, tc.anchored, tc.ahead, tc.past)
			}
		})
	}
}
