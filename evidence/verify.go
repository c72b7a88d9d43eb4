package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ErrNoEvidence is returned when the paths given to Verify hold no segment files.
var ErrNoEvidence = errors.New("no evidence segments found")

// Break is one place where the evidence is not intact.
type Break struct {
	File string `json:"file"`
	// Line is the 1-based line of the record, 0 for a break of the file itself.
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// String reads file:line: message, as compilers report.
func (b Break) String() string {
	if b.Line == 0 {
		return fmt.Sprintf("%s: %s", b.File, b.Message)
	}
	return fmt.Sprintf("%s:%d: %s", b.File, b.Line, b.Message)
}

// Chain is what Verify found of one replica's chain (one directory of segments).
type Chain struct {
	Dir         string    `json:"dir"`
	Replica     string    `json:"replica"`
	Segments    int       `json:"segments"`
	Records     int       `json:"records"`
	Admissions  int       `json:"admissions"`
	Checkpoints int       `json:"checkpoints"`
	Recoveries  int       `json:"recoveries"`
	Starts      int       `json:"starts"`
	FirstSeq    uint64    `json:"firstSeq"`
	LastSeq     uint64    `json:"lastSeq"`
	From        time.Time `json:"from,omitzero"`
	To          time.Time `json:"to,omitzero"`
	HeadHash    string    `json:"headHash"`
	// SinceCheckpoint counts the records after the last checkpoint: a chain still being
	// written, or one whose writer stopped without closing. Records after the last checkpoint
	// can be cut off a copy without a trace in the chain itself; the mirror is their witness.
	SinceCheckpoint uint64 `json:"sinceCheckpoint"`
	// KeyIDs are the keys that signed the chain's checkpoints, in order of first use.
	KeyIDs []string `json:"keyIds"`
	// AnchoredSeq and AnchoredTime name the newest anchor of the replica (zero: none given);
	// PastAnchor counts the records the chain runs past it, not yet anchored.
	AnchoredSeq  uint64    `json:"anchoredSeq,omitzero"`
	AnchoredTime time.Time `json:"anchoredTime,omitzero"`
	PastAnchor   uint64    `json:"pastAnchor,omitzero"`
	// AheadSeq names the replica's newest anchor when the chain does not reach it but it is
	// younger than VerifyOptions.AnchorGrace (its records may be on their way to the
	// archive); AnchoredSeq is then the newest anchor older than the grace.
	AheadSeq uint64 `json:"aheadSeq,omitzero"`
	// HeartbeatGaps are the silences with no checkpoint (nor start record) longer than
	// VerifyOptions.MissedCheckpoints checkpoint intervals: the writer was not running.
	HeartbeatGaps []HeartbeatGap `json:"heartbeatGaps"`
	// UncheckedStarts are the start records of writers that opened the chain without
	// comparing it with the newest anchor (the anchors could not be read): not a break, but
	// the auditor should know those starts rest on the anchors checked here instead.
	UncheckedStarts []UncheckedStart `json:"uncheckedStarts,omitempty"`
	Breaks          int              `json:"breaks"`
}

// UncheckedStart is a start record whose writer could not read the anchors.
type UncheckedStart struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Reason string    `json:"reason"`
}

// Intact reports whether the chain has no break.
func (c Chain) Intact() bool { return c.Breaks == 0 }

// Verification is the result of Verify.
type Verification struct {
	Chains []Chain `json:"chains"`
	Breaks []Break `json:"breaks"`
	// SignaturesChecked is true when checkpoints were checked against a keyring.
	SignaturesChecked bool `json:"signaturesChecked"`
	// AnchorsChecked is true when the chains were checked against anchors.
	AnchorsChecked bool `json:"anchorsChecked"`
}

