package evidence

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// AnchorSchema identifies an anchor.
const AnchorSchema = "govhook.io/evidence-anchor/v1"

// Anchor is the head of a replica's chain at a checkpoint, kept off the evidence files (in
// the archive under Object Lock, and as a log line) so that whoever can write the evidence
// directory cannot cut the chain's tail or rewrite it unseen. Seq and Hash are the checkpoint
// record's own; HeadHash, Count, Time, KeyID and Signature repeat what the checkpoint signs.
type Anchor struct {
	Schema    string    `json:"schema"`
	Replica   string    `json:"replica"`
	Seq       uint64    `json:"seq"`
	Hash      string    `json:"hash"`
	HeadHash  string    `json:"headHash"`
	Count     uint64    `json:"count"`
	Time      time.Time `json:"time"`
	KeyID     string    `json:"keyId,omitempty"`
	Signature string    `json:"signature,omitempty"`
}

// anchorOf is the anchor of a sealed checkpoint record.
func anchorOf(r *Record) Anchor {
	c := r.Checkpoint
	return Anchor{Schema: AnchorSchema, Replica: r.Replica, Seq: r.Seq, Hash: r.Hash, HeadHash: c.HeadHash,
		Count: c.Count, Time: r.Time, KeyID: c.KeyID, Signature: c.Signature}
}

// AnchorSink keeps anchors off the evidence files.
type AnchorSink interface {
	Anchor(ctx context.Context, a Anchor) error
}

// ErrAnchorsUnavailable means, wrapped by an AnchorSource's error, that the anchors cannot be
// read now (the store is down): the writer then opens the chain unchecked and says so in its start
// record, rather than refusing to start. Any other error stops the writer from opening.
var ErrAnchorsUnavailable = errors.New("evidence anchors unavailable")

// AnchorSource gives the newest anchor of a replica, nil when it has none.
type AnchorSource interface {
	Latest(ctx context.Context, replica string) (*Anchor, error)
}

// LineAnchors writes each anchor as one JSON log line (to stdout in serve), where log
// shipping takes it off the node.
type LineAnchors struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLineAnchors writes anchors to w.
func NewLineAnchors(w io.Writer) *LineAnchors { return &LineAnchors{w: w} }

// Anchor writes a as one line.
func (l *LineAnchors) Anchor(_ context.Context, a Anchor) error {
	line, err := json.Marshal(a)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.w.Write(append(line, '\n'))
	return err
}

// ReadAnchorLines reads the anchors among log lines: each line that holds, from its first
// '{' on, a JSON object with the anchor schema (a log shipper's prefix such as a timestamp is
// skipped). Other lines are ignored.
func ReadAnchorLines(path string) ([]Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Anchor
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		i := bytes.IndexByte(line, '{')
		if i < 0 || !bytes.Contains(line, []byte(AnchorSchema)) {
			continue
		}
		var a Anchor
		if json.Unmarshal(line[i:], &a) != nil || a.Schema != AnchorSchema {
			continue
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read anchors %s: %w", path, err)
	}
	return out, nil
}
