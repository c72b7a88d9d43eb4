package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is returned by Open when another writer holds the replica's chain.
var ErrLocked = errors.New("evidence chain is locked by another writer")

// writtenFile, in a replica directory, holds the seq and hash of the last record the writer
// made durable. It survives the deletion of segments (and a crash of the process, being in
// the page cache), so that a writer never reuses a seq.
const writtenFile = "written"

// writtenLen is the fixed length of writtenFile: 20 digits, a space, 64 hex digits, newline.
const writtenLen = 20 + 1 + 64 + 1

// lockDir takes an exclusive flock on the replica directory, held until the file is closed.
func lockDir(dir, replica string) (*os.File, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock evidence directory: %w", err)
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is in use; is another govhook running with --replica %s on this evidence directory? Each replica needs its own name",
				ErrLocked, dir, replica)
		}
		return nil, fmt.Errorf("lock evidence directory %s: %w", dir, err)
	}
	return d, nil
}

// makeReplicaDir creates the replica directory and makes its entry durable in the parent.
func makeReplicaDir(dir string) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil
		}
		return err
	}
	return syncDir(parent)
}

// head names a record of the chain.
type head struct {
	seq  uint64
	hash string
}

// readWritten reads writtenFile; a missing file is the zero head.
func readWritten(dir string) (head, error) {
	data, err := os.ReadFile(filepath.Join(dir, writtenFile))
	if errors.Is(err, os.ErrNotExist) {
		return head{}, nil
	}
	if err != nil {
		return head{}, err
	}
	seq, hash, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || len(hash) != 64 {
		return head{}, fmt.Errorf("%s does not hold <seq> <hash>", filepath.Join(dir, writtenFile))
	}
	return head{seq: n, hash: hash}, nil
}

// formatWritten is the content of writtenFile for h.
func formatWritten(h head) []byte {
	return fmt.Appendf(make([]byte, 0, writtenLen), "%020d %s\n", h.seq, h.hash)
}

// startRecord decides how the writer opens the chain whose local head is local: it resumes
// it, unless records beyond it were written before (writtenFile, or the newest anchor says
// so); then it starts a new chain after the highest seq ever used and names the loss.
func (w *Writer) startRecord(ctx context.Context, local head) (*Start, uint64, error) {
	s := &Start{Pod: w.o.Pod, Version: w.o.Version, ConfigDigest: w.o.ConfigDigest}
	if w.o.Signer != nil {
		s.KeyID = w.o.Signer.KeyID()
	}
	written, err := readWritten(w.dir)
	if err != nil {
		return nil, 0, err
	}
	var reasons []string
	highest, from := local.seq, local.seq+1
	if written.seq > local.seq {
		reasons = append(reasons, fmt.Sprintf("seq %d was written before", written.seq))
		highest = written.seq
	} else if written.seq == local.seq && written.seq > 0 && written.hash != local.hash {
		// The head on disk is not the record written there: it cannot be vouched for either.
		reasons = append(reasons, fmt.Sprintf("its last record (seq %d) is not the one written (hash %s, not %s)", local.seq, short(local.hash), short(written.hash)))
		from = local.seq
	}
	if w.o.AnchorSource != nil {
		a, err := w.o.AnchorSource.Latest(ctx, w.o.Replica)
		switch {
		case errors.Is(err, ErrAnchorsUnavailable):
			s.AnchorUnchecked = err.Error()
		case err != nil:
			return nil, 0, fmt.Errorf("read the newest evidence anchor: %w", err)
		}
		if a != nil && a.Seq > local.seq {
			reasons = append(reasons, fmt.Sprintf("the newest anchor names seq %d (%s)", a.Seq, Stamp(a.Time)))
			highest = max(highest, a.Seq)
		}
	}
	if len(reasons) == 0 {
		if local.seq == 0 {
			s.Chain = ChainNew
		} else {
			s.Chain, s.HeadSeq, s.HeadHash = ChainResumed, local.seq, local.hash
		}
		return s, 0, nil
	}
	s.Chain = ChainNew
	have := "the local chain is empty"
	if local.seq > 0 {
		have = fmt.Sprintf("the local chain ends at seq %d", local.seq)
	}
	s.Lost = &Loss{FromSeq: from, ToSeq: highest, Reason: have + ", but " + strings.Join(reasons, " and ")}
	return s, highest + 1, nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
