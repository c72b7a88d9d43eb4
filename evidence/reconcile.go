package evidence

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// DecisionIDAnnotation is govhook's audit annotation key; the apiserver logs it prefixed with
// the name of the webhook that set it: "<webhook-name>/decision-id".
const DecisionIDAnnotation = "decision-id"

// AuditDecision is a request the apiserver's audit log says govhook decided.
type AuditDecision struct {
	DecisionID  string    `json:"decisionId"`
	Webhook     string    `json:"webhook"`
	AuditID     string    `json:"auditId"`
	Time        time.Time `json:"time"`
	Verb        string    `json:"verb"`
	Resource    string    `json:"resource"`
	Subresource string    `json:"subresource,omitempty"`
	Namespace   string    `json:"namespace,omitempty"`
	Name        string    `json:"name,omitempty"`
	User        string    `json:"user"`
	Source      string    `json:"source"`
}

// UnmatchedRecord is an admission record with no apiserver audit event: a probe or a direct
// caller, not a request the apiserver sent.
type UnmatchedRecord struct {
	DecisionID string    `json:"decisionId"`
	Replica    string    `json:"replica"`
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Operation  string    `json:"operation"`
	Kind       string    `json:"kind"`
	Namespace  string    `json:"namespace,omitempty"`
	Name       string    `json:"name,omitempty"`
	User       string    `json:"user"`
	Source     string    `json:"source"`
}

// Reconciliation matches the apiserver's audit log against the evidence.
type Reconciliation struct {
	// Missing are admissions the apiserver made through govhook that have no record.
	Missing []AuditDecision `json:"missing"`
	// Unmatched are admission records, within the audit log's time span, with no event.
	Unmatched []UnmatchedRecord `json:"unmatched"`
	// Decisions counts the distinct decision ids in the audit log; From and To span it.
	Decisions int       `json:"-"`
	From, To  time.Time `json:"-"`
}

// auditEvent is the part of an audit.k8s.io/v1 Event that reconciliation reads.
type auditEvent struct {
	Kind    string `json:"kind"`
	AuditID string `json:"auditID"`
	Verb    string `json:"verb"`
	User    struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	RequestReceived time.Time         `json:"requestReceivedTimestamp"`
	StageTimestamp  time.Time         `json:"stageTimestamp"`
	Annotations     map[string]string `json:"annotations"`
}

// ReadAuditLog reads the decision ids in a kube-apiserver audit log of JSON lines (as the
// apiserver writes it and as EKS control-plane logging exports it; a prefix before the
// first '{' of a line, such as a timestamp, is skipped). It also widens span to the times
// of every event read.
func ReadAuditLog(path string, span *[2]time.Time) ([]AuditDecision, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []AuditDecision
	events := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		i := bytes.IndexByte(line, '{')
		if i < 0 {
			continue
		}
		var e auditEvent
		if err := json.Unmarshal(line[i:], &e); err != nil {
			return nil, fmt.Errorf("%s:%d: not an audit event: %w", path, n, err)
		}
		if e.Kind != "Event" {
			continue
		}
		events++
		for _, t := range []time.Time{e.RequestReceived, e.StageTimestamp} {
			if t.IsZero() {
				continue
			}
			if span[0].IsZero() || t.Before(span[0]) {
				span[0] = t
			}
			if t.After(span[1]) {
				span[1] = t
			}
		}
		for key, id := range e.Annotations {
			webhook, ok := strings.CutSuffix(key, "/"+DecisionIDAnnotation)
			if !ok || id == "" {
				continue
			}
			out = append(out, AuditDecision{
				DecisionID: id, Webhook: webhook, AuditID: e.AuditID, Time: e.RequestReceived.UTC(), Verb: e.Verb,
				Resource: e.ObjectRef.Resource, Subresource: e.ObjectRef.Subresource, Namespace: e.ObjectRef.Namespace,
				Name: e.ObjectRef.Name, User: e.User.Username, Source: fmt.Sprintf("%s:%d", path, n),
			})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read audit log %s: %w", path, err)
	}
	if events == 0 {
		return nil, fmt.Errorf("%s holds no audit event (audit.k8s.io Event JSON lines)", path)
	}
	return out, nil
}

// Reconcile matches the decision ids in the audit logs against the admission records under
// evidence paths (s3:// paths read from archives, as Verify does). An audit event logged at
// several stages counts once.
func Reconcile(ctx context.Context, auditLogs, paths []string, archives map[string]*Archive) (*Reconciliation, error) {
	var span [2]time.Time
	byID := map[string]AuditDecision{}
	for _, path := range auditLogs {
		decisions, err := ReadAuditLog(path, &span)
		if err != nil {
			return nil, err
		}
		for _, d := range decisions {
			if _, ok := byID[d.DecisionID]; !ok {
				byID[d.DecisionID] = d
			}
		}
	}
	rec := &Reconciliation{Missing: []AuditDecision{}, Unmatched: []UnmatchedRecord{}, Decisions: len(byID), From: span[0], To: span[1]}
	recorded := map[string]bool{}
	_, err := Verify(ctx, paths, VerifyOptions{Archives: archives, Visit: func(e Entry) {
		r := e.Record
		if r.Type != TypeAdmission || r.ID == "" {
			return
		}
		recorded[r.ID] = true
		if _, ok := byID[r.ID]; ok || r.Time.Before(span[0]) || r.Time.After(span[1]) {
			return
		}
		rec.Unmatched = append(rec.Unmatched, UnmatchedRecord{
			DecisionID: r.ID, Replica: r.Replica, Seq: r.Seq, Time: r.Time, Operation: r.Operation, Kind: r.Kind,
			Namespace: r.Namespace, Name: r.Name, User: r.User.Username, Source: fmt.Sprintf("%s:%d", e.File, e.Line),
		})
	}})
	if err != nil {
		return nil, err
	}
	for id, d := range byID {
		if !recorded[id] {
			rec.Missing = append(rec.Missing, d)
		}
	}
	slices.SortFunc(rec.Missing, func(a, b AuditDecision) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.DecisionID, b.DecisionID)
	})
	return rec, nil
}
