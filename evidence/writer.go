package evidence

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// Recorder stores one evidence record durably; it returns only once the record is durable
// (or with the reason it is not).
type Recorder interface {
	Record(ctx context.Context, r *Record) error
}

// ErrWriterFailed marks a record that could not be made durable: a write or fsync failed, or
// the writer has not recovered from one yet. It is retried after Options.RetryInterval.
var ErrWriterFailed = errors.New("evidence writer failed")

// ErrClosed is returned for records offered after Close.
var ErrClosed = errors.New("evidence writer closed")

// File is an open segment, appended to by one writer.
type File interface {
	io.Writer
	Sync() error
	Close() error
}

// Defaults of Options.
const (
	DefaultMaxSegmentBytes = 64 << 20
	DefaultMaxSegmentAge   = 24 * time.Hour
	// DefaultSealAge is govhook serve's segment age: it bounds what an emptyDir loses on a
	// hard crash once segments are archived, since a segment is sealed (and handed to the
	// archive) at most this long after its first record.
	DefaultSealAge            = time.Minute
	DefaultCheckpointInterval = time.Minute
	DefaultRetryInterval      = time.Second
)

// Options configures a Writer. Zero values take the defaults.
type Options struct {
	// Dir is the evidence directory; records go to Dir/Replica/<first-seq>.jsonl.
	Dir string
	// Replica names this writer's chain, usually the pod name.
	Replica string
	// Mirror, if set, also receives every durable line (for log shippers), through a
	// *Mirror so that it never holds up the commit: a *Mirror given here is used as it is
	// (and closed by whoever made it), any other writer gets one of MirrorBytes, closed by
	// Close within MirrorDrain.
	Mirror      io.Writer
	MirrorBytes int
	MirrorDrain time.Duration
	// MaxSegmentBytes and MaxSegmentAge start a new segment before one grows past the size
	// or once it is older than the age.
	MaxSegmentBytes int64
	MaxSegmentAge   time.Duration
	// CheckpointInterval is how often a checkpoint record is written, even when idle;
	// negative disables the timer (Checkpoint and Close still write one).
	CheckpointInterval time.Duration
	// RetryInterval is how long a failed writer refuses records before it tries to resume.
	RetryInterval time.Duration
	// Now is the clock of checkpoints and segment ages; nil means time.Now.
	Now func() time.Time
	// OpenFile opens a segment for appending, creating it if needed; nil means the OS.
	OpenFile func(path string) (File, error)
	// Log receives what the writer does on its own: recoveries, failed checkpoints.
	Log logr.Logger
	// Signer, if set, signs every checkpoint.
	Signer *Signer
	// Anchors receive each durable checkpoint's anchor (stdout, the archive). A failure is
	// logged: the checkpoint is in the chain all the same.
	Anchors []AnchorSink
	// AnchorSource, if set, gives the newest anchor of the replica when the chain is
	// opened: a local chain behind it is not continued.
	AnchorSource AnchorSource
	// Pod, Version and ConfigDigest are named in the start record.
	Pod          string
	Version      string
	ConfigDigest string
	// OnSeal, if set, is told of every segment the writer stops appending to (its path and
	// size), so an archive can take it at once. It must not block.
	OnSeal func(path string, size int64)
	// Guard, if set, is asked before a record is queued, with the bytes of the open segment
	// and the queue; an error refuses the record (the archive's disk guard, ErrLocalFull).
	Guard func(openBytes int64) error
	// SealOnClose seals the open segment on Close, after the last checkpoint: a new empty
	// segment takes its place, so the closed one can be archived and is never appended to.
	SealOnClose bool
}

func (o *Options) defaults() {
	if o.MaxSegmentBytes <= 0 {
		o.MaxSegmentBytes = DefaultMaxSegmentBytes
	}
	if o.MaxSegmentAge <= 0 {
		o.MaxSegmentAge = DefaultMaxSegmentAge
	}
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = DefaultCheckpointInterval
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = DefaultRetryInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OpenFile == nil {
		o.OpenFile = func(path string) (File, error) {
			return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		}
	}
}

