// Package evidence keeps govhook's audit evidence: one hash-chained JSON record per admission
// request, appended to segment files and made durable before the response is sent.
//
// # Record encoding and the hash chain
//
// Each record is one line of JSON (a JSONL segment file, <dir>/<replica>/<first-seq>.jsonl).
// The line always ends with the member "hash" followed by "}" and a newline:
//
//	{"schema":"govhook.io/evidence/v1",...,"prevHash":"<hex>","hash":"<hex>"}
//
// hash is the lower-case hex SHA-256 of the line's bytes with the final `,"hash":"<hex>"}`
// replaced by `}`; prevHash is the hash of the previous record of the same replica (64 zeros
// for the first). seq starts at 1 and grows by one per record. A verifier needs no JSON
// canonicalisation: it strips the hash member, hashes the bytes, and compares.
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
	TypeAdmission = "admission"
)

// GenesisHash is the prevHash of a replica's first record.
var GenesisHash = strings.Repeat("0", 64)

// User is who made the request.
type User struct {
	Username string   `json:"username,omitempty"`
	UID      string   `json:"uid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// Record is one decision, as an auditor reads it. It never holds object contents: the object
// is referenced by its SHA-256.
type Record struct {
	Schema       string                      `json:"schema"`
	Type         string                      `json:"type"`
	ID           string                      `json:"id"`
	Seq          uint64                      `json:"seq"`
	Time         time.Time                   `json:"time"`
	Replica      string                      `json:"replica"`
	UID          string                      `json:"uid"`
	Operation    string                      `json:"operation,omitempty"`
	Kind         string                      `json:"kind,omitempty"`
	Resource     string                      `json:"resource,omitempty"`
	SubResource  string                      `json:"subResource,omitempty"`
	Namespace    string                      `json:"namespace,omitempty"`
	Name         string                      `json:"name,omitempty"`
	User         User                        `json:"user"`
	DryRun       bool                        `json:"dryRun"`
	Decision     decision.Outcome            `json:"decision"`
	Exempt       string                      `json:"exempt,omitempty"`
	Error        string                      `json:"error,omitempty"`
	Violations   []decision.Finding          `json:"violations"`
	Exceptions   []decision.AppliedException `json:"exceptions"`
	ObjectSHA256 string                      `json:"objectSha256,omitempty"`
	PolicyDigest string                      `json:"policyDigest,omitempty"`
	ConfigDigest string                      `json:"configDigest,omitempty"`
	// NamespaceKnown, set for namespaced requests, says whether policies saw the namespace's
	// metadata; false means they were evaluated without it.
	NamespaceKnown *bool `json:"namespaceKnown,omitempty"`
	// Connect describes a CONNECT request (exec, attach, port-forward), never its command.
	Connect *Connect `json:"connect,omitempty"`

	// PrevHash and Hash chain the records; hash stays the last member of the line.
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// FromAdmission fills a record from an admission request and its decision. id is the
// decision id sent back as an audit annotation.
func FromAdmission(id string, req *admissionv1.AdmissionRequest, d decision.Decision, now time.Time) Record {
	r := Record{
		Schema:      Schema,
		Type:        TypeAdmission,
		ID:          id,
		Time:        now.UTC(),
		UID:         string(req.UID),
		Operation:   string(req.Operation),
		Kind:        gvkString(req.Kind.Group, req.Kind.Version, req.Kind.Kind),
		Resource:    req.Resource.Resource,
		SubResource: req.SubResource,
		Namespace:   req.Namespace,
		Name:        req.Name,
		User:        User{Username: req.UserInfo.Username, UID: req.UserInfo.UID, Groups: req.UserInfo.Groups},
		DryRun:      req.DryRun != nil && *req.DryRun,
		Decision:    d.Outcome,
		Exempt:      d.Exempt,
		Violations:  d.Findings,
		Exceptions:  d.Exceptions,
	}
	if req.Operation == admissionv1.Connect {
		r.Connect = connectOf(req.Object.Raw)
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
	if group == "" {
		return version + "/" + kind
	}
	return group + "/" + version + "/" + kind
}