// VerifyOptions says what Verify checks the chains against beyond their own hashes.
type VerifyOptions struct {
	// Keyring, when not empty, holds the pinned public keys: every checkpoint must carry a
	// signature by one of them, and a chain with records must have a checkpoint.
	Keyring Keyring
	// Anchors, when given, are the checkpoint heads kept off the evidence files: each chain
	// must reach its replica's newest anchor, and every anchored record must be the one
	// anchored. A replica with anchors but no chain among the paths is a break. The anchors of
	// the archives among the paths are added to these.
	Anchors []Anchor
	// CheckpointInterval is the writers' checkpoint interval (default
	// DefaultCheckpointInterval); a silence of more than MissedCheckpoints intervals
	// (default DefaultMissedCheckpoints) between checkpoints is a heartbeat gap.
	CheckpointInterval time.Duration
	MissedCheckpoints  int
	// AnchorGrace, when positive, lets a chain fall short of the anchors younger than it (by
	// Now): a running writer's newest records reach the archive after their anchors. The
	// chain must still reach the newest anchor older than the grace.
	AnchorGrace time.Duration
	// Now is the clock of AnchorGrace; nil means time.Now.
	Now func() time.Time
	// Visit, if not nil, gets every record that decodes, in chain order.
	Visit func(Entry)
	// Archives are the opened archives for the s3://BUCKET/PREFIX paths, by path.
	Archives map[string]*Archive
}

// DefaultMissedCheckpoints is how many checkpoint intervals may pass without a checkpoint
// before verify reports a heartbeat gap.
const DefaultMissedCheckpoints = 3

// HeartbeatGap is a stretch of time in which a writer wrote no checkpoint: an outage.
type HeartbeatGap struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Duration string    `json:"duration"`
}

// Intact reports whether every chain is intact.
func (v *Verification) Intact() bool { return len(v.Breaks) == 0 }

// Entry is one record as Verify read it, with the place it was read from.
type Entry struct {
	File   string
	Line   int
	Record *Record
}

// Verify checks the chains found under paths (segment files, replica directories, or
// evidence directories holding one directory per replica). Each directory of segments is one
// replica's chain, checked on its own: every line's hash per the package doc, seq continuity
// from 1 within and across segments, prevHash links, one replica name per chain, segment
// names, checkpoints and their signatures, recovery records against their quarantine files,
// and torn lines. A path s3://BUCKET/PREFIX reads the archive o.Archives[path], streaming one
// segment at a time, and adds the archive's newest anchor of each replica to o.Anchors; an
// archived replica and a local directory of the same name (the tail not archived yet) are
// verified as one chain. The error is for paths that cannot be read; breaks
// in the evidence are in the Verification.
func Verify(ctx context.Context, paths []string, o VerifyOptions) (*Verification, error) {
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = DefaultCheckpointInterval
	}
	if o.MissedCheckpoints <= 0 {
		o.MissedCheckpoints = DefaultMissedCheckpoints
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	chains, archived, err := collectSources(ctx, paths, o.Archives)
	if err != nil {
		return nil, err
	}
	v := &Verification{Chains: []Chain{}, Breaks: []Break{}, SignaturesChecked: len(o.Keyring) > 0, AnchorsChecked: len(o.Anchors) > 0 || len(archived) > 0}
	if o.Anchors, err = archivedAnchors(ctx, archived, o, v); err != nil {
		return nil, err
	}
	anchors := indexAnchors(o, v)
	for _, src := range chains {
		cv := &chainVerifier{ctx: ctx, src: src, chain: Chain{Dir: src.dir, Segments: len(src.segments), KeyIDs: []string{}, HeartbeatGaps: []HeartbeatGap{}}, expectSeq: 1, prevHash: GenesisHash, spanKnown: true, o: o, anchorIndex: anchors, anchorSeen: map[uint64]bool{}, quarantines: map[string]bool{}}
		for _, seg := range src.segments {
			if err := cv.segment(seg); err != nil {
				return nil, err
			}
		}
		cv.unnamedQuarantines()
		if v.SignaturesChecked && cv.chain.Records > 0 && cv.chain.Checkpoints == 0 {
			cv.breaks = append(cv.breaks, Break{File: cv.chain.Dir, Message: "no signed checkpoint: no record of this chain can be authenticated"})
		}
		cv.reachesAnchor(anchors[cv.chain.Replica])
		delete(anchors, cv.chain.Replica)
		cv.chain.Breaks = len(cv.breaks)
		cv.chain.SinceCheckpoint = cv.span.count
		v.Chains = append(v.Chains, cv.chain)
		v.Breaks = append(v.Breaks, cv.breaks...)
	}
	for _, replica := range slices.Sorted(maps.Keys(anchors)) {
		a := anchors[replica].newest
		v.Breaks = append(v.Breaks, Break{File: "anchors", Message: fmt.Sprintf("replica %s has anchors up to seq %d (%s), but no chain among the evidence given: its evidence is missing", replica, a.Seq, Stamp(a.Time))})
	}
	return v, nil
}

