package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/govhook/govhook/internal/testsupport"
)

func TestOpenQuarantinesTornTail(t *testing.T) {
	tests := []struct {
		name       string
		tail       string
		newSegment bool // the torn bytes are a whole new segment of their own
		wantReason string
	}{
		{"cut mid-line", `{"schema":"govhook.io/evidence/v1","type":"adm`, false, "last line has no trailing newline"},
		{"line that is not JSON", "garbage\n", false, "last line is not a whole record"},
		{"zero-filled blocks after a crash", strings.Repeat("\x00", 4096), false, "last line has no trailing newline"},
		{"several bad lines", "{\"seq\":\n\x00\x00\n", false, "last line is not a whole record"},
		{"a new segment holding only a torn line", `{"schema":"gov`, true, "last line has no trailing newline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), testsupport.NewClock()
			replica := filepath.Join(dir, "r1")
			w := openWriter(t, dir, clock, nil)
			record(t, w, admission(clock, "a"))
			record(t, w, admission(clock, "b"))
			segment := filepath.Join(replica, segmentName(1))
			if tc.newSegment {
				segment = filepath.Join(replica, segmentName(4))
			}
			before, _ := os.ReadFile(segment)
			appendFile(t, segment, tc.tail)

			w.abandon()
			w = openWriter(t, dir, clock, nil)
			record(t, w, admission(clock, "c"))

			quarantine := strings.TrimSuffix(segment, ".jsonl") + fmt.Sprintf(".torn-%d", len(before))
			got, err := os.ReadFile(quarantine)
			if err != nil {
				t.Fatalf("quarantine file: %v", err)
			}
			if string(got) != tc.tail {
				t.Errorf("quarantine holds %q, want the torn bytes %q", got, tc.tail)
			}
			after, _ := os.ReadFile(segment)
			if !strings.HasPrefix(string(after), string(before)) {
				t.Errorf("the segment lost bytes before the torn tail")
			}
			chain := readChain(t, replica)
			if diff := cmp.Diff([]string{"1 start new", "2 admission a", "3 admission b", "4 start resumed", "5 recovery", "6 admission c"}, summary(chain)); diff != "" {
				t.Fatalf("chain (-want +got):\n%s", diff)
			}
			want := &Recovery{
				Segment:          filepath.Base(segment),
				Offset:           int64(len(before)),
				Quarantine:       filepath.Base(quarantine),
				QuarantineBytes:  int64(len(tc.tail)),
				QuarantineSHA256: sha256Hex(tc.tail),
				Reason:           tc.wantReason,
			}
			if diff := cmp.Diff(want, chain[4].Recovery); diff != "" {
				t.Errorf("recovery record (-want +got):\n%s", diff)
			}
			mustVerify(t, dir)
		})
	}
}

func TestOpenRecordsQuarantineOfAnInterruptedRepair(t *testing.T) {
	tests := []struct {
		name string
		// cut says whether the interrupted repair had already cut the segment.
		cut        bool
		wantReason string
	}{
		{"stopped after the cut, before the record", true, "quarantined earlier but not yet recorded"},
		{"stopped before the cut", false, "last line has no trailing newline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), testsupport.NewClock()
			replica := filepath.Join(dir, "r1")
			w := openWriter(t, dir, clock, nil)
			record(t, w, admission(clock, "a"))
			segment := filepath.Join(replica, segmentName(1))
			before, _ := os.ReadFile(segment)
			const tail = `{"half a rec`
			quarantine := filepath.Join(replica, fmt.Sprintf("00000000000000000001.torn-%d", len(before)))
			if err := os.WriteFile(quarantine, []byte(tail), 0o640); err != nil {
				t.Fatal(err)
			}
			if !tc.cut {
				appendFile(t, segment, tail)
			}
			w.abandon()
			openWriter(t, dir, clock, nil)
			chain := readChain(t, replica)
			if diff := cmp.Diff([]string{"1 start new", "2 admission a", "3 start resumed", "4 recovery"}, summary(chain)); diff != "" {
				t.Fatalf("chain (-want +got):\n%s", diff)
			}
			if r := chain[3].Recovery; r.Quarantine != filepath.Base(quarantine) || r.Reason != tc.wantReason || r.QuarantineBytes != int64(len(tail)) {
				t.Errorf("recovery = %+v", r)
			}
			files, _ := quarantineFiles(segment)
			if len(files) != 1 {
				t.Errorf("quarantine files = %v, want the one", files)
			}
			mustVerify(t, dir)
		})
	}
}

