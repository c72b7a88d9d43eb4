package evidence

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Mirror.
const (
	// DefaultMirrorBytes bounds the lines a Mirror holds for a slow reader.
	DefaultMirrorBytes = 4 << 20
	// DefaultMirrorDrain bounds how long closing a Mirror waits for its reader.
	DefaultMirrorDrain = 5 * time.Second
)

// Mirror copies evidence lines to a writer (stdout, for log shippers) from a goroutine of
// its own, through a buffer of bounded size: a slow or stuck reader never holds up the group
// commit, a checkpoint or shutdown. Lines that do not fit are dropped and counted, and the
// evidence writer names the records dropped in a mirror-loss record of the chain. The chain's
// files stay the evidence; the mirror is a copy.
type Mirror struct {
	out io.Writer
	max int

	mu        sync.Mutex
	queue     []mirrorBatch
	writing   *mirrorBatch // taken by the goroutine, not written yet
	queued    int          // bytes in queue and writing
	closed    bool
	abandoned bool       // Close gave up on the reader
	loss      MirrorLoss // dropped since the last takeLoss
	dropped   atomic.Uint64

	wake chan struct{}
	done chan struct{}
}

// mirrorBatch is one write: records first..last, or other lines (anchors) when first is 0.
type mirrorBatch struct {
	data        []byte
	first, last uint64
}

// NewMirror starts a mirror to out holding at most maxBytes (DefaultMirrorBytes when not
// positive) for its reader.
func NewMirror(out io.Writer, maxBytes int) *Mirror {
	if maxBytes <= 0 {
		maxBytes = DefaultMirrorBytes
	}
	m := &Mirror{out: out, max: maxBytes, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go m.run()
	return m
}

// Write queues p, whole lines, without blocking: when p does not fit, it is dropped and
// counted. It always reports p written, so a caller (an anchor sink) never fails on it.
func (m *Mirror) Write(p []byte) (int, error) {
	m.offer(p, 0, 0)
	return len(p), nil
}

// Dropped counts the lines dropped since the mirror started.
func (m *Mirror) Dropped() uint64 { return m.dropped.Load() }

// offer queues the lines of records first..last (other lines when first is 0).
func (m *Mirror) offer(p []byte, first, last uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := mirrorBatch{data: p, first: first, last: last}
	switch {
	case m.closed:
		m.lose(b, "mirror closed")
	case m.queued+len(p) > m.max:
		m.lose(b, fmt.Sprintf("mirror buffer of %d bytes full: its reader is slow or stuck", m.max))
	default:
		b.data = bytes.Clone(p)
		m.queue = append(m.queue, b)
		m.queued += len(p)
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// lose counts b as dropped. Called with mu held.
func (m *Mirror) lose(b mirrorBatch, reason string) {
	lines := uint64(bytes.Count(b.data, []byte{'\n'}))
	m.dropped.Add(lines)
	l := &m.loss
	if l.Reason == "" {
		l.Reason = reason
	}
	if b.first == 0 {
		l.Other += lines
		return
	}
	l.Records += b.last - b.first + 1
	if l.FromSeq == 0 || b.first < l.FromSeq {
		l.FromSeq = b.first
	}
	l.ToSeq = max(l.ToSeq, b.last)
}

// takeLoss returns what was dropped since the last call, and forgets it.
func (m *Mirror) takeLoss() MirrorLoss {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.loss
	m.loss = MirrorLoss{}
	return l
}

// restoreLoss puts back a loss whose record could not be written.
func (m *Mirror) restoreLoss(l MirrorLoss) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.loss
	m.loss = l
	if cur.Records > 0 {
		if m.loss.Records == 0 || cur.FromSeq < m.loss.FromSeq {
			m.loss.FromSeq = cur.FromSeq
		}
		m.loss.ToSeq = max(m.loss.ToSeq, cur.ToSeq)
		m.loss.Records += cur.Records
	}
	m.loss.Other += cur.Other
	if m.loss.Reason == "" {
		m.loss.Reason = cur.Reason
	}
}

func (m *Mirror) run() {
	defer close(m.done)
	for {
		m.mu.Lock()
		if m.abandoned || (m.closed && len(m.queue) == 0) {
			m.mu.Unlock()
			return
		}
		if len(m.queue) == 0 {
			m.mu.Unlock()
			<-m.wake
			continue
		}
		b := m.queue[0]
		m.queue[0] = mirrorBatch{}
		m.queue = m.queue[1:]
		m.writing = &b
		m.mu.Unlock()

		_, err := m.out.Write(b.data)

		m.mu.Lock()
		if !m.abandoned {
			m.writing = nil
			m.queued -= len(b.data)
			if err != nil {
				m.lose(b, "mirror write failed: "+err.Error())
			}
		}
		m.mu.Unlock()
	}
}

// Close stops taking lines and waits up to drain (DefaultMirrorDrain when not positive) for
// the reader to take those queued. Lines still queued then are dropped, counted, and named in
// the error; the goroutine stuck on the reader is left behind.
func (m *Mirror) Close(drain time.Duration) error {
	if drain <= 0 {
		drain = DefaultMirrorDrain
	}
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	t := time.NewTimer(drain)
	defer t.Stop()
	select {
	case <-m.done:
		return nil
	case <-t.C:
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.abandoned {
		return nil
	}
	m.abandoned = true
	before := m.loss
	m.loss = MirrorLoss{}
	if m.writing != nil {
		m.lose(*m.writing, "")
	}
	for _, b := range m.queue {
		m.lose(b, "")
	}
	left := m.loss
	m.loss = before
	m.queue, m.writing = nil, nil
	return fmt.Errorf("evidence mirror: reader took nothing for %s; dropped %d records (seq %d to %d) and %d other lines still queued",
		drain, left.Records, left.FromSeq, left.ToSeq, left.Other)
}