// archivedAnchors adds to o.Anchors the newest anchor of each replica in the archives read
// and, with an AnchorGrace, the anchors before it down to the newest one older than the
// grace. An anchor object that does not hold the anchor its name promises is a break.
func archivedAnchors(ctx context.Context, archived []archiveAnchors, o VerifyOptions, v *Verification) ([]Anchor, error) {
	out := slices.Clone(o.Anchors)
	cutoff := o.Now().Add(-o.AnchorGrace)
	for _, l := range archived {
		for _, replica := range slices.Sorted(maps.Keys(l.seqs)) {
			seqs := l.seqs[replica]
			for i := len(seqs) - 1; i >= 0; i-- {
				name := AnchorObjectName(replica, seqs[i])
				a, err := l.archive.ReadAnchor(ctx, name)
				if errors.Is(err, ErrNotAnAnchor) {
					file := l.archive.ObjectURL(name)
					v.Breaks = append(v.Breaks, Break{File: file, Message: strings.TrimPrefix(err.Error(), file+": ")})
					continue
				}
				if err != nil {
					return nil, err
				}
				out = append(out, *a)
				if o.AnchorGrace <= 0 || !a.Time.After(cutoff) {
					break
				}
			}
		}
	}
	return out, nil
}

// replicaAnchors are the anchors of one replica.
type replicaAnchors struct {
	bySeq  map[uint64]Anchor
	newest Anchor
}

// indexAnchors groups the anchors by replica. With a keyring, an anchor whose signature
// does not verify is a break and is not used.
func indexAnchors(o VerifyOptions, v *Verification) map[string]*replicaAnchors {
	out := map[string]*replicaAnchors{}
	for _, a := range o.Anchors {
		if len(o.Keyring) > 0 {
			if p := o.Keyring.checkSignature(a.KeyID, a.Signature, a.Replica, a.Seq, a.HeadHash, a.Count, a.Time); p != "" {
				v.Breaks = append(v.Breaks, Break{File: "anchors", Message: fmt.Sprintf("anchor of replica %s seq %d: %s", a.Replica, a.Seq, strings.Replace(p, "checkpoint", "anchored checkpoint", 1))})
				continue
			}
		}
		ra := out[a.Replica]
		if ra == nil {
			ra = &replicaAnchors{bySeq: map[uint64]Anchor{}}
			out[a.Replica] = ra
		}
		ra.bySeq[a.Seq] = a
		if a.Seq > ra.newest.Seq {
			ra.newest = a
		}
	}
	return out
}

// reachesAnchor checks that the chain runs up to its newest anchor and notes how far past.
func (cv *chainVerifier) reachesAnchor(ra *replicaAnchors) {
	if ra == nil {
		return
	}
	c, a, which := &cv.chain, ra.newest, "the newest anchor"
	if cutoff := cv.o.Now().Add(-cv.o.AnchorGrace); cv.o.AnchorGrace > 0 && c.LastSeq < a.Seq && a.Time.After(cutoff) {
		// Hold the chain to the newest anchor older than the grace.
		c.AheadSeq, a, which = a.Seq, Anchor{}, "the newest anchor older than the grace"
		for _, seq := range slices.Backward(slices.Sorted(maps.Keys(ra.bySeq))) {
			if older := ra.bySeq[seq]; !older.Time.After(cutoff) {
				a = older
				break
			}
		}
	}
	c.AnchoredSeq, c.AnchoredTime = a.Seq, a.Time
	for _, seq := range slices.Sorted(maps.Keys(ra.bySeq)) {
		if seq >= c.FirstSeq && seq <= c.LastSeq && !cv.anchorSeen[seq] {
			cv.breaks = append(cv.breaks, Break{File: c.Dir, Message: fmt.Sprintf("the anchored checkpoint seq %d (%s) is not in the chain: its records were removed", seq, Stamp(ra.bySeq[seq].Time))})
		}
	}
	if c.LastSeq < a.Seq {
		missing := fmt.Sprintf("records %d-%d are", c.LastSeq+1, a.Seq)
		if c.LastSeq+1 == a.Seq {
			missing = fmt.Sprintf("record %d is", a.Seq)
		}
		cv.breaks = append(cv.breaks, Break{File: c.Dir, Message: fmt.Sprintf("the chain ends at seq %d, but %s names seq %d (%s): %s missing at the end (tail cut or newest segment deleted)",
			c.LastSeq, which, a.Seq, Stamp(a.Time), missing)})
		return
	}
	if a.Seq > 0 {
		c.PastAnchor = c.LastSeq - a.Seq
	}
}

