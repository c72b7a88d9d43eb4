package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/internal/testsupport"
)

// admission is a small admission record made at the clock's time.
func admission(clock *testsupport.Clock, name string) *Record {
	return &Record{
		Type: TypeAdmission, ID: "id-" + name, Time: clock.Now(), UID: "uid-" + name, Operation: "CREATE",
		Kind: "apps/v1/Deployment", Namespace: "shop", Name: name, User: User{Username: "alice"},
		Decision: decision.OutcomeAllow, Violations: []decision.Finding{}, Exceptions: []decision.AppliedException{},
	}
}

// openWriter opens a writer on dir with the fake clock and no checkpoint timer.
func openWriter(t *testing.T, dir string, clock *testsupport.Clock, edit func(*Options)) *Writer {
	t.Helper()
	o := Options{Dir: dir, Replica: "r1", Now: clock.Now, CheckpointInterval: -1}
	if edit != nil {
		edit(&o)
	}
	w, err := Open(t.Context(), o)
	if err != nil {
		t.Fatalf("open writer: %v", err)
	}
	return w
}

func record(t *testing.T, w *Writer, r *Record) {
	t.Helper()
	if err := w.Record(t.Context(), r); err != nil {
		t.Fatalf("record %s: %v", r.Name, err)
	}
}

// readChain returns the records of a replica directory, segment by segment, in order.
func readChain(t *testing.T, dir string) []Record {
	t.Helper()
	segments, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for _, s := range segments {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if line == "" {
				continue
			}
			var r Record
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s: %v in %q", s, err, line)
			}
			out = append(out, r)
		}
	}
	return out
}

// summary is a record reduced to what chain tests compare.
func summary(rs []Record) []string {
	var out []string
	for _, r := range rs {
		s := fmt.Sprintf("%d %s", r.Seq, r.Type)
		if r.Name != "" {
			s += " " + r.Name
		}
		if c := r.Checkpoint; c != nil {
			s += fmt.Sprintf(" head=%d count=%d %s..%s", c.HeadSeq, c.Count, c.From.Format("15:04:05"), c.To.Format("15:04:05"))
		}
		if st := r.Start; st != nil {
			s += " " + st.Chain
			if st.Lost != nil {
				s += fmt.Sprintf(" lost=%d-%d", st.Lost.FromSeq, st.Lost.ToSeq)
			}
		}
		out = append(out, s)
	}
	return out
}

func mustVerify(t *testing.T, paths ...string) *Verification {
	t.Helper()
	v, err := Verify(t.Context(), paths, VerifyOptions{})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !v.Intact() {
		t.Fatalf("chain is not intact:\n%v", v.Breaks)
	}
	return v
}

func segmentNames(t *testing.T, dir string) []string {
	t.Helper()
	segments, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range segments {
		out = append(out, filepath.Base(s))
	}
	return out
}

func TestWriterChainsAndResumes(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, nil)
	record(t, w, admission(clock, "a"))
	clock.Add(time.Second)
	record(t, w, admission(clock, "b"))
	clock.Add(time.Second)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Record(t.Context(), admission(clock, "late")); !errors.Is(err, ErrClosed) {
		t.Errorf("record after close: %v, want ErrClosed", err)
	}

	w = openWriter(t, dir, clock, nil)
	record(t, w, admission(clock, "c"))
	clock.Add(time.Second)
	if err := w.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	record(t, w, admission(clock, "d"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	got := readChain(t, filepath.Join(dir, "r1"))
	want := []string{
		"1 start new",
		"2 admission a",
		"3 admission b",
		"4 checkpoint head=3 count=3 09:00:00..09:00:01",
		"5 start resumed",
		"6 admission c",
		"7 checkpoint head=6 count=2 09:00:02..09:00:02",
		"8 admission d",
		"9 checkpoint head=8 count=1 09:00:03..09:00:03",
	}
	if diff := cmp.Diff(want, summary(got)); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	for i, r := range got {
		if r.Replica != "r1" || r.Schema != Schema {
			t.Errorf("record %d: replica %q schema %q", i, r.Replica, r.Schema)
		}
		if i > 0 && r.PrevHash != got[i-1].Hash {
			t.Errorf("record %d prevHash does not link to record %d", i, i-1)
		}
	}
	if got[0].PrevHash != GenesisHash {
		t.Errorf("first prevHash = %s, want genesis", got[0].PrevHash)
	}
	v := mustVerify(t, dir)
	if diff := cmp.Diff([]string{"00000000000000000001.jsonl"}, segmentNames(t, filepath.Join(dir, "r1"))); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	if c := v.Chains[0]; c.Records != 9 || c.Admissions != 4 || c.Checkpoints != 3 || c.Starts != 2 || c.SinceCheckpoint != 0 {
		t.Errorf("chain summary = %+v", c)
	}
}

func TestWriterCheckpointSpanSurvivesRestart(t *testing.T) {
	// Records after the last checkpoint, across a restart and a segment change, are counted
	// by the next checkpoint.
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *Options) { o.MaxSegmentBytes = 1 })
	record(t, w, admission(clock, "a"))
	if err := w.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	record(t, w, admission(clock, "b"))
	clock.Add(time.Minute)
	record(t, w, admission(clock, "c"))
	// Stop without Close, as a crash would.
	w.abandon()
	w = openWriter(t, dir, clock, func(o *Options) { o.MaxSegmentBytes = 1 })
	clock.Add(time.Minute)
	if err := w.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := summary(readChain(t, filepath.Join(dir, "r1")))
	want := []string{
		"1 start new",
		"2 admission a",
		"3 checkpoint head=2 count=2 09:00:00..09:00:00",
		"4 admission b",
		"5 admission c",
		"6 start resumed",
		"7 checkpoint head=6 count=3 09:01:00..09:02:00",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	mustVerify(t, dir)
}

