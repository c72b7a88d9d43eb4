package report

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"time"
)

// spoolRows and spoolBytes bound the rows a population holds in memory before it sorts
// them by time and writes them to its spool file.
const (
	spoolRows  = 4096
	spoolBytes = 1 << 20
)

// mergeFanIn bounds the runs read at once: more runs are first merged into fewer.
const mergeFanIn = 64

// Population is a population to sample from (the denied, warned or refused requests of the
// period): every row, in time order (rows of the same time in the order they were read).
// Beyond a few thousand rows they are spooled to a temporary file (mode 0600, removed from
// the directory as soon as it is open where the system allows), so a year of evidence does
// not have to fit in memory: read them with All or Head, and Close the report when done.
type Population struct {
	dir   string        // where the spool goes ("" is os.TempDir)
	limit int           // rows held before spooling
	n     int           // rows added
	held  int           // about how many bytes the rows in buf take
	buf   []DecisionRow // rows not yet spooled, or all of them when nothing was
	file  *os.File      // the spool: sorted runs one after the other
	name  string        // the spool's path, while it is still in the directory
	end   int64         // bytes written to the spool
	runs  []spoolRun    // regions of the spool, each sorted by time, in the order read
	last  time.Time     // newest time of the last run
	err   error         // the first spool error
}

// spoolRun is a region of the spool holding rows sorted by time.
type spoolRun struct {
	off, end int64
}

func newPopulation(dir string, limit int) *Population {
	if limit <= 0 {
		limit = spoolRows
	}
	return &Population{dir: dir, limit: limit, buf: []DecisionRow{}}
}

// Len is the number of rows.
func (p *Population) Len() int {
	if p == nil {
		return 0
	}
	return p.n
}

// add adds one row, spooling the rows held once there are enough.
func (p *Population) add(row DecisionRow) {
	p.n++
	if p.err != nil {
		return // the report fails at finish; hold no more rows
	}
	p.buf = append(p.buf, row)
	p.held += rowSize(&row)
	if len(p.buf) >= p.limit || p.held >= spoolBytes {
		p.err = p.spool()
	}
}

// spool sorts the rows held and writes them to the spool: onto the last run when none is
// older than its newest row (a chain read in time order makes one run), else as a new run.
func (p *Population) spool() error {
	if len(p.buf) == 0 {
		return nil
	}
	if p.file == nil {
		f, err := os.CreateTemp(p.dir, "govhook-report-*.spool")
		if err != nil {
			return fmt.Errorf("spool the report's rows: %w", err)
		}
		p.file = f
		if os.Remove(f.Name()) != nil { // it stays readable through f; keep the name to remove it at Close
			p.name = f.Name()
		}
	}
	slices.SortStableFunc(p.buf, func(a, b DecisionRow) int { return a.Time.Compare(b.Time) })
	var data []byte
	for i := range p.buf {
		data = appendRow(data, &p.buf[i])
	}
	if _, err := p.file.WriteAt(data, p.end); err != nil {
		return fmt.Errorf("spool the report's rows: %w", err)
	}
	start := p.end
	p.end += int64(len(data))
	if n := len(p.runs); n > 0 && !p.buf[0].Time.Before(p.last) {
		p.runs[n-1].end = p.end
	} else {
		p.runs = append(p.runs, spoolRun{off: start, end: p.end})
	}
	p.last = p.buf[len(p.buf)-1].Time
	clear(p.buf)
	p.buf, p.held = p.buf[:0], 0
	return nil
}

// rowSize is about how many bytes a row takes in memory.
func rowSize(d *DecisionRow) int {
	n := 256
	for _, s := range []string{d.Replica, d.ID, d.UID, d.Operation, d.Kind, d.Namespace, d.Name, d.User, d.Decision, d.Error, d.Source} {
		n += len(s)
	}
	for _, list := range [][]string{d.Policies, d.Controls, d.Messages} {
		for _, s := range list {
			n += 16 + len(s)
		}
	}
	return n
}

// finish spools the rest (or, when nothing was spooled, sorts the rows held) and merges the
// runs down to at most mergeFanIn.
func (p *Population) finish() error {
	if p.err != nil {
		return p.err
	}
	if p.file == nil {
		slices.SortStableFunc(p.buf, func(a, b DecisionRow) int { return a.Time.Compare(b.Time) })
		return nil
	}
	if err := p.spool(); err != nil {
		return err
	}
	p.buf = nil
	for len(p.runs) > mergeFanIn {
		var merged []spoolRun
		for group := range slices.Chunk(p.runs, mergeFanIn) {
			start := p.end
			w := &offsetWriter{f: p.file, off: p.end}
			bw := bufio.NewWriterSize(w, 1<<16)
			var data []byte
			for row, err := range p.merge(group) {
				if err != nil {
					return err
				}
				data = appendRow(data[:0], &row)
				if _, err := bw.Write(data); err != nil {
					return fmt.Errorf("spool the report's rows: %w", err)
				}
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("spool the report's rows: %w", err)
			}
			p.end = w.off
			merged = append(merged, spoolRun{off: start, end: p.end})
		}
		p.runs = merged
	}
	return nil
}

// offsetWriter writes to a file from an offset on.
type offsetWriter struct {
	f   *os.File
	off int64
}

func (w *offsetWriter) Write(b []byte) (int, error) {
	n, err := w.f.WriteAt(b, w.off)
	w.off += int64(n)
	return n, err
}

// All yields every row in time order. It stops at the first read error, which it yields.
func (p *Population) All() iter.Seq2[DecisionRow, error] {
	return func(yield func(DecisionRow, error) bool) {
		if p == nil {
			return
		}
		if p.file == nil {
			for _, row := range p.buf {
				if !yield(row, nil) {
					return
				}
			}
			return
		}
		p.merge(p.runs)(yield)
	}
}