// anchored checks a record against the anchor of its seq, if there is one.
func (cv *chainVerifier) anchored(r *Record, hash string) string {
	if cv.anchors == nil {
		return ""
	}
	a, ok := cv.anchors.bySeq[r.Seq]
	if !ok {
		return ""
	}
	cv.anchorSeen[r.Seq] = true
	if a.Hash == hash {
		return ""
	}
	return fmt.Sprintf("record seq %d is not the checkpoint anchored at %s (hash %s): rewritten after it was anchored", r.Seq, Stamp(a.Time), short(a.Hash))
}

// collectChains finds the segment files under paths, grouped by directory (one chain each),
// directories and files in name order.
func collectChains(paths []string) ([][]string, error) {
	byDir := map[string][]string{}
	seen := map[string]bool{}
	add := func(path string) {
		path = filepath.Clean(path)
		if !seen[path] {
			seen[path] = true
			byDir[filepath.Dir(path)] = append(byDir[filepath.Dir(path)], path)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			if !strings.HasSuffix(p, segmentExt) {
				return nil, fmt.Errorf("%s is not a segment file (*%s)", p, segmentExt)
			}
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && strings.HasSuffix(path, segmentExt) {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(byDir) == 0 {
		return nil, fmt.Errorf("%w under %s", ErrNoEvidence, strings.Join(paths, ", "))
	}
	var out [][]string
	for _, dir := range slices.Sorted(maps.Keys(byDir)) {
		files := byDir[dir]
		slices.Sort(files)
		out = append(out, files)
	}
	return out, nil
}

// chainVerifier walks one chain, line by line.
type chainVerifier struct {
	ctx       context.Context
	src       *chainSource
	chain     Chain
	breaks    []Break
	expectSeq uint64
	prevHash  string
	started   bool
	// span is what the next checkpoint must cover; spanKnown is false until the verifier has
	// seen the start of the chain or a checkpoint.
	span        span
	spanKnown   bool
	o           VerifyOptions
	anchorIndex map[string]*replicaAnchors
	anchors     *replicaAnchors // of the chain's replica, nil when none
	anchorSeen  map[uint64]bool
	lastBeat    time.Time       // of the last checkpoint or start record
	quarantines map[string]bool // quarantine files named by recovery records
	file        string
}

func (cv *chainVerifier) fail(line int, format string, args ...any) {
	cv.breaks = append(cv.breaks, Break{File: cv.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (cv *chainVerifier) segment(seg segmentSource) error {
	cv.file = seg.file
	named, nameOK := segmentSeq(seg.name)
	if !nameOK {
		cv.fail(0, "segment file name is not <first seq, 20 digits>%s", segmentExt)
	}
	f, err := seg.open(cv.ctx)
	if err != nil {
		return err
	}
	defer f.Close()
	first := true
	return scanLines(f, func(l segmentLine) error {
		if !l.complete {
			cv.fail(l.no, "torn last line: no trailing newline")
			return nil
		}
		r := cv.line(l)
		if r != nil && first && nameOK && r.Seq != named {
			cv.fail(l.no, "segment is named for seq %d but starts with seq %d", named, r.Seq)
		}
		first = false
		return nil
	})
}

// line checks one whole line and returns its record when it decodes.
func (cv *chainVerifier) line(l segmentLine) *Record {
	claimed, computed, hashErr := LineHash(l.data)
	var r Record
	if err := json.Unmarshal(l.data, &r); err != nil {
		cv.fail(l.no, "not a record: %v", err)
		// Assume it took one place in the chain, so that one garbled line is one break.
		if !cv.started {
			cv.started, cv.chain.FirstSeq = true, cv.expectSeq
		}
		cv.expectSeq++
		if hashErr == nil {
			cv.prevHash = claimed
		}
		return nil
	}
	var problems []string
	switch {
	case hashErr != nil:
		problems = append(problems, hashErr.Error())
	case claimed != computed:
		problems = append(problems, "hash does not match the record's content (altered after it was written)")
	}
	if r.Schema != Schema {
		problems = append(problems, fmt.Sprintf("unknown schema %q", r.Schema))
	}
	if cv.chain.Replica == "" {
		cv.chain.Replica = r.Replica
		cv.anchors = cv.anchorIndex[r.Replica]
	} else if r.Replica != cv.chain.Replica {
		problems = append(problems, fmt.Sprintf("record of replica %q in the chain of replica %q", r.Replica, cv.chain.Replica))
	}
	if lost := newChainLoss(&r); lost != nil {
		// A writer found records gone and started a new chain that names them: the loss is a
		// break, the new chain is checked from here on.
		if !cv.started {
			cv.chain.FirstSeq = r.Seq
		}
		problems = append(problems, fmt.Sprintf("records %d-%d are lost, a new chain starts at seq %d: %s", lost.FromSeq, lost.ToSeq, r.Seq, lost.Reason))
		if cv.started && lost.FromSeq > cv.expectSeq {
			problems = append(problems, fmt.Sprintf("records %d-%d are missing before it", cv.expectSeq, lost.FromSeq-1))
		}
		cv.started, cv.expectSeq, cv.prevHash, cv.span, cv.spanKnown = true, r.Seq, GenesisHash, span{}, true
	}
	if !cv.started {
		cv.chain.FirstSeq = r.Seq
		if r.Seq != 1 {
			problems = append(problems, fmt.Sprintf("the chain starts at seq %d, not 1: earlier segments are missing", r.Seq))
			cv.expectSeq, cv.prevHash, cv.spanKnown = r.Seq, r.PrevHash, false
		}
	}
	switch {
	case r.Seq > cv.expectSeq:
		missing := r.Seq - cv.expectSeq
		problems = append(problems, fmt.Sprintf("seq %d where %d was expected: %d %s missing", r.Seq, cv.expectSeq, missing, plural(missing, "record", "records")))
	case r.Seq < cv.expectSeq:
		problems = append(problems, fmt.Sprintf("seq %d where %d was expected: out of order or repeated", r.Seq, cv.expectSeq))
	}
	if r.PrevHash != cv.prevHash {
		problems = append(problems, "prevHash is not the hash of the record before it")
	}
	problems = append(problems, cv.typed(&r)...)
	if p := cv.anchored(&r, claimed); p != "" {
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		cv.fail(l.no, "%s", strings.Join(problems, "; "))
	}

	cv.started = true
	cv.expectSeq, cv.prevHash = r.Seq+1, claimed
	if hashErr != nil {
		cv.prevHash = r.Hash
	}
	cv.count(&r)
	if cv.o.Visit != nil {
		cv.o.Visit(Entry{File: cv.file, Line: l.no, Record: &r})
	}
	return &r
}

// typed checks what a record's type promises: a checkpoint its head and span, a recovery
// its quarantine file.
func (cv *chainVerifier) typed(r *Record) []string {
	var problems []string
	switch r.Type {
	case TypeAdmission, TypeAudit:
	case TypeCheckpoint:
		c := r.Checkpoint
		if c == nil {
			return []string{"checkpoint record without a checkpoint member"}
		}
		if c.HeadSeq != r.Seq-1 || c.HeadHash != r.PrevHash {
			problems = append(problems, "checkpoint head does not name the record before it")
		}
		if len(cv.o.Keyring) > 0 {
			if p := cv.o.Keyring.checkSignature(c.KeyID, c.Signature, r.Replica, r.Seq, c.HeadHash, c.Count, r.Time); p != "" {
				problems = append(problems, p)
			}
		}
		if c.KeyID != "" && !slices.Contains(cv.chain.KeyIDs, c.KeyID) {
			cv.chain.KeyIDs = append(cv.chain.KeyIDs, c.KeyID)
		}
		if cv.spanKnown {
			if c.Count != cv.span.count {
				problems = append(problems, fmt.Sprintf("checkpoint counts %d records since the previous checkpoint, the chain has %d", c.Count, cv.span.count))
			} else if !c.From.Equal(cv.span.from) || !c.To.Equal(cv.span.to) {
				problems = append(problems, fmt.Sprintf("checkpoint covers %s to %s, the records span %s to %s",
					Stamp(c.From), Stamp(c.To), Stamp(cv.span.from), Stamp(cv.span.to)))
			}
		}
	case TypeStart:
		st := r.Start
		if st == nil {
			return []string{"start record without a start member"}
		}
		if st.Chain == ChainResumed && (st.HeadSeq != r.Seq-1 || st.HeadHash != r.PrevHash) {
			problems = append(problems, "start record does not name the record before it as the head it resumed")
		}
		if st.Chain != ChainResumed && st.Chain != ChainNew {
			problems = append(problems, fmt.Sprintf("start record of unknown chain %q", st.Chain))
		}
		if st.AnchorUnchecked != "" {
			cv.chain.UncheckedStarts = append(cv.chain.UncheckedStarts, UncheckedStart{Seq: r.Seq, Time: r.Time.UTC(), Reason: st.AnchorUnchecked})
		}
	case TypeRecovery:
		if r.Recovery == nil {
			return []string{"recovery record without a recovery member"}
		}
		if q := r.Recovery.Quarantine; q != "" {
			cv.quarantines[q] = true
			if p := cv.quarantineProblem(q, r.Recovery); p != "" {
				problems = append(problems, p)
			}
		}
	case TypeMirrorLoss:
		if r.MirrorLoss == nil {
			return []string{"mirror-loss record without a mirrorLoss member"}
		}
	default:
		problems = append(problems, fmt.Sprintf("unknown record type %q", r.Type))
	}
	return problems
}

func (cv *chainVerifier) quarantineProblem(name string, rec *Recovery) string {
	if filepath.Base(name) != name {
		return fmt.Sprintf("recovery names quarantine file %q outside its directory", name)
	}
	q, ok := cv.src.quarantines[name]
	if !ok {
		return fmt.Sprintf("recovery names quarantine file %s, which is missing", name)
	}
	data, err := q.read(cv.ctx)
	if err != nil {
		return fmt.Sprintf("quarantine file %s: %v", name, err)
	}
	sum := sha256.Sum256(data)
	if int64(len(data)) != rec.QuarantineBytes || hex.EncodeToString(sum[:]) != rec.QuarantineSHA256 {
		return fmt.Sprintf("quarantine file %s does not match the size and sha256 its recovery record names", name)
	}
	return ""
}

// count adds a verified record to the chain's summary and to what the next checkpoint covers.
func (cv *chainVerifier) count(r *Record) {
	c := &cv.chain
	c.Records++
	c.LastSeq, c.HeadHash = r.Seq, r.Hash
	if c.From.IsZero() || r.Time.Before(c.From) {
		c.From = r.Time
	}
	if r.Time.After(c.To) {
		c.To = r.Time
	}
	if r.Type == TypeCheckpoint || r.Type == TypeStart {
		cv.heartbeat(r.Time)
	}
	switch r.Type {
	case TypeCheckpoint:
		c.Checkpoints++
		cv.span, cv.spanKnown = span{}, true
		return
	case TypeAdmission:
		c.Admissions++
	case TypeRecovery:
		c.Recoveries++
	case TypeStart:
		c.Starts++
	}
	cv.span.add(r.Time)
}

// heartbeat notes a sign of life of the writer (a checkpoint or a start record) at t, and a
// heartbeat gap when the previous one is too long ago.
func (cv *chainVerifier) heartbeat(t time.Time) {
	limit := time.Duration(cv.o.MissedCheckpoints) * cv.o.CheckpointInterval
	if !cv.lastBeat.IsZero() && t.Sub(cv.lastBeat) > limit {
		cv.chain.HeartbeatGaps = append(cv.chain.HeartbeatGaps, HeartbeatGap{From: cv.lastBeat.UTC(), To: t.UTC(), Duration: t.Sub(cv.lastBeat).String()})
	}
	if t.After(cv.lastBeat) {
		cv.lastBeat = t
	}
}

// unnamedQuarantines reports quarantine files in the chain's directory that no recovery
// record names: torn bytes moved aside without a trace in the chain.
func (cv *chainVerifier) unnamedQuarantines() {
	for _, name := range slices.Sorted(maps.Keys(cv.src.quarantines)) {
		if !cv.quarantines[name] {
			cv.breaks = append(cv.breaks, Break{File: cv.src.quarantines[name].file, Message: "quarantine file is not named by any recovery record"})
		}
	}
}

// newChainLoss is the loss a start record names when it starts a new chain after one.
func newChainLoss(r *Record) *Loss {
	if r.Type != TypeStart || r.Start == nil || r.Start.Chain != ChainNew {
		return nil
	}
	return r.Start.Lost
}

func plural(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Stamp prints an instant as the verifier reports it: RFC 3339 in UTC with fractions, "-"
// when unknown.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