func TestWriterRotation(t *testing.T) {
	tests := []struct {
		name  string
		opts  func(*Options)
		step  time.Duration
		count int
		want  []string
	}{
		{
			name:  "by size: a segment never grows past the limit once it has a record",
			opts:  func(o *Options) { o.MaxSegmentBytes = 900 },
			count: 5,
			want:  []string{"00000000000000000001.jsonl", "00000000000000000003.jsonl", "00000000000000000005.jsonl"},
		},
		{
			name:  "by age",
			opts:  func(o *Options) { o.MaxSegmentAge = time.Hour },
			step:  25 * time.Minute,
			count: 7,
			want:  []string{"00000000000000000001.jsonl", "00000000000000000005.jsonl", "00000000000000000008.jsonl"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), testsupport.NewClock()
			w := openWriter(t, dir, clock, tc.opts)
			for i := range tc.count {
				record(t, w, admission(clock, fmt.Sprint(i)))
				clock.Add(tc.step)
			}
			replica := filepath.Join(dir, "r1")
			if diff := cmp.Diff(tc.want, segmentNames(t, replica)); diff != "" {
				t.Errorf("segments (-want +got):\n%s", diff)
			}
			if got := len(readChain(t, replica)); got != tc.count+1 {
				t.Errorf("records = %d, want %d (the start record and the admissions)", got, tc.count+1)
			}
			v := mustVerify(t, dir)
			if v.Chains[0].Segments != len(tc.want) {
				t.Errorf("verify saw %d segments", v.Chains[0].Segments)
			}
			// The chain resumes in the newest segment.
			w.abandon()
			w = openWriter(t, dir, clock, tc.opts)
			record(t, w, admission(clock, "after-restart"))
			mustVerify(t, dir)
		})
	}
}