// Head returns the first n rows by time.
func (p *Population) Head(n int) ([]DecisionRow, error) {
	out := []DecisionRow{}
	if n <= 0 {
		return out, nil
	}
	for row, err := range p.All() {
		if err != nil {
			return nil, err
		}
		out = append(out, row)
		if len(out) == n {
			break
		}
	}
	return out, nil
}

// merge yields the rows of runs in time order, rows of the same time in run order.
func (p *Population) merge(runs []spoolRun) iter.Seq2[DecisionRow, error] {
	return func(yield func(DecisionRow, error) bool) {
		h := &cursorHeap{}
		for i, r := range runs {
			c := &runCursor{idx: i, r: bufio.NewReaderSize(io.NewSectionReader(p.file, r.off, r.end-r.off), 1<<16)}
			ok, err := c.next()
			if err != nil {
				yield(DecisionRow{}, err)
				return
			}
			if ok {
				*h = append(*h, c)
			}
		}
		heap.Init(h)
		for h.Len() > 0 {
			c := (*h)[0]
			if !yield(c.row, nil) {
				return
			}
			ok, err := c.next()
			if err != nil {
				yield(DecisionRow{}, err)
				return
			}
			if ok {
				heap.Fix(h, 0)
			} else {
				heap.Pop(h)
			}
		}
	}
}

// runCursor reads one run.
type runCursor struct {
	idx  int
	r    *bufio.Reader
	row  DecisionRow
	data []byte
}

// next reads the run's next row; false at its end.
func (c *runCursor) next() (bool, error) {
	n, err := binary.ReadUvarint(c.r)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err == nil {
		c.data = slices.Grow(c.data[:0], int(n))[:n]
		_, err = io.ReadFull(c.r, c.data)
	}
	if err == nil {
		c.row, err = decodeRow(c.data)
	}
	if err != nil {
		return false, fmt.Errorf("read the report's spooled rows: %w", err)
	}
	return true, nil
}

// cursorHeap orders cursors by their row's time, then by run.
type cursorHeap []*runCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := h[i].row.Time.Compare(h[j].row.Time); c != 0 {
		return c < 0
	}
	return h[i].idx < h[j].idx
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*runCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// MarshalJSON writes every row as a JSON array (in memory: WriteJSON streams instead).
func (p *Population) MarshalJSON() ([]byte, error) {
	rows := []DecisionRow{}
	for row, err := range p.All() {
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return json.Marshal(rows)
}

// UnmarshalJSON reads a JSON array of rows, as a report's JSON holds them, into memory.
func (p *Population) UnmarshalJSON(data []byte) error {
	var rows []DecisionRow
	if err := json.Unmarshal(data, &rows); err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	*p = Population{limit: spoolRows, n: len(rows), buf: rows}
	return p.finish()
}

// writeJSON streams the rows as the indented JSON array of a field of the report's top-level
// object, as json.Encoder with an indent of two spaces writes a slice there.
func (p *Population) writeJSON(w io.Writer) error {
	if p == nil {
		_, err := io.WriteString(w, "null")
		return err
	}
	if p.Len() == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	sep := "\n    "
	for row, err := range p.All() {
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(row, "    ", "  ")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		sep = ",\n    "
	}
	_, err := io.WriteString(w, "\n  ]")
	return err
}

// Close removes the spool.
func (p *Population) Close() error {
	if p == nil || p.file == nil {
		return nil
	}
	err := p.file.Close()
	if p.name != "" {
		err = errors.Join(err, os.Remove(p.name))
		p.name = ""
	}
	p.file, p.runs, p.buf = nil, nil, nil
	return err
}

// appendRow appends a row's spool encoding: its length, then its fields.
func appendRow(dst []byte, d *DecisionRow) []byte {
	var b []byte
	b, _ = d.Time.AppendBinary(b) // fails only for offsets that are not whole minutes' worth of seconds
	b = appendBytes(nil, b)
	for _, s := range []string{d.Replica, d.ID, d.UID, d.Operation, d.Kind, d.Namespace, d.Name, d.User, d.Decision, d.Error, d.Source} {
		b = appendBytes(b, []byte(s))
	}
	b = binary.AppendUvarint(b, d.Seq)
	if d.DryRun {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, list := range [][]string{d.Policies, d.Controls, d.Messages} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = appendBytes(b, []byte(s))
		}
	}
	return appendBytes(dst, b)
}

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

// rowDecoder reads the fields appendRow wrote.
type rowDecoder struct {
	b   []byte
	err error
}

func (d *rowDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("truncated row")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errors.New("truncated row")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) strings() []string {
	n := d.uvarint()
	out := make([]string, 0, min(n, uint64(len(d.b))))
	for range n {
		if d.err != nil {
			break
		}
		out = append(out, string(d.bytes()))
	}
	return out
}

func decodeRow(b []byte) (DecisionRow, error) {
	var row DecisionRow
	d := &rowDecoder{b: b}
	if err := row.Time.UnmarshalBinary(d.bytes()); err != nil && d.err == nil {
		d.err = err
	}
	for _, s := range []*string{&row.Replica, &row.ID, &row.UID, &row.Operation, &row.Kind, &row.Namespace, &row.Name, &row.User, &row.Decision, &row.Error, &row.Source} {
		*s = string(d.bytes())
	}
	row.Seq = d.uvarint()
	if flag := d.bytesN(1); len(flag) == 1 {
		row.DryRun = flag[0] == 1
	}
	row.Policies, row.Controls, row.Messages = d.strings(), d.strings(), d.strings()
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("trailing bytes after a row")
	}
	return row, d.err
}

func (d *rowDecoder) bytesN(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.err = errors.New("truncated row")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}
