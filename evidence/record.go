package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/decision"
)

// Schema identifies the record format.
const Schema = "govhook.io/evidence/v1"

// Record types.
const (
	TypeAdmission  = "admission"
	TypeCheckpoint = "checkpoint"
	TypeRecovery   = "recovery"
	// TypeStart is written by a writer each time it opens a chain.
	TypeStart = "start"
	// TypeAudit is the decision of `govhook audit` on an object already in the cluster,
	// judged as if created at the record's time (no request, no user).
	TypeAudit = "audit"
	// TypeMirrorLoss names records the stdout mirror dropped: they are whole in the chain's
	// files, but a log shipper reading the mirror did not get them.
	TypeMirrorLoss = "mirror-loss"
)

// GenesisHash is the prevHash of a replica's first record.
var GenesisHash = strings.Repeat("0", 64)

// User is who made the request.
type User struct {
	Username string   `json:"username,omitempty"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// Record is one entry of a replica's chain, as an auditor reads it. It never holds object
// contents: the object is referenced by its SHA-256.
type Record struct {
	Schema      string             `json:"schema"`
	Type        string             `json:"type"`
	ID          string             `json:"id,omitzero"`
	Seq         uint64             `json:"seq"`
	Time        time.Time          `json:"time"`
	Replica     string             `json:"replica"`
	UID         string             `json:"uid,omitzero"`
	Operation   string             `json:"operation,omitempty"`
	Kind        string             `json:"kind,omitempty"`
	Resource    string             `json:"resource,omitempty"`
	SubResource string             `json:"subResource,omitempty"`
	Namespace   string             `json:"namespace,omitempty"`
	Name        string             `json:"name,omitempty"`
	User        User               `json:"user,omitzero"`
	DryRun      bool               `json:"dryRun,omitzero"`
	Decision    decision.Outcome   `json:"decision,omitzero"`
	Exempt      string             `json:"exempt,omitempty"`
	Error       string             `json:"error,omitempty"`
	Violations  []decision.Finding `json:"violations,omitzero"`
	// ViolationsOmitted counts the violations past MaxFindings the record does not list.
	ViolationsOmitted int                         `json:"violationsOmitted,omitzero"`
	Exceptions        []decision.AppliedException `json:"exceptions,omitzero"`
	// ExpiredExceptions matched a finding but had expired, so they were not applied.
	ExpiredExceptions []decision.AppliedException `json:"expiredExceptions,omitzero"`
	ObjectSHA256      string                      `json:"objectSha256,omitempty"`
	PolicyDigest      string                      `json:"policyDigest,omitempty"`
	ConfigDigest      string                      `json:"configDigest,omitempty"`
	// NamespaceKnown, set for namespaced requests, says whether policies saw the namespace's
	// metadata; false means they were evaluated without it.
	NamespaceKnown *bool `json:"namespaceKnown,omitempty"`
	// Connect describes a CONNECT request (exec, attach, port-forward), never its command.
	Connect    *Connect    `json:"connect,omitempty"`
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	Recovery   *Recovery   `json:"recovery,omitempty"`
	Start      *Start      `json:"start,omitempty"`
	MirrorLoss *MirrorLoss `json:"mirrorLoss,omitempty"`
	PrevHash   string      `json:"prevHash"`
	Hash       string      `json:"hash"`
}

// Checkpoint is the body of a checkpoint record: the head of the chain and what it covers
// since the previous checkpoint.
type Checkpoint struct {
	HeadSeq  uint64    `json:"headSeq"`
	HeadHash string    `json:"headHash"`
	Count    uint64    `json:"count"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
	// KeyID names the Ed25519 key whose Signature (base64) covers the replica, the
	// checkpoint's seq, HeadHash, Count and the checkpoint's time; both are empty when the
	// writer had no signing key.
	KeyID     string `json:"keyId,omitempty"`
	Signature string `json:"signature,omitempty"`
}

// Values of Start.Chain.
const (
	// ChainNew is a chain that starts at this record: the first, or one after a named loss.
	ChainNew = "new"
	// ChainResumed is a chain continued after the record HeadSeq.
	ChainResumed = "resumed"
)

// Start is the body of a start record: how a writer opened the chain, and who it is.
type Start struct {
	Chain string `json:"chain"`
	// HeadSeq and HeadHash name the record a resumed chain continues after.
	HeadSeq  uint64 `json:"headSeq,omitzero"`
	HeadHash string `json:"headHash,omitempty"`
	// Lost, on a new chain, names the records that were written before but are gone from
	// the local chain, which is why it could not be continued.
	Lost         *Loss  `json:"lost,omitempty"`
	Pod          string `json:"pod,omitempty"`
	Version      string `json:"version,omitempty"`
	ConfigDigest string `json:"configDigest,omitempty"`
	// KeyID names the key that signs this writer's checkpoints.
	KeyID string `json:"keyId,omitempty"`
	// AnchorUnchecked says why the chain was opened without comparing it with the newest
	// anchor (the anchors could not be read), so the auditor sees the start was unchecked.
	AnchorUnchecked string `json:"anchorUnchecked,omitempty"`
}