func TestWriterCheckpointTimer(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(t.Context(), Options{Dir: dir, Replica: "r1", CheckpointInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Idle: the timer alone must produce checkpoints. Poll instead of timing the test.
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		seq := w.seq
		w.mu.Unlock()
		if seq >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoints written by the timer within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i, r := range readChain(t, filepath.Join(dir, "r1"))[1:3] {
		if want := uint64(1 - i); r.Type != TypeCheckpoint || r.Checkpoint.Count != want { // the first covers the start record
			t.Errorf("idle record %d = %s count %d, want a checkpoint of nothing but the start record, then an empty one", r.Seq, r.Type, r.Checkpoint.Count)
		}
	}
}

func TestWriterMirror(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	var mirror bytes.Buffer
	w := openWriter(t, dir, clock, func(o *Options) { o.Mirror = &mirror })
	record(t, w, admission(clock, "a"))
	record(t, w, admission(clock, "b"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, "r1", segmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(file), mirror.String()); diff != "" {
		t.Errorf("mirror differs from the segment (-segment +mirror):\n%s", diff)
	}
	if n := strings.Count(mirror.String(), "\n"); n != 4 {
		t.Errorf("mirror has %d lines, want 4 (the start record, two records and the closing checkpoint)", n)
	}
}

// gatedFile holds every Sync until the test lets it go, and counts them.
type gatedFile struct {
	*os.File
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	syncs   int
	on      atomic.Bool // off while the writer opens (its start record)
}

func (g *gatedFile) Sync() error {
	if !g.on.Load() {
		return g.File.Sync()
	}
	g.entered <- struct{}{}
	<-g.release
	g.mu.Lock()
	g.syncs++
	g.mu.Unlock()
	return g.File.Sync()
}

func TestWriterGroupCommitSharesOneFsync(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	gate := &gatedFile{entered: make(chan struct{}), release: make(chan struct{})}
	w := openWriter(t, dir, clock, func(o *Options) {
		o.OpenFile = func(path string) (File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			gate.File = f
			return gate, err
		}
	})
	gate.on.Store(true)
	const waiting = 10
	var wg sync.WaitGroup
	errs := make(chan error, waiting+1)
	wg.Go(func() { errs <- w.Record(t.Context(), admission(clock, "first")) })
	<-gate.entered // the first record's fsync is under way
	for i := range waiting {
		wg.Go(func() { errs <- w.Record(t.Context(), admission(clock, fmt.Sprint("queued-", i))) })
	}
	for { // wait until all of them queued behind it
		w.mu.Lock()
		seq := w.seq
		w.mu.Unlock()
		if seq == waiting+2 { // after the start record and the first
			break
		}
		time.Sleep(time.Millisecond)
	}
	gate.release <- struct{}{} // first batch done
	<-gate.entered             // the second batch: everyone else
	gate.release <- struct{}{}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if gate.syncs != 2 {
		t.Errorf("fsyncs = %d for %d records, want 2 (one per batch)", gate.syncs, waiting+1)
	}
	if got := len(readChain(t, filepath.Join(dir, "r1"))); got != waiting+2 {
		t.Errorf("records = %d, want %d", got, waiting+2)
	}
	mustVerify(t, dir)
}

func TestWriterConcurrentRecordsFormOneChain(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	w := openWriter(t, dir, clock, func(o *Options) { o.MaxSegmentBytes = 16 << 10 })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if err := w.Record(t.Context(), admission(clock, fmt.Sprintf("g%d-%d", g, i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	v := mustVerify(t, dir)
	if c := v.Chains[0]; c.Admissions != 400 || c.LastSeq != 402 || c.Segments < 2 {
		t.Errorf("chain = %+v, want a start record, 400 admissions and a closing checkpoint over several segments", c)
	}
}

func TestOpenRejectsBadReplicaNames(t *testing.T) {
	for _, name := range []string{"", "a/b", "..", `a\b`} {
		if _, err := Open(t.Context(), Options{Dir: t.TempDir(), Replica: name}); err == nil {
			t.Errorf("replica %q accepted", name)
		}
	}
}

// abandon stops a writer the way a crash does: no closing checkpoint, the segment and the
// replica lock simply released.
func (w *Writer) abandon() {
	w.closeOnce.Do(func() { close(w.stop) })
	<-w.stopped
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.flushing {
		w.synced.Wait()
	}
	w.closed = true
	if w.file != nil {
		w.file.Close()
	}
	w.written.Close()
	w.lock.Close()
}

// TestWriterMirrorNeverBlocksTheCommit reproduces issue 16 row 7: with the mirror piped into
// a reader that never reads, the group commit hung, and with it every request and shutdown.
// Records are committed all the same, the mirror drops and counts what does not fit, the
// chain names the records it dropped, and Close returns.
func TestWriterMirrorNeverBlocksTheCommit(t *testing.T) {
	tests := []struct {
		name string
		// shared passes a *Mirror (as serve does, shared with the anchor lines), which
		// the test closes; otherwise the writer makes its own and closes it in Close.
		shared bool
	}{
		{"mirror made by the writer", false},
		{"mirror shared with the anchor lines", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), testsupport.NewClock()
			stuck, pipe := io.Pipe() // nobody reads
			t.Cleanup(func() { stuck.Close() })
			var shared *Mirror
			w := openWriter(t, dir, clock, func(o *Options) {
				o.Mirror, o.MirrorBytes, o.MirrorDrain = pipe, 4<<10, time.Millisecond
				if tc.shared {
					shared = NewMirror(pipe, 4<<10)
					o.Mirror = shared
				}
			})
			const n = 20
			done := make(chan error, 1)
			go func() {
				for i := range n {
					if err := w.Record(t.Context(), admission(clock, fmt.Sprint(i))); err != nil {
						done <- err
						return
					}
				}
				done <- w.Close()
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute): // a guard against a hang, not a timing assertion
				t.Fatal("the writer is blocked on a mirror nobody reads")
			}
			if tc.shared {
				if err := shared.Close(time.Millisecond); err == nil || !strings.Contains(err.Error(), "dropped") {
					t.Errorf("closing a mirror nobody reads: %v, want the lines it dropped named", err)
				}
			}

			chain := readChain(t, filepath.Join(dir, "r1"))
			var loss *MirrorLoss
			admissions := 0
			for _, r := range chain {
				switch r.Type {
				case TypeMirrorLoss:
					loss = r.MirrorLoss
				case TypeAdmission:
					admissions++
				}
			}
			if admissions != n {
				t.Errorf("chain holds %d admissions, want all %d", admissions, n)
			}
			if loss == nil {
				t.Fatalf("no mirror-loss record in the chain:\n%v", summary(chain))
			}
			if loss.Records == 0 || loss.FromSeq < 2 || loss.ToSeq != n+1 || loss.Records > loss.ToSeq-loss.FromSeq+1 || !strings.Contains(loss.Reason, "full") {
				t.Errorf("mirror loss = %+v, want the admissions past the buffer, through the last one (seq %d)", loss, n+1)
			}
			if got := w.mirror.Dropped(); got < loss.Records {
				t.Errorf("mirror counts %d dropped lines, fewer than the %d records the chain names", got, loss.Records)
			}
			mustVerify(t, dir)
		})
	}
}
