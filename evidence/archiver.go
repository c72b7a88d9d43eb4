package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
)

// ErrLocalFull refuses a record while the local directory holds MaxLocalBytes of evidence
// the archive has not taken yet: the request gets the onEvidenceFailure answer.
var ErrLocalFull = errors.New("local evidence directory full: the archive backlog reached maxLocalBytes")

// archivedHeadFile is left in a replica directory by the Archiver: the head of the chain as
// of the last segment moved to the archive, so the writer resumes the chain (seq, prevHash,
// checkpoint span) when no local segment holds it any more.
const archivedHeadFile = "archived-head.json"

// archivedHead is the content of archivedHeadFile.
type archivedHead struct {
	Segment  string     `json:"segment"`
	Object   string     `json:"object"`
	SHA256   string     `json:"sha256"`
	LastSeq  uint64     `json:"lastSeq"`
	LastHash string     `json:"lastHash"`
	Cover    spanRecord `json:"cover"`
	// Complete is true when the chain up to LastSeq held a checkpoint, so Cover is what the
	// next checkpoint must count.
	Complete bool `json:"complete"`
}

// spanRecord is a span as stored in archivedHeadFile.
type spanRecord struct {
	Count uint64    `json:"count"`
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
}

func (s spanRecord) span() span { return span{count: s.Count, from: s.From, to: s.To} }

func readArchivedHead(dir string) (*archivedHead, error) {
	data, err := os.ReadFile(filepath.Join(dir, archivedHeadFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read archived head: %w", err)
	}
	var h archivedHead
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("read archived head %s: %w", filepath.Join(dir, archivedHeadFile), err)
	}
	return &h, nil
}

// writeArchivedHead replaces archivedHeadFile atomically (write, fsync, rename, fsync dir).
func writeArchivedHead(dir string, h *archivedHead) error {
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, archivedHeadFile+".tmp")
	_ = os.Remove(tmp)
	if err := writeSynced(tmp, append(data, '\n'), 0o640); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, archivedHeadFile)); err != nil {
		return err
	}
	return syncDir(dir)
}

// Defaults of ArchiverOptions.
const (
	DefaultArchivePoll     = 10 * time.Second
	DefaultArchiveRetryMin = time.Second
	DefaultArchiveRetryMax = time.Minute
	// DefaultAnchorAttempts is how often an anchor is offered to the archive before it is
	// given up (the next checkpoint's anchor covers the chain up to it).
	DefaultAnchorAttempts = 5
)

// anchorQueue bounds the anchors waiting for the archive; when it is full the oldest gives
// way to the newest.
const anchorQueue = 64

// ArchiverOptions configures an Archiver.
type ArchiverOptions struct {
	// Dir and Replica name the replica directory, as in Options.
	Dir, Replica string
	// Archive receives the sealed segments as <replica>/<segment>.jsonl.
	Archive *Archive
	// MaxLocalBytes bounds the replica directory (0: unbounded); see Guard.
	MaxLocalBytes int64
	// Poll is how often the directory is looked at when no seal is announced.
	Poll time.Duration
	// RetryMin and RetryMax bound the backoff after a failed upload.
	RetryMin, RetryMax time.Duration
	// AnchorAttempts is how often an anchor is tried (default DefaultAnchorAttempts).
	AnchorAttempts int
	// Now is the clock of the backlog's age; nil means time.Now.
	Now func() time.Time
	// Log receives uploads that failed and the backlog draining.
	Log logr.Logger
	// AfterUpload, if set, runs once a segment is confirmed in the archive and before its
	// local copy is removed (a test hook for crashes at that point).
	AfterUpload func(segment string)
}

// ArchiveStatus is what the metrics show of the archive.
type ArchiveStatus struct {
	// BacklogSegments counts sealed segments not archived yet.
	BacklogSegments int
	// OldestUnarchived is how long ago the oldest of them was last written (0 when none).
	OldestUnarchived time.Duration
	// LocalBytes is the size of the replica directory.
	LocalBytes int64
	// UploadErrors counts failed uploads since start.
	UploadErrors uint64
	// AnchorErrors counts failed attempts to archive an anchor, and anchors dropped from a
	// full queue, since start.
	AnchorErrors uint64
}

// Archiver moves the sealed segments of one replica directory into an Archive, oldest first:
// it uploads each one with its checksum and lock, asks the store to confirm the checksum,
// records the chain's head in the directory, and only then removes the local copy. A crash at
// any step leaves the segment in place; the next attempt finds the object already archived
// with the same checksum (an idempotent skip) or uploads it again. Failed uploads back off;
// the directory holds the backlog meanwhile.
//
// The Archiver is also the writer's AnchorSink: each checkpoint's anchor is queued and put
// as <replica>/anchors/<seq>.json under the same lock, off the request path, with a bounded
// number of attempts.
type Archiver struct {
	o   ArchiverOptions
	dir string

	wake         chan struct{}
	sealedBytes  atomic.Int64 // sealed segments and quarantine files on disk
	uploadErrors atomic.Uint64
	anchors      chan Anchor
	anchorErrors atomic.Uint64

	mu     sync.Mutex // serialises passes (Run and Drain)
	status sync.Mutex
	last   ArchiveStatus
}

