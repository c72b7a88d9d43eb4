package evidence

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Recorder stores one evidence record durably; it returns only once the record is durable
// (or with the reason it is not).
type Recorder interface {
	Record(ctx context.Context, r *Record) error
}

// ErrWriterFailed marks a writer that lost a write: its chain can no longer be trusted to be
// complete, so it refuses further records until restarted.
var ErrWriterFailed = errors.New("evidence writer failed")

// Writer appends records of one replica to its segment file. Concurrent Record calls share one
// write and one fsync (group commit): the first caller to find no flush under way writes
// everything queued so far, the others wait for it.
type Writer struct {
	mu       sync.Mutex
	synced   *sync.Cond
	file     *os.File
	replica  string
	mirror   io.Writer
	seq      uint64
	prevHash string
	queue    []byte
	spare    []byte
	open     uint64 // batch that new records join
	durable  uint64 // last batch written and fsynced
	flushing bool
	err      error
}

// Options configures a Writer.
type Options struct {
	// Dir is the evidence directory; records go to Dir/Replica/*.jsonl.
	Dir string
	// Replica names this writer's chain, usually the pod name.
	Replica string
	// Mirror, if set, also receives every durable line (for log shippers).
	Mirror io.Writer
}

// Open opens (or creates) the replica's newest segment and resumes its chain from the last
// record.
func Open(o Options) (*Writer, error) {
	if o.Replica == "" || strings.ContainsAny(o.Replica, `/\`) {
		return nil, fmt.Errorf("evidence replica name %q must be a non-empty file name", o.Replica)
	}
	dir := filepath.Join(o.Dir, o.Replica)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create evidence directory: %w", err)
	}
	w := &Writer{replica: o.Replica, mirror: o.Mirror, prevHash: GenesisHash, open: 1}
	w.synced = sync.NewCond(&w.mu)
	segments, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(segments)
	path := filepath.Join(dir, fmt.Sprintf("%020d.jsonl", 1))
	if len(segments) > 0 {
		path = segments[len(segments)-1]
		last, err := lastRecord(path)
		if err != nil {
			return nil, fmt.Errorf("resume evidence chain from %s: %w", path, err)
		}
		if last != nil {
			w.seq, w.prevHash = last.Seq, last.Hash
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open evidence segment: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// Record assigns the record its place in the chain, queues it, and returns once the batch it
// joined is written and fsynced.
func (w *Writer) Record(_ context.Context, r *Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	r.Seq = w.seq + 1
	r.Replica = w.replica
	r.PrevHash = w.prevHash
	line, err := Seal(r)
	if err != nil {
		return fmt.Errorf("encode evidence record: %w", err)
	}
	w.seq, w.prevHash = r.Seq, r.Hash
	w.queue = append(w.queue, line...)
	batch := w.open
	for w.durable < batch {
		if w.err != nil {
			return w.err
		}
		if w.flushing {
			w.synced.Wait()
			continue
		}
		w.flush()
	}
	return w.err
}

// flush writes the queued batch with mu released, so new records keep queueing meanwhile.
func (w *Writer) flush() {
	w.flushing = true
	buf := w.queue
	w.queue = w.spare[:0]
	batch := w.open
	w.open++
	w.mu.Unlock()

	_, err := w.file.Write(buf)
	if err == nil {
		err = w.file.Sync()
	}
	if err == nil && w.mirror != nil {
		_, _ = w.mirror.Write(buf) // the file is the evidence; a slow or closed mirror is not
	}

	w.mu.Lock()
	w.spare = buf
	w.flushing = false
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("%w: %w", ErrWriterFailed, err)
	}
	w.durable = batch
	w.synced.Broadcast()
}

// Close flushes nothing (every Record call already waited for durability) and closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.flushing {
		w.synced.Wait()
	}
	if w.err == nil {
		w.err = errors.New("evidence writer closed")
	}
	return w.file.Close()
}

var hashMember = []byte(`,"hash":"`)

// Seal encodes r as one line and sets r.Hash to the SHA-256 described in the package doc.
func Seal(r *Record) ([]byte, error) {
	r.Hash = ""
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	// Encode wrote {...,"hash":""}\n; hash the bytes with the hash member dropped.
	line := b.Bytes()
	body := line[:len(line)-len(`,"hash":""}`+"\n")]
	sum := sha256.New()
	sum.Write(body)
	sum.Write([]byte("}"))
	r.Hash = hex.EncodeToString(sum.Sum(nil))
	out := make([]byte, 0, len(body)+len(hashMember)+len(r.Hash)+3)
	out = append(out, body...)
	out = append(out, hashMember...)
	out = append(out, r.Hash...)
	out = append(out, "\"}\n"...)
	return out, nil
}

// lastRecord returns the last record of a segment, nil for an empty one.
func lastRecord(path string) (*Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var last []byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		last = append(last[:0], sc.Bytes()...)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(last) == 0 {
		return nil, nil
	}
	var r Record
	if err := json.Unmarshal(last, &r); err != nil {
		return nil, fmt.Errorf("last line is not a record (torn write?): %w", err)
	}
	return &r, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