// Writer appends the records of one replica to its chain of segment files. Concurrent Record
// calls share one write and one fsync (group commit): the first caller to find no flush
// under way writes everything queued so far, the others wait for it.
//
// A failed write or fsync fails the batch and everything queued behind it; the writer then
// refuses records until, RetryInterval later, it resumes from what is on disk and writes a
// recovery record counting what was lost.
type Writer struct {
	o       Options
	dir     string
	lock    *os.File // the replica directory, flocked
	written *os.File // writtenFile

	mu     sync.Mutex
	synced *sync.Cond

	// The segment is used by whoever holds flushing (before Open returns: Open).
	file    File
	segPath string
	segSize int64
	// segBytes is segSize as of the last flush, read under mu by the disk guard while a
	// flush may be changing segSize.
	segBytes int64
	segStart time.Time

	seq        uint64 // last seq assigned
	durableSeq uint64 // last seq confirmed durable to its caller
	prevHash   string // hash of the record with seq
	span       span   // records since the last checkpoint
	queue      []byte
	spare      []byte
	queueFirst uint64 // seq of the first queued record, 0 when none
	open       uint64 // batch that new records join
	durable    uint64 // last batch done with (written, or failed)
	flushing   bool
	flushStart time.Time // when the flush under way began

	err           error  // why records are refused now; nil when healthy
	failErr       error  // the error of the last failed batch
	failedThrough uint64 // batches up to this one failed
	lost          lostRecords
	retryAt       time.Time
	closed        bool
	// tail is what the last failed write left past the segment's last whole record; the
	// writer alone appends (the directory is locked), so a tear that matches it is its own.
	tail *ownTail
	// unwritten is the loss the queued recovery records report, until they are durable.
	unwritten *unwrittenLoss
	// pending gives the reason of each quarantine file this writer made whose recovery
	// record is not durable yet.
	pending map[string]string

	mirror    *Mirror
	ownMirror bool // made by Open, closed by Close

	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// ownTail is the part of a failed write that reached a segment: n bytes at offset.
type ownTail struct {
	segment string
	offset  int64
	size    int64
	sum     [sha256.Size]byte
}

// unwrittenLoss is the loss reported by recovery records first..last, queued but not
// durable yet: if their batch fails too, the next recovery record reports it again.
type unwrittenLoss struct {
	first, last uint64
	loss        Recovery
}

// merge adds an earlier loss that was never recorded to r.
func (r *Recovery) merge(earlier *Recovery) {
	r.Lost += earlier.Lost
	if earlier.Lost > 0 && (r.LostFrom.IsZero() || earlier.LostFrom.Before(r.LostFrom)) {
		r.LostFrom = earlier.LostFrom
	}
	if earlier.LostTo.After(r.LostTo) {
		r.LostTo = earlier.LostTo
	}
	if earlier.Error != "" {
		r.Error = earlier.Error // the first error
	}
	if earlier.UnconfirmedFirst > 0 {
		if r.UnconfirmedFirst == 0 || earlier.UnconfirmedFirst < r.UnconfirmedFirst {
			r.UnconfirmedFirst = earlier.UnconfirmedFirst
		}
		r.UnconfirmedLast = max(r.UnconfirmedLast, earlier.UnconfirmedLast)
	}
}

// lostRecords accounts for records refused while the writer was failed.
type lostRecords struct {
	refused  uint64
	from, to time.Time
	err      string
}

// Open opens the replica's chain: it locks the replica directory, repairs a torn tail of the
// newest segment (moving it to a quarantine file and recording that), resumes the chain from
// its last record, or starts a new one when records written before are gone, writes the start
// record, and starts the checkpoint timer.
func Open(ctx context.Context, o Options) (*Writer, error) {
	if o.Replica == "" || strings.ContainsAny(o.Replica, `/\`) || o.Replica == "." || o.Replica == ".." {
		return nil, fmt.Errorf("evidence replica name %q must be a non-empty file name", o.Replica)
	}
	o.defaults()
	w := &Writer{o: o, dir: filepath.Join(o.Dir, o.Replica), open: 1, pending: map[string]string{}}
	w.synced = sync.NewCond(&w.mu)
	if err := makeReplicaDir(w.dir); err != nil {
		return nil, fmt.Errorf("create evidence directory: %w", err)
	}
	lock, err := lockDir(w.dir, o.Replica)
	if err != nil {
		return nil, err
	}
	w.lock = lock
	if m, ok := o.Mirror.(*Mirror); ok {
		w.mirror = m
	} else if o.Mirror != nil {
		w.mirror, w.ownMirror = NewMirror(o.Mirror, o.MirrorBytes), true
	}
	w2, err := w.openChain(ctx)
	if err != nil {
		lock.Close()
		if w.ownMirror {
			_ = w.mirror.Close(o.MirrorDrain)
		}
		return nil, err
	}
	return w2, nil
}

// openChain does the work of Open once the replica directory is locked.
func (w *Writer) openChain(ctx context.Context) (*Writer, error) {
	o := w.o
	res, err := w.resume()
	if err != nil {
		return nil, err
	}
	start, newSeq, err := w.startRecord(ctx, head{seq: res.seq, hash: res.hash})
	if err == nil && newSeq > 0 {
		err = w.newChain(res, newSeq)
	}
	if err == nil {
		w.written, err = os.OpenFile(filepath.Join(w.dir, writtenFile), os.O_RDWR|os.O_CREATE, 0o640)
	}
	if err != nil {
		res.file.Close()
		return nil, err
	}
	w.mu.Lock()
	w.apply(res)
	batch, err := w.append(&Record{Type: TypeStart, Time: w.o.Now().UTC(), Start: start})
	if err == nil {
		batch, err = w.appendRecoveries(res.recoveries, batch)
	}
	if err == nil {
		err = w.wait(batch)
	}
	w.mu.Unlock()
	if err != nil {
		w.file.Close()
		w.written.Close()
		return nil, fmt.Errorf("write evidence start record: %w", err)
	}
	if start.Lost != nil {
		o.Log.Error(errors.New(start.Lost.Reason), "evidence records were lost; started a new chain that names the loss",
			"replica", o.Replica, "lostFrom", start.Lost.FromSeq, "lostTo", start.Lost.ToSeq, "seq", newSeq)
	}
	for _, r := range res.recoveries {
		o.Log.Error(errors.New(r.Reason), "evidence segment had a torn tail; moved it to a quarantine file and recorded that",
			"segment", r.Segment, "offset", r.Offset, "quarantine", r.Quarantine, "bytes", r.QuarantineBytes)
	}
	w.stop, w.stopped = make(chan struct{}), make(chan struct{})
	go w.checkpoints()
	return w, nil
}

// newChain makes res the state of a new chain whose first record has seq first, in a segment
// of its own.
func (w *Writer) newChain(res *resumed, first uint64) error {
	if res.size == 0 { // the newest segment is empty: the new one replaces it
		res.file.Close()
		if err := os.Remove(filepath.Join(w.dir, segmentName(res.seq+1))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	} else {
		res.file.Close()
	}
	f, err := w.startSegment(first)
	if err != nil {
		return err
	}
	res.file, res.path, res.size, res.start = f, filepath.Join(w.dir, segmentName(first)), 0, w.o.Now()
	res.seq, res.hash, res.span = first-1, GenesisHash, span{}
	return nil
}

// Record assigns the record its place in the chain, queues it, and returns once the batch it
// joined is written and fsynced. The wait is not cut short by ctx: a record once queued is
// written or failed.
func (w *Writer) Record(_ context.Context, r *Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.Time.IsZero() {
		r.Time = w.o.Now().UTC()
	}
	if err := w.usable(r.Time, true); err != nil {
		return err
	}
	if w.o.Guard != nil {
		if err := w.o.Guard(w.segBytes + int64(len(w.queue))); err != nil {
			return err
		}
	}
	batch, err := w.append(r)
	if err != nil {
		return err
	}
	return w.wait(batch)
}

// StallLimit is how long one write and fsync may take before Healthy reports the writer
// stalled: requests waiting on it would time out.
const StallLimit = 2 * time.Second

// Healthy returns nil while the writer takes records, else why it refuses them: a failed
// write it has not recovered from, a write stalled past StallLimit, the disk guard, or
// Close. It is the writer's readiness check: once RetryInterval has passed since a failure
// it tries to resume and writes the recovery record, so that the writer becomes ready again
// as soon as the disk takes writes, with no request having to come in first.
func (w *Writer) Healthy() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.err != nil && !w.flushing && !w.o.Now().Before(w.retryAt) {
		w.recover()
		if w.err == nil && w.queueFirst != 0 {
			_ = w.wait(w.open) // a failure sets w.err
		}
	}
	if w.err != nil {
		return w.err
	}
	if d := w.o.Now().Sub(w.flushStart); w.flushing && d > StallLimit {
		return fmt.Errorf("%w: a write and fsync under way for %s", ErrWriterFailed, d.Round(time.Millisecond))
	}
	if w.o.Guard != nil {
		return w.o.Guard(w.segBytes + int64(len(w.queue)))
	}
	return nil
}

// Checkpoint writes a checkpoint record now. The timer calls it every CheckpointInterval.
// Once durable, its anchor goes to the anchor sinks, with the writer's lock released.
func (w *Writer) Checkpoint(ctx context.Context) error {
	w.mu.Lock()
	r, err := w.checkpointLocked()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	w.anchor(ctx, r)
	return nil
}

func (w *Writer) checkpointLocked() (*Record, error) {
	now := w.o.Now().UTC()
	if err := w.usable(now, false); err != nil {
		return nil, err
	}
	// What the mirror dropped is named in the chain before each checkpoint: at most one
	// record per checkpoint, however long the mirror's reader is stuck.
	var loss MirrorLoss
	if w.mirror != nil {
		if loss = w.mirror.takeLoss(); loss.Records > 0 || loss.Other > 0 {
			if _, err := w.append(&Record{Type: TypeMirrorLoss, Time: now, MirrorLoss: &loss}); err != nil {
				w.mirror.restoreLoss(loss)
				return nil, err
			}
		}
	}
	r, err := w.appendCheckpoint(now)
	if err != nil && w.mirror != nil {
		w.mirror.restoreLoss(loss)
	}
	return r, err
}

// appendCheckpoint writes a checkpoint record of the chain's head at now.
func (w *Writer) appendCheckpoint(now time.Time) (*Record, error) {
	r := &Record{Type: TypeCheckpoint, Time: now, Checkpoint: &Checkpoint{
		HeadSeq: w.seq, HeadHash: w.prevHash, Count: w.span.count, From: w.span.from, To: w.span.to,
	}}
	batch, err := w.append(r)
	if err != nil {
		return nil, err
	}
	return r, w.wait(batch)
}

// anchor hands a durable checkpoint's anchor to every sink. A sink that fails is logged: the
// checkpoint is in the chain, and the next anchor covers it.
func (w *Writer) anchor(ctx context.Context, r *Record) {
	a := anchorOf(r)
	for _, s := range w.o.Anchors {
		if err := s.Anchor(ctx, a); err != nil {
			w.o.Log.Error(err, "evidence anchor not kept", "replica", a.Replica, "seq", a.Seq)
		}
	}
}

// Close stops the checkpoint timer, writes a last checkpoint (so a clean stop is told apart
// from a crash) and closes the segment.
func (w *Writer) Close() error {
	w.closeOnce.Do(func() { close(w.stop) })
	<-w.stopped
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	var err error
	if w.err == nil {
		var r *Record
		if r, err = w.checkpointLocked(); err == nil {
			w.anchor(context.Background(), r)
		}
	}
	for w.flushing {
		w.synced.Wait()
	}
	if w.o.SealOnClose && w.err == nil {
		err = errors.Join(err, w.sealLocked())
	}
	w.closed = true
	if w.err == nil {
		w.err = ErrClosed
	}
	err = errors.Join(err, w.written.Close(), w.lock.Close())
	if w.file != nil { // nil: a failed writer that could not reopen its segment
		err = errors.Join(err, w.file.Close())
	}
	if w.ownMirror {
		if merr := w.mirror.Close(w.o.MirrorDrain); merr != nil {
			w.o.Log.Error(merr, "evidence mirror not drained at shutdown; the records are in the evidence files")
		}
	}
	return err
}

func (w *Writer) checkpoints() {
	defer close(w.stopped)
	var tick <-chan time.Time
	if w.o.CheckpointInterval > 0 {
		t := time.NewTicker(w.o.CheckpointInterval)
		defer t.Stop()
		tick = t.C
	}
	// An idle writer still seals an old segment, so the archive gets it within the age.
	sealEvery := min(max(w.o.MaxSegmentAge/4, 100*time.Millisecond), 15*time.Second)
	seal := time.NewTicker(sealEvery)
	defer seal.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick:
			if err := w.Checkpoint(context.Background()); err != nil && !errors.Is(err, ErrClosed) {
				w.o.Log.Error(err, "evidence checkpoint not durable")
			}
		case <-seal.C:
			if err := w.sealIfOld(); err != nil {
				w.o.Log.Error(err, "seal evidence segment")
			}
		}
	}
}

// Seal starts a new segment now if the open one holds records, so that the open one can be
// archived. Records keep flowing into the new segment.
func (w *Writer) Seal() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.flushing {
		w.synced.Wait()
	}
	if w.closed {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	return w.sealLocked()
}

func (w *Writer) sealIfOld() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.flushing {
		w.synced.Wait()
	}
	if w.closed || w.err != nil || w.segSize == 0 || w.o.Now().Sub(w.segStart) < w.o.MaxSegmentAge {
		return nil
	}
	return w.sealLocked()
}

// sealLocked rotates to a new segment named for the first record not written yet. Called with
// mu held and no flush under way.
func (w *Writer) sealLocked() error {
	if w.segSize == 0 {
		return nil
	}
	next := w.queueFirst
	if next == 0 {
		next = w.seq + 1
	}
	if err := w.rotate(next, w.o.Now()); err != nil {
		return err
	}
	w.segBytes = 0
	return nil
}

// usable returns nil when records can be queued; a failed writer tries to resume first once
// RetryInterval has passed. t is the time of the record being offered; count says whether a
// refusal loses a record (a refused checkpoint loses none).
func (w *Writer) usable(t time.Time, count bool) error {
	if w.closed {
		return ErrClosed
	}
	if w.err != nil && !w.flushing && !w.o.Now().Before(w.retryAt) {
		w.recover()
	}
	if w.err == nil || !count {
		return w.err
	}
	w.lost.refused++
	if w.lost.from.IsZero() || t.Before(w.lost.from) {
		w.lost.from = t
	}
	if t.After(w.lost.to) {
		w.lost.to = t
	}
	return w.err
}

// append seals r as the next record of the chain and queues it; it returns the batch to wait
// for.
func (w *Writer) append(r *Record) (uint64, error) {
	if r.Schema == "" {
		r.Schema = Schema
	}
	if r.Type == "" {
		r.Type = TypeAdmission
	}
	r.Seq = w.seq + 1
	r.Replica = w.o.Replica
	r.PrevHash = w.prevHash
	if r.Type == TypeCheckpoint && w.o.Signer != nil {
		w.o.Signer.sign(r)
	}
	line, err := Seal(r)
	if err != nil {
		return 0, fmt.Errorf("encode evidence record: %w", err)
	}
	w.seq, w.prevHash = r.Seq, r.Hash
	if r.Type == TypeCheckpoint {
		w.span = span{}
	} else {
		w.span.add(r.Time)
	}
	if w.queueFirst == 0 {
		w.queueFirst = r.Seq
	}
	w.queue = append(w.queue, line...)
	return w.open, nil
}

// wait returns once batch is written and fsynced, flushing it itself when no one else is.
func (w *Writer) wait(batch uint64) error {
	for w.durable < batch {
		if w.flushing {
			w.synced.Wait()
			continue
		}
		w.flush()
	}
	if batch <= w.failedThrough {
		return w.failErr
	}
	return nil
}

// flush writes the queued batch with mu released, so new records keep queueing meanwhile.
func (w *Writer) flush() {
	w.flushing = true
	buf, first, last, lastHash := w.queue, w.queueFirst, w.seq, w.prevHash
	w.queue, w.queueFirst = w.spare[:0], 0
	batch := w.open
	w.open++
	now := w.o.Now()
	w.flushStart = now
	w.mu.Unlock()

	err := w.write(buf, first, now)
	if err == nil {
		w.recordWritten(head{seq: last, hash: lastHash})
	}
	if err == nil && w.mirror != nil {
		w.mirror.offer(buf, first, last) // never blocks: the file is the evidence, the mirror a copy
	}

	w.mu.Lock()
	w.spare = buf
	w.segBytes = w.segSize
	w.flushing = false
	w.durable = batch
	if err == nil {
		w.durableSeq = last
		if w.unwritten != nil && last >= w.unwritten.first {
			w.unwritten = nil
		}
	} else {
		// Records queued meanwhile chain onto the lost batch: they are lost with it.
		w.failedThrough = w.open
		w.durable = w.open
		w.open++
		w.queue, w.queueFirst = w.queue[:0], 0
		w.failErr = fmt.Errorf("%w: %w", ErrWriterFailed, err)
		w.err = w.failErr
		w.retryAt = now.Add(w.o.RetryInterval)
		w.lost.from = now
		w.lost.to = now
		w.lost.err = err.Error()
	}
	w.synced.Broadcast()
}

// write appends one batch to the segment, starting a new segment first when the current one
// is full or old.
func (w *Writer) write(buf []byte, first uint64, now time.Time) error {
	if w.segSize > 0 && (w.segSize+int64(len(buf)) > w.o.MaxSegmentBytes || now.Sub(w.segStart) >= w.o.MaxSegmentAge) {
		if err := w.rotate(first, now); err != nil {
			return err
		}
	}
	if w.segSize == 0 {
		w.segStart = now // a segment's age counts from its first record
	}
	offset := w.segSize
	n, err := w.file.Write(buf)
	w.segSize += int64(n)
	if err != nil {
		if n > 0 {
			w.tail = &ownTail{segment: w.segPath, offset: offset, size: int64(n), sum: sha256.Sum256(buf[:n])}
		}
		return fmt.Errorf("write evidence segment: %w", err)
	}
	if err := w.file.Sync(); err != nil {
		return fmt.Errorf("fsync evidence segment: %w", err)
	}
	return nil
}

// recordWritten notes the last durable record in writtenFile, with no fsync of its own: it
// reaches the disk with the next segment fsync, and on restart the larger of it and the
// chain's head counts. A failure only weakens that check, so it is logged, not fatal.
func (w *Writer) recordWritten(h head) {
	if _, err := w.written.WriteAt(formatWritten(h), 0); err != nil {
		w.o.Log.Error(err, "note the last written evidence seq")
	}
}

// startSegment creates the segment named for seq first and makes its name durable.
func (w *Writer) startSegment(first uint64) (File, error) {
	f, err := w.o.OpenFile(filepath.Join(w.dir, segmentName(first)))
	if err != nil {
		return nil, fmt.Errorf("start evidence segment: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("start evidence segment: %w", err)
	}
	return f, nil
}

// rotate closes the current segment and starts the one named for seq first.
func (w *Writer) rotate(first uint64, now time.Time) error {
	f, err := w.startSegment(first)
	if err != nil {
		return err
	}
	old, oldSize := w.file, w.segSize
	w.file, w.segSize, w.segStart = f, 0, now
	if err := old.Close(); err != nil {
		w.o.Log.Error(err, "close evidence segment")
	}
	if w.o.OnSeal != nil && oldSize > 0 {
		w.o.OnSeal(w.segPath, oldSize)
	}
	w.segPath = filepath.Join(w.dir, segmentName(first))
	return nil
}

// recover resumes a failed writer from what is on disk and queues a recovery record that
// says what was lost. Called with mu held and no flush under way.
func (w *Writer) recover() {
	w.flushing = true
	w.mu.Unlock()
	res, err := w.resume()
	w.mu.Lock()
	w.flushing = false
	w.synced.Broadcast()
	if err != nil {
		w.retryAt = w.o.Now().Add(w.o.RetryInterval)
		w.o.Log.Error(err, "evidence writer still failing")
		return
	}
	assigned, confirmed := w.seq, w.durableSeq
	w.apply(res)
	lost := &Recovery{
		Lost:     w.lost.refused,
		LostFrom: w.lost.from.UTC(),
		LostTo:   w.lost.to.UTC(),
		Error:    w.lost.err,
	}
	if assigned > w.seq {
		lost.Lost += assigned - w.seq
	}
	if w.seq > confirmed { // whole lines of a failed write reached the disk after all
		lost.UnconfirmedFirst, lost.UnconfirmedLast = confirmed+1, w.seq
	}
	if u := w.unwritten; u != nil && w.seq < u.first {
		// The last recovery record was lost with its batch: it is not a record lost, and
		// what it reported is reported again.
		if assigned >= u.first {
			lost.Lost -= min(u.last, assigned) - u.first + 1
		}
		lost.merge(&u.loss)
	}
	w.unwritten = nil
	if len(res.recoveries) > 0 {
		r := res.recoveries[0]
		r.Lost, r.LostFrom, r.LostTo, r.Error = lost.Lost, lost.LostFrom, lost.LostTo, lost.Error
		r.UnconfirmedFirst, r.UnconfirmedLast = lost.UnconfirmedFirst, lost.UnconfirmedLast
	} else {
		res.recoveries = append(res.recoveries, lost)
	}
	first := w.seq + 1
	if _, err := w.appendRecoveries(res.recoveries, 0); err != nil {
		w.err = fmt.Errorf("%w: %w", ErrWriterFailed, err)
		w.retryAt = w.o.Now().Add(w.o.RetryInterval)
		return
	}
	w.unwritten = &unwrittenLoss{first: first, last: w.seq, loss: *lost}
	w.err, w.lost = nil, lostRecords{}
	w.o.Log.Info("evidence writer resumed after failed writes", "replica", w.o.Replica, "seq", w.seq, "lost", lost.Lost)
}

// appendRecoveries queues one recovery record per repair; it returns the batch to wait for
// (batch when there is none).
func (w *Writer) appendRecoveries(recs []*Recovery, batch uint64) (uint64, error) {
	for _, rec := range recs {
		b, err := w.append(&Record{Type: TypeRecovery, Time: w.o.Now().UTC(), Recovery: rec})
		if err != nil {
			return 0, err
		}
		batch = b
	}
	return batch, nil
}

// resumed is the chain state read back from disk.
type resumed struct {
	file       File
	path       string
	size       int64
	start      time.Time
	seq        uint64
	hash       string
	span       span
	recoveries []*Recovery
}

// apply puts the state read back from disk in force; nothing queued before survives it.
func (w *Writer) apply(res *resumed) {
	w.file, w.segPath, w.segSize, w.segStart = res.file, res.path, res.size, res.start
	w.segBytes = res.size
	w.seq, w.prevHash, w.span, w.durableSeq = res.seq, res.hash, res.span, res.seq
	w.queue, w.queueFirst = w.queue[:0], 0
}

// resume reads the chain's head back from disk: it quarantines a torn tail of the newest
// segment, finds the last record and what the next checkpoint must cover, and opens the
// newest segment for appending.
func (w *Writer) resume() (*resumed, error) {
	if w.file != nil {
		_ = w.file.Close() // it failed; what matters is on disk
		w.file = nil
	}
	res := &resumed{hash: GenesisHash, start: w.o.Now()}
	segments, err := listSegments(w.dir)
	if err != nil {
		return nil, err
	}
	// Segments moved to the archive left the head of the chain behind them here.
	archived, err := readArchivedHead(w.dir)
	if err != nil {
		return nil, err
	}
	newest := filepath.Join(w.dir, segmentName(1))
	if archived != nil {
		res.seq, res.hash, res.span = archived.LastSeq, archived.LastHash, archived.Cover.span()
		newest = filepath.Join(w.dir, segmentName(archived.LastSeq+1))
	}
	if len(segments) > 0 {
		newest = segments[len(segments)-1]
		st, err := readSegment(newest)
		if err != nil {
			return nil, err
		}
		if res.recoveries, err = w.repairTail(newest, st); err != nil {
			return nil, fmt.Errorf("repair torn tail of %s: %w", newest, err)
		}
		res.size = st.size
		if st.first != nil {
			res.start = st.first.Time
		}
		head, cover, complete := st.last, st.span, st.checkpoint
		for i := len(segments) - 2; i >= 0 && (head == nil || !complete); i-- {
			if n, ok := segmentSeq(segments[i]); ok && archived != nil && n <= archived.LastSeq {
				break // archived already, waiting for its local delete: the head file covers it
			}
			older, err := readSegment(segments[i])
			if err != nil {
				return nil, err
			}
			if head == nil {
				if older.tornReason != "" {
					return nil, fmt.Errorf("segment %s does not end with a whole record (%s) and is not the newest; move it aside after inspection", segments[i], older.tornReason)
				}
				head = older.last
			}
			cover, complete = older.span.then(cover), older.checkpoint
		}
		if archived != nil && !complete {
			cover = archived.Cover.span().then(cover)
		}
		if head != nil {
			res.seq, res.hash = head.Seq, head.Hash
		}
		res.span = cover
		if named, ok := segmentSeq(newest); st.size == 0 && (!ok || named != res.seq+1) {
			// An empty segment named for another seq (rotation cut short): name it right.
			if err := os.Remove(newest); err != nil {
				return nil, err
			}
			newest = filepath.Join(w.dir, segmentName(res.seq+1))
		}
	}
	f, err := w.o.OpenFile(newest)
	if err != nil {
		return nil, fmt.Errorf("open evidence segment: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("open evidence segment: %w", err)
	}
	res.file, res.path = f, newest
	return res, nil
}

// repairTail quarantines a torn tail of the newest segment and describes every quarantine
// file of that segment that no recovery record names yet (including one left by a repair
// that stopped before its record was written).
//
// A torn tail gets one quarantine file: when the writer's retry fails again at the offset
// of a quarantine file whose record is not written yet, the bytes past it are the writer's
// own (its recovery record and records it refused and counts as lost) and are cut.
func (w *Writer) repairTail(segment string, st *segmentState) ([]*Recovery, error) {
	files, err := quarantineFiles(segment)
	if err != nil {
		return nil, err
	}
	own := w.tail
	w.tail = nil
	if st.tornReason != "" {
		retried, err := w.retriedTear(segment, st, own, files)
		if err != nil {
			return nil, err
		}
		if retried {
			err = cutOwnTail(segment, st)
		} else {
			var name string
			if name, err = quarantineTail(segment, st); err == nil {
				w.pending[name] = st.tornReason
				files, err = quarantineFiles(segment)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	var out []*Recovery
	for _, path := range files {
		name := filepath.Base(path)
		if st.quarantines[name] {
			delete(w.pending, name)
			continue
		}
		reason, ok := w.pending[name]
		if !ok {
			reason = "quarantined earlier but not yet recorded"
		}
		rec, err := quarantineRecovery(segment, path, reason)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// retriedTear reports whether the torn tail of segment is exactly own, the bytes of the
// writer's last failed write, made at the offset of a quarantine file no record names yet.
func (w *Writer) retriedTear(segment string, st *segmentState, own *ownTail, files []string) (bool, error) {
	if own == nil || own.segment != segment || own.offset != st.end || own.size != st.size-st.end {
		return false, nil
	}
	unrecorded := slices.ContainsFunc(files, func(path string) bool {
		name := filepath.Base(path)
		return !st.quarantines[name] && quarantineOffset(name) == st.end
	})
	if !unrecorded {
		return false, nil
	}
	f, err := os.Open(segment)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, st.end, own.size)); err != nil {
		return false, fmt.Errorf("read torn tail of %s: %w", segment, err)
	}
	return [sha256.Size]byte(h.Sum(nil)) == own.sum, nil
}
