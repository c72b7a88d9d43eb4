package evidence

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// segmentExt ends every segment file name; quarantine files end in quarantineInfix+offset.
const (
	segmentExt      = ".jsonl"
	quarantineInfix = ".torn-"
)

// segmentName is the file name of the segment whose first record has seq first.
func segmentName(first uint64) string { return fmt.Sprintf("%020d%s", first, segmentExt) }

// segmentSeq is the seq a segment file is named for.
func segmentSeq(name string) (uint64, bool) {
	base, ok := strings.CutSuffix(filepath.Base(name), segmentExt)
	if !ok || len(base) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(base, 10, 64)
	return n, err == nil
}

// listSegments returns the segment files of a replica directory in chain order.
func listSegments(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+segmentExt))
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	return paths, nil
}

// quarantineFiles returns the quarantine files of one segment, in name order.
func quarantineFiles(segment string) ([]string, error) {
	prefix := strings.TrimSuffix(segment, segmentExt) + quarantineInfix
	paths, err := filepath.Glob(prefix + "*")
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	return paths, nil
}

// segmentLine is one line of a segment file.
type segmentLine struct {
	no     int   // 1-based line number
	offset int64 // byte offset of the line's start
	data   []byte
	// complete is false for a last line without a newline.
	complete bool
}

// scanLines calls fn with each line of r; data is valid only during the call.
func scanLines(r io.Reader, fn func(l segmentLine) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var acc []byte
	l := segmentLine{}
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			acc = append(acc, chunk...)
			continue
		}
		data := chunk
		if len(acc) > 0 {
			acc = append(acc, chunk...)
			data = acc
		}
		if len(data) > 0 {
			l.no++
			l.complete = data[len(data)-1] == '\n'
			l.data = data
			if l.complete {
				l.data = data[:len(data)-1]
			}
			if ferr := fn(l); ferr != nil {
				return ferr
			}
			l.offset += int64(len(data))
		}
		if cap(acc) > 1<<20 {
			acc = nil // do not keep one huge line's buffer
		}
		acc = acc[:0]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// span is what a checkpoint covers: records since the previous one.
type span struct {
	count    uint64
	from, to time.Time
}

func (s *span) add(t time.Time) {
	if s.count == 0 || t.Before(s.from) {
		s.from = t
	}
	if s.count == 0 || t.After(s.to) {
		s.to = t
	}
	s.count++
}

// then is s followed by later.
func (s span) then(later span) span {
	out := s
	if later.count > 0 {
		if out.count == 0 || later.from.Before(out.from) {
			out.from = later.from
		}
		if out.count == 0 || later.to.After(out.to) {
			out.to = later.to
		}
	}
	out.count += later.count
	return out
}

// lineHead is the part of a record the writer needs to resume a chain.
type lineHead struct {
	Type     string    `json:"type"`
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Hash     string    `json:"hash"`
	Recovery *struct {
		Quarantine string `json:"quarantine"`
	} `json:"recovery"`
}

// segmentState is what a segment holds, as far as resuming a chain after it is concerned.
type segmentState struct {
	size        int64
	first, last *lineHead // first and last whole records
	end         int64     // offset just after the last whole record
	span        span      // records after the last checkpoint of the segment
	checkpoint  bool      // the segment holds a checkpoint
	quarantines map[string]bool
	tornReason  string
}

// readSegment reads a segment to find its last whole record. Lines that are not records in
// the middle of the file are left for Verify to report; only the tail matters here.
func readSegment(path string) (*segmentState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := &segmentState{quarantines: map[string]bool{}}
	var lastComplete bool
	err = scanLines(f, func(l segmentLine) error {
		st.size = l.offset + int64(len(l.data))
		lastComplete = l.complete
		if !l.complete {
			return nil
		}
		st.size++
		var h lineHead
		if json.Unmarshal(l.data, &h) != nil || h.Seq == 0 || h.Hash == "" {
			return nil
		}
		if st.first == nil {
			st.first = &h
		}
		st.last = &h
		st.end = st.size
		switch h.Type {
		case TypeCheckpoint:
			st.span, st.checkpoint = span{}, true
		default:
			st.span.add(h.Time)
		}
		if h.Recovery != nil && h.Recovery.Quarantine != "" {
			st.quarantines[h.Recovery.Quarantine] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read segment %s: %w", path, err)
	}
	if st.end < st.size {
		st.tornReason = "last line is not a whole record"
		if !lastComplete {
			st.tornReason = "last line has no trailing newline"
		}
	}
	return st, nil
}

// quarantineTail moves the torn tail of a segment (the bytes after its last whole record)
// into a quarantine file next to it, then cuts the segment back to its last whole record.
// It returns the quarantine file's name.
func quarantineTail(segment string, st *segmentState) (string, error) {
	f, err := os.Open(segment)
	if err != nil {
		return "", err
	}
	tail, err := io.ReadAll(io.NewSectionReader(f, st.end, st.size-st.end))
	f.Close()
	if err != nil {
		return "", fmt.Errorf("read torn tail of %s: %w", segment, err)
	}
	base := strings.TrimSuffix(segment, segmentExt) + quarantineInfix + strconv.FormatInt(st.end, 10)
	name := base
	for n := 2; ; n++ {
		old, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			if err := writeQuarantine(name, tail); err != nil {
				return "", err
			}
			break
		}
		if err != nil {
			return "", err
		}
		if bytes.Equal(old, tail) { // moved aside before, the cut did not happen
			break
		}
		name = fmt.Sprintf("%s-%d", base, n)
	}
	if err := syncDir(filepath.Dir(segment)); err != nil {
		return "", err
	}
	if err := truncateSynced(segment, st.end); err != nil {
		return "", err
	}
	st.size = st.end
	return filepath.Base(name), nil
}

// quarantineTmp is where a quarantine file is written before it takes its name; it matches
// no segment's quarantine pattern.
const quarantineTmp = ".quarantine.tmp"

// writeQuarantine creates the quarantine file name holding tail, whole or not at all: a
// write that fails (a full disk) leaves no partial file for the next retry to trip over.
func writeQuarantine(name string, tail []byte) error {
	tmp := filepath.Join(filepath.Dir(name), quarantineTmp)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeSynced(tmp, tail, 0o640); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write quarantine file: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write quarantine file: %w", err)
	}
	return nil
}

// cutOwnTail cuts the segment back to its last whole record without a quarantine file: the
// bytes after it are known to be the writer's own from a failed retry (own).
func cutOwnTail(segment string, st *segmentState) error {
	if err := truncateSynced(segment, st.end); err != nil {
		return err
	}
	st.size = st.end
	return nil
}

// quarantineRecovery describes a quarantine file for a recovery record.
func quarantineRecovery(segment, path, reason string) (*Recovery, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	sum := sha256.Sum256(data)
	return &Recovery{
		Segment:          filepath.Base(segment),
		Offset:           quarantineOffset(name),
		Quarantine:       name,
		QuarantineBytes:  int64(len(data)),
		QuarantineSHA256: hex.EncodeToString(sum[:]),
		Reason:           reason,
	}, nil
}

// quarantineOffset is the segment offset a quarantine file's name says its bytes came from.
func quarantineOffset(name string) int64 {
	offset, _ := strconv.ParseInt(strings.SplitN(name[strings.LastIndex(name, quarantineInfix)+len(quarantineInfix):], "-", 2)[0], 10, 64)
	return offset
}

// writeSynced creates path (it must not exist) holding data, fsynced.
func writeSynced(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func truncateSynced(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