// NewArchiver creates the archiver of one replica directory.
func NewArchiver(o ArchiverOptions) (*Archiver, error) {
	if o.Archive == nil {
		return nil, errors.New("archiver needs an archive")
	}
	if o.Replica == "" || strings.ContainsAny(o.Replica, `/\`) || o.Replica == "." || o.Replica == ".." {
		return nil, fmt.Errorf("evidence replica name %q must be a non-empty file name", o.Replica)
	}
	if o.Poll <= 0 {
		o.Poll = DefaultArchivePoll
	}
	if o.RetryMin <= 0 {
		o.RetryMin = DefaultArchiveRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(DefaultArchiveRetryMax, o.RetryMin)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AnchorAttempts <= 0 {
		o.AnchorAttempts = DefaultAnchorAttempts
	}
	a := &Archiver{o: o, dir: filepath.Join(o.Dir, o.Replica), wake: make(chan struct{}, 1), anchors: make(chan Anchor, anchorQueue)}
	return a, nil
}

// Archive is the archive the segments and anchors go to.
func (a *Archiver) Archive() *Archive { return a.o.Archive }

// Sealed is the writer's OnSeal: it counts the segment against MaxLocalBytes and wakes the
// archiver.
func (a *Archiver) Sealed(_ string, size int64) {
	a.sealedBytes.Add(size)
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Guard is the writer's Guard: it refuses a record with ErrLocalFull once the sealed
// segments not archived yet and the open segment reach MaxLocalBytes.
func (a *Archiver) Guard(openBytes int64) error {
	if a.o.MaxLocalBytes > 0 && a.sealedBytes.Load()+openBytes >= a.o.MaxLocalBytes {
		return ErrLocalFull
	}
	return nil
}

// Status is the archive's state as of the last pass.
func (a *Archiver) Status() ArchiveStatus {
	a.status.Lock()
	defer a.status.Unlock()
	s := a.last
	s.UploadErrors = a.uploadErrors.Load()
	s.AnchorErrors = a.anchorErrors.Load()
	return s
}

// Run archives sealed segments until ctx ends: at once when the writer seals one, every Poll
// otherwise, backing off after failures. The anchors are archived alongside, as they come.
func (a *Archiver) Run(ctx context.Context) error {
	anchorsDone := make(chan struct{})
	go func() { defer close(anchorsDone); a.runAnchors(ctx) }()
	defer func() { <-anchorsDone }()
	backoff := time.Duration(0)
	for {
		err := a.pass(ctx)
		wait := a.o.Poll
		if err != nil && ctx.Err() == nil {
			backoff = min(max(backoff*2, a.o.RetryMin), a.o.RetryMax)
			wait = backoff
			a.o.Log.Error(err, "archive evidence segment; keeping it locally and retrying", "retryIn", wait.String())
		} else {
			backoff = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-a.wake:
			if err != nil { // a seal does not cut a backoff short
				select {
				case <-ctx.Done():
					t.Stop()
					return nil
				case <-t.C:
				}
			}
		case <-t.C:
		}
		t.Stop()
	}
}

// Drain archives every sealed segment and queued anchor now; on shutdown, after the writer
// sealed its last segment and handed over its last anchor.
func (a *Archiver) Drain(ctx context.Context) error {
	return errors.Join(a.pass(ctx), a.drainAnchors(ctx))
}

// Anchor queues a checkpoint's anchor for the archive and returns at once: the writer's
// commit never waits for the store. When the queue is full, the oldest queued anchor is
// dropped (counted and logged): a newer anchor of the same chain covers it.
func (a *Archiver) Anchor(_ context.Context, an Anchor) error {
	for {
		select {
		case a.anchors <- an:
			return nil
		default:
		}
		select {
		case old := <-a.anchors:
			a.anchorErrors.Add(1)
			a.o.Log.Error(errors.New("anchor queue full"), "evidence anchor not archived: dropped for a newer one", "replica", old.Replica, "seq", old.Seq)
		default:
		}
	}
}

// runAnchors archives the queued anchors until ctx ends.
func (a *Archiver) runAnchors(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case an := <-a.anchors:
			// keepAnchor counts and logs a failure, and requeues the anchor when ctx ends.
			_ = a.keepAnchor(ctx, an)
		}
	}
}

// drainAnchors archives the anchors queued now.
func (a *Archiver) drainAnchors(ctx context.Context) error {
	var errs []error
	for range len(a.anchors) {
		select {
		case an := <-a.anchors:
			if err := a.keepAnchor(ctx, an); err != nil {
				errs = append(errs, err)
			}
		default:
		}
	}
	return errors.Join(errs...)
}

// keepAnchor puts one anchor, trying AnchorAttempts times with the segments' backoff. When
// ctx ends first, the anchor goes back into the queue for Drain.
func (a *Archiver) keepAnchor(ctx context.Context, an Anchor) error {
	wait := a.o.RetryMin
	var err error
	for attempt := 1; ; attempt++ {
		if err = a.o.Archive.PutAnchor(ctx, an); err == nil {
			a.o.Log.V(1).Info("archived evidence anchor", "replica", an.Replica, "seq", an.Seq)
			return nil
		}
		if ctx.Err() != nil {
			_ = a.Anchor(ctx, an)
			return err
		}
		a.anchorErrors.Add(1)
		if attempt == a.o.AnchorAttempts {
			break
		}
		a.o.Log.Error(err, "archive evidence anchor; retrying", "replica", an.Replica, "seq", an.Seq, "retryIn", wait.String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = a.Anchor(ctx, an)
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, a.o.RetryMax)
	}
	a.o.Log.Error(err, "evidence anchor not archived: giving up; the next checkpoint's anchor covers the chain", "replica", an.Replica, "seq", an.Seq, "attempts", a.o.AnchorAttempts)
	return fmt.Errorf("archive anchor of replica %s seq %d: %w", an.Replica, an.Seq, err)
}

// pass archives the sealed segments in chain order, stopping at the first failure.
func (a *Archiver) pass(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	segments, err := listSegments(a.dir)
	if err != nil {
		return err
	}
	var passErr error
	if len(segments) > 1 {
		for _, seg := range segments[:len(segments)-1] { // the newest is open
			if err := a.archiveSegment(ctx, seg); err != nil {
				a.uploadErrors.Add(1)
				passErr = err
				break
			}
		}
	}
	a.measure()
	return passErr
}

// measure refreshes the status and the guard's count from the directory.
func (a *Archiver) measure() {
	segments, _ := listSegments(a.dir)
	entries, _ := os.ReadDir(a.dir)
	var local, sealed int64
	newest := ""
	if len(segments) > 0 {
		newest = filepath.Base(segments[len(segments)-1])
	}
	var oldest time.Time
	backlog := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		local += info.Size()
		if e.Name() == newest || e.Name() == archivedHeadFile {
			continue
		}
		sealed += info.Size()
		if _, ok := segmentSeq(e.Name()); ok {
			backlog++
			if oldest.IsZero() || info.ModTime().Before(oldest) {
				oldest = info.ModTime()
			}
		}
	}
	a.sealedBytes.Store(sealed)
	s := ArchiveStatus{BacklogSegments: backlog, LocalBytes: local}
	if !oldest.IsZero() {
		s.OldestUnarchived = max(a.o.Now().Sub(oldest), 0)
	}
	a.status.Lock()
	a.last = s
	a.status.Unlock()
}

// archiveSegment moves one sealed segment (and the quarantine files its recovery records
// name) into the archive.
func (a *Archiver) archiveSegment(ctx context.Context, seg string) error {
	quarantines, err := quarantineFiles(seg)
	if err != nil {
		return err
	}
	for _, q := range quarantines {
		if _, err := a.upload(ctx, q); err != nil {
			return err
		}
	}
	sum, err := a.upload(ctx, seg)
	if err != nil {
		return err
	}
	if a.o.AfterUpload != nil {
		a.o.AfterUpload(seg)
	}
	st, err := readSegment(seg)
	if err != nil {
		return err
	}
	if st.last == nil || st.tornReason != "" {
		return fmt.Errorf("sealed segment %s does not end with a whole record", seg)
	}
	head := &archivedHead{
		Segment: filepath.Base(seg), Object: a.o.Archive.ObjectURL(a.name(seg)), SHA256: sum.String(),
		LastSeq: st.last.Seq, LastHash: st.last.Hash,
		Cover: spanRecord{Count: st.span.count, From: st.span.from, To: st.span.to}, Complete: st.checkpoint,
	}
	if !st.checkpoint {
		prev, err := readArchivedHead(a.dir)
		if err != nil {
			return err
		}
		if prev != nil {
			c := prev.Cover.span().then(st.span)
			head.Cover, head.Complete = spanRecord{Count: c.count, From: c.from, To: c.to}, prev.Complete
		}
	}
	if err := writeArchivedHead(a.dir, head); err != nil {
		return fmt.Errorf("record archived head: %w", err)
	}
	for _, p := range append(quarantines, seg) {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := syncDir(a.dir); err != nil {
		return err
	}
	a.o.Log.V(1).Info("archived evidence segment", "segment", filepath.Base(seg), "object", head.Object)
	return nil
}

// name is the object name of a local file: <replica>/<file>.
func (a *Archiver) name(path string) string { return a.o.Replica + "/" + filepath.Base(path) }

// upload puts one local file and has the store confirm its checksum.
func (a *Archiver) upload(ctx context.Context, path string) (Checksum, error) {
	f, err := os.Open(path)
	if err != nil {
		return Checksum{}, err
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return Checksum{}, fmt.Errorf("read %s: %w", path, err)
	}
	var sum Checksum
	h.Sum(sum[:0])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Checksum{}, err
	}
	name := a.name(path)
	if _, err := a.o.Archive.Put(ctx, name, f, size, sum); err != nil {
		return Checksum{}, err
	}
	if _, err := a.o.Archive.Confirm(ctx, name, sum); err != nil {
		return Checksum{}, err
	}
	return sum, nil
}