// fullDisk is a segment file on a disk that can fill up: while full, a write stores the
// first partial bytes (if any) and fails with ENOSPC.
type fullDisk struct {
	mu      sync.Mutex
	full    bool
	partial int
	// syncFails makes fsync fail with EIO after a whole write.
	syncFails bool
}

func (d *fullDisk) set(full bool, partial int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.full, d.partial = full, partial
}

func (d *fullDisk) open(path string) (File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &fullDiskFile{File: f, disk: d}, nil
}

type fullDiskFile struct {
	*os.File
	disk *fullDisk
}

func (f *fullDiskFile) Sync() error {
	f.disk.mu.Lock()
	fails := f.disk.syncFails
	f.disk.mu.Unlock()
	if fails {
		return &os.PathError{Op: "fsync", Path: f.Name(), Err: syscall.EIO}
	}
	return f.File.Sync()
}

func (f *fullDiskFile) Write(p []byte) (int, error) {
	f.disk.mu.Lock()
	full, partial := f.disk.full, f.disk.partial
	f.disk.mu.Unlock()
	if !full {
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:min(partial, len(p))])
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

func TestWriterRefusesWhileTheDiskIsFullAndResumes(t *testing.T) {
	tests := []struct {
		name    string
		partial int // bytes of the failed batch that reach the file
	}{
		{"nothing written", 0},
		{"part of the batch written", 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, clock := t.TempDir(), testsupport.NewClock()
			disk := &fullDisk{}
			w := openWriter(t, dir, clock, func(o *Options) { o.OpenFile = disk.open })
			record(t, w, admission(clock, "a"))

			disk.set(true, tc.partial)
			err := w.Record(t.Context(), admission(clock, "b"))
			if !errors.Is(err, ErrWriterFailed) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("record on a full disk: %v, want ErrWriterFailed wrapping ENOSPC", err)
			}
			clock.Add(100 * time.Millisecond)
			if err := w.Record(t.Context(), admission(clock, "c")); !errors.Is(err, ErrWriterFailed) {
				t.Fatalf("record before the retry: %v, want refused", err)
			}
			disk.set(false, 0)
			if err := w.Record(t.Context(), admission(clock, "d")); !errors.Is(err, ErrWriterFailed) {
				t.Fatalf("record before the retry interval passed: %v, want refused", err)
			}
			clock.Add(DefaultRetryInterval)
			record(t, w, admission(clock, "e"))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}

			chain := readChain(t, filepath.Join(dir, "r1"))
			want := []string{"1 start new", "2 admission a", "3 recovery", "4 admission e", "5 checkpoint head=4 count=4 09:00:00..09:00:01"}
			if diff := cmp.Diff(want, summary(chain)); diff != "" {
				t.Fatalf("chain (-want +got):\n%s", diff)
			}
			rec := chain[2].Recovery
			if rec.Lost != 3 || !rec.LostFrom.Equal(testsupport.NewClock().Now()) || !rec.LostTo.Equal(testsupport.NewClock().Now().Add(100*time.Millisecond)) || !strings.Contains(rec.Error, "no space left on device") {
				t.Errorf("recovery = %+v, want 3 records lost (b, c, d) from 09:00:00 to 09:00:00.1 with the ENOSPC error", rec)
			}
			if tc.partial > 0 && (rec.QuarantineBytes != int64(tc.partial) || rec.Reason != "last line has no trailing newline") {
				t.Errorf("recovery = %+v, want the %d bytes of the failed write quarantined", rec, tc.partial)
			}
			if tc.partial == 0 && rec.Quarantine != "" {
				t.Errorf("recovery names quarantine %q, but nothing was written", rec.Quarantine)
			}
			mustVerify(t, dir)
		})
	}
}