// MirrorLoss is the body of a mirror-loss record: what the stdout mirror dropped since the
// previous one, because its buffer was full (the reader slow or stuck) or a write failed.
type MirrorLoss struct {
	// Records counts the records dropped; FromSeq and ToSeq are the first and the last of
	// them (records between those two may have been mirrored).
	Records uint64 `json:"records"`
	FromSeq uint64 `json:"fromSeq,omitzero"`
	ToSeq   uint64 `json:"toSeq,omitzero"`
	// Other counts other lines dropped: anchor lines sharing the mirror.
	Other  uint64 `json:"other,omitzero"`
	Reason string `json:"reason"`
}

// Loss names records of a chain that were written and are gone.
type Loss struct {
	FromSeq uint64 `json:"fromSeq"`
	ToSeq   uint64 `json:"toSeq"`
	Reason  string `json:"reason"`
}

// Recovery is the body of a recovery record.
type Recovery struct {
	// Segment and Offset locate the torn tail that was moved aside (file name in the replica
	// directory, byte offset where the tail began).
	Segment string `json:"segment,omitempty"`
	Offset  int64  `json:"offset,omitzero"`
	// Quarantine is the file name, next to the segment, now holding the torn bytes.
	Quarantine       string `json:"quarantine,omitempty"`
	QuarantineBytes  int64  `json:"quarantineBytes,omitzero"`
	QuarantineSHA256 string `json:"quarantineSha256,omitempty"`
	// Reason says why the tail was torn.
	Reason string `json:"reason,omitempty"`
	// Lost counts records that could not be made durable while writes failed, between
	// LostFrom and LostTo; Error is the first write error.
	Lost     uint64    `json:"lost,omitzero"`
	LostFrom time.Time `json:"lostFrom,omitzero"`
	LostTo   time.Time `json:"lostTo,omitzero"`
	Error    string    `json:"error,omitempty"`
	// UnconfirmedFirst..UnconfirmedLast are records of a failed write that reached the disk
	// whole: they are in the chain, but their requests were told the record was not durable
	// (and answered according to onEvidenceFailure).
	UnconfirmedFirst uint64 `json:"unconfirmedFirst,omitzero"`
	UnconfirmedLast  uint64 `json:"unconfirmedLast,omitzero"`
}

// Basis is what a decision was made under, as its record names it.
type Basis struct {
	// Time is when the decision was made (or the request refused).
	Time time.Time
	// PolicyDigest and ConfigDigest name the catalog and the config the decision was made
	// under.
	PolicyDigest string
	ConfigDigest string
	// NamespaceKnown, for a request in a namespace (or about a Namespace), says whether the
	// namespace's metadata was known to the policies; nil for other cluster-scoped requests.
	NamespaceKnown *bool
}

// NewRecord is the one constructor of a decision's record. typ is TypeAdmission for an
// admission request, TypeAudit for an object judged by `govhook audit` (the object as it
// stands: no operation); id is the decision id sent back as an audit annotation; cause, when
// not nil, is why the request could not be evaluated. Only a hash of the object is kept.
func NewRecord(typ, id string, req *admissionv1.AdmissionRequest, d decision.Decision, b Basis, cause error) Record {
	r := Record{
		Schema:      Schema,
		Type:        typ,
		ID:          id,
		Time:        b.Time.UTC(),
		UID:         Bound(string(req.UID)),
		Operation:   Bound(string(req.Operation)),
		Kind:        Bound(gvkString(req.Kind.Group, req.Kind.Version, req.Kind.Kind)),
		Resource:    Bound(req.Resource.Resource),
		SubResource: Bound(req.SubResource),
		Namespace:   Bound(req.Namespace),
		Name:        Bound(req.Name),
		User:        User{Username: Bound(req.UserInfo.Username), UID: Bound(req.UserInfo.UID), Groups: boundAll(req.UserInfo.Groups)},
		DryRun:      req.DryRun != nil && *req.DryRun,
		Decision:    d.Outcome,
		Exempt:      d.Exempt,
		Exceptions:  d.Exceptions,

		ExpiredExceptions: d.Expired,
		PolicyDigest:      b.PolicyDigest,
		ConfigDigest:      b.ConfigDigest,
		NamespaceKnown:    b.NamespaceKnown,
	}
	if typ == TypeAudit { // not a request: the object as it stands
		r.Operation, r.NamespaceKnown = "", nil
	}
	if cause != nil {
		r.Error = Bound(cause.Error())
	}
	r.Violations, r.ViolationsOmitted = boundFindings(d.Findings)
	// An admission record always says which violations and exceptions it had, even none.
	if r.Violations == nil {
		r.Violations = []decision.Finding{}
	}
	if r.Exceptions == nil {
		r.Exceptions = []decision.AppliedException{}
	}
	if req.Operation == admissionv1.Connect {
		if r.Connect = connectOf(req.Object.Raw); r.Connect != nil {
			r.Connect.Container = Bound(r.Connect.Container)
		}
	}
	raw := req.Object.Raw
	if len(raw) == 0 {
		raw = req.OldObject.Raw
	}
	if len(raw) > 0 {
		sum := sha256.Sum256(raw)
		r.ObjectSHA256 = hex.EncodeToString(sum[:])
	}
	return r
}

func gvkString(group, version, kind string) string {
	if kind == "" {
		return ""
	}
	if group == "" {
		return version + "/" + kind
	}
	return group + "/" + version + "/" + kind
}