func TestCheckpointWhileFailedRetriesWithoutCountingLoss(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	disk := &fullDisk{}
	w := openWriter(t, dir, clock, func(o *Options) { o.OpenFile = disk.open })
	disk.set(true, 0)
	if err := w.Checkpoint(t.Context()); !errors.Is(err, ErrWriterFailed) {
		t.Fatalf("checkpoint on a full disk: %v", err)
	}
	disk.set(false, 0)
	clock.Add(time.Hour)
	// An idle writer recovers through its checkpoint timer alone.
	if err := w.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	chain := readChain(t, filepath.Join(dir, "r1"))
	if diff := cmp.Diff([]string{"1 start new", "2 recovery", "3 checkpoint head=2 count=2 09:00:00..10:00:00"}, summary(chain)); diff != "" {
		t.Fatalf("chain (-want +got):\n%s", diff)
	}
	if chain[1].Recovery.Lost != 1 {
		t.Errorf("lost = %d, want 1: the checkpoint that failed", chain[1].Recovery.Lost)
	}
	mustVerify(t, dir)
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestWriterFsyncFailureLeavesUnconfirmedRecords(t *testing.T) {
	// The write reached the disk but fsync failed: the record is in the chain, its caller was
	// told it is not durable, and the recovery record says so.
	dir, clock := t.TempDir(), testsupport.NewClock()
	disk := &fullDisk{}
	w := openWriter(t, dir, clock, func(o *Options) { o.OpenFile = disk.open })
	record(t, w, admission(clock, "a"))
	disk.mu.Lock()
	disk.syncFails = true
	disk.mu.Unlock()
	if err := w.Record(t.Context(), admission(clock, "b")); !errors.Is(err, syscall.EIO) {
		t.Fatalf("record with a failing fsync: %v, want EIO", err)
	}
	disk.mu.Lock()
	disk.syncFails = false
	disk.mu.Unlock()
	clock.Add(DefaultRetryInterval)
	record(t, w, admission(clock, "c"))
	chain := readChain(t, filepath.Join(dir, "r1"))
	if diff := cmp.Diff([]string{"1 start new", "2 admission a", "3 admission b", "4 recovery", "5 admission c"}, summary(chain)); diff != "" {
		t.Fatalf("chain (-want +got):\n%s", diff)
	}
	if r := chain[3].Recovery; r.Lost != 0 || r.UnconfirmedFirst != 3 || r.UnconfirmedLast != 3 || !strings.Contains(r.Error, "input/output error") {
		t.Errorf("recovery = %+v, want record 3 (b) unconfirmed, none lost, the EIO named", r)
	}
	mustVerify(t, dir)
}

// sizeLimit is a segment file under a file size limit (`ulimit -f`): a write past it stores
// what fits and fails with EFBIG. Zero means no limit.
type sizeLimit struct {
	mu    sync.Mutex
	limit int64
}

func (l *sizeLimit) set(limit int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit = limit
}

func (l *sizeLimit) open(path string) (File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	return &sizeLimitFile{File: f, l: l}, nil
}

type sizeLimitFile struct {
	*os.File
	l *sizeLimit
}

func (f *sizeLimitFile) Write(p []byte) (int, error) {
	f.l.mu.Lock()
	limit := f.l.limit
	f.l.mu.Unlock()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if limit == 0 || st.Size()+int64(len(p)) <= limit {
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:max(limit-st.Size(), 0)])
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.EFBIG}
}

// TestRetriesAfterATornTailKeepOneQuarantineFile reproduces issue 16 row 7: under a file
// size limit each retry tore the segment again at the same offset, and each retry moved its
// own torn bytes to a new quarantine file. One torn tail has one quarantine file.
func TestRetriesAfterATornTailKeepOneQuarantineFile(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	limit := &sizeLimit{}
	w := openWriter(t, dir, clock, func(o *Options) { o.OpenFile = limit.open })
	record(t, w, admission(clock, "a"))
	segment := filepath.Join(dir, "r1", segmentName(1))
	st, err := os.Stat(segment)
	if err != nil {
		t.Fatal(err)
	}
	limit.set(st.Size() + 200) // room for part of one record

	if err := w.Record(t.Context(), admission(clock, "b")); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("record past the file size limit: %v, want EFBIG", err)
	}
	for i := range 4 {
		clock.Add(DefaultRetryInterval)
		if err := w.Record(t.Context(), admission(clock, fmt.Sprintf("retry-%d", i))); !errors.Is(err, ErrWriterFailed) {
			t.Fatalf("retry %d: %v, want refused", i, err)
		}
	}
	limit.set(0)
	clock.Add(DefaultRetryInterval)
	record(t, w, admission(clock, "c"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	files, err := quarantineFiles(segment)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("quarantine files = %v, want one for the one torn tail", files)
	}
	got, _ := os.ReadFile(files[0])
	if len(got) != 200 || !strings.HasPrefix(string(got), `{"schema":"govhook.io/evidence/v1","type":"admission","id":"id-b"`) {
		t.Errorf("quarantine holds %q, want the 200 torn bytes of record b", got)
	}
	chain := readChain(t, filepath.Join(dir, "r1"))
	var recoveries []*Recovery
	for _, r := range chain {
		if r.Recovery != nil {
			recoveries = append(recoveries, r.Recovery)
		}
	}
	if len(recoveries) != 1 || recoveries[0].Quarantine != filepath.Base(files[0]) {
		t.Fatalf("recovery records = %+v, want one naming %s", recoveries, filepath.Base(files[0]))
	}
	// The retries' own recovery records were lost with their batches: the one written
	// counts every admission lost since the first failure.
	if r := recoveries[0]; r.Lost != 5 || !r.LostFrom.Equal(testsupport.NewClock().Now()) || !strings.Contains(r.Error, "file too large") || r.Reason != "last line has no trailing newline" {
		t.Errorf("recovery = %+v, want 5 lost (b and the four retries) from 09:00:00, the EFBIG error and why the tail was torn", r)
	}
	mustVerify(t, dir)
}

// TestHealthyWhileTheDiskIsFull reproduces issue 16 row 7: while the writer refused every
// record, nothing told readiness. Healthy names the write error until the disk takes writes
// again, and then resumes the writer by itself (no request needed).
func TestHealthyWhileTheDiskIsFull(t *testing.T) {
	dir, clock := t.TempDir(), testsupport.NewClock()
	disk := &fullDisk{}
	w := openWriter(t, dir, clock, func(o *Options) { o.OpenFile = disk.open })
	if err := w.Healthy(); err != nil {
		t.Fatalf("healthy writer: %v", err)
	}
	disk.set(true, 0)
	if err := w.Record(t.Context(), admission(clock, "a")); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("record on a full disk: %v", err)
	}
	clock.Add(DefaultRetryInterval)
	if err := w.Healthy(); !errors.Is(err, ErrWriterFailed) || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("healthy on a full disk: %v, want the write error", err)
	}
	disk.set(false, 0)
	if err := w.Healthy(); !errors.Is(err, ErrWriterFailed) {
		t.Fatalf("healthy before the retry interval: %v, want still failed", err)
	}
	clock.Add(DefaultRetryInterval)
	if err := w.Healthy(); err != nil {
		t.Fatalf("healthy once the disk takes writes: %v", err)
	}
	chain := readChain(t, filepath.Join(dir, "r1"))
	if diff := cmp.Diff([]string{"1 start new", "2 recovery"}, summary(chain)); diff != "" {
		t.Fatalf("the check wrote the recovery record itself; chain (-want +got):\n%s", diff)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Healthy(); !errors.Is(err, ErrClosed) {
		t.Errorf("healthy after Close: %v, want ErrClosed", err)
	}
	mustVerify(t, dir)
}
