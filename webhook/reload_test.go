package webhook_test

import (
	"context"
	"errors"
	"testing"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/webhook"
)

// reloadWhileRecording stands for a hot reload that lands between the decision and its
// record: writing a record puts next in force, then fails as a full disk would.
type reloadWhileRecording struct {
	reviewer *review.Reviewer
	next     *config.Config
	records  []evidence.Record
}

func (r *reloadWhileRecording) Record(_ context.Context, rec *evidence.Record) error {
	r.reviewer.SetConfig(r.next)
	r.records = append(r.records, *rec)
	return errors.New("no space left on device")
}

// TestReloadBetweenDecisionAndRecord checks that a config swapped after the decision changes
// neither what the record names nor how the lost record is answered: both follow the config
// the decision was made under.
func TestReloadBetweenDecisionAndRecord(t *testing.T) {
	parse := func(mode string) *config.Config {
		cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\nonEvidenceFailure: " + mode + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	tests := []struct {
		name        string
		decidedMode string
		reloadMode  string
		wantAllowed bool
	}{
		{"decided under allow, reloaded to deny: answered by the decision", "allow", "deny", true},
		{"decided under deny, reloaded to allow: refused", "deny", "allow", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			decided, reloaded := parse(tc.decidedMode), parse(tc.reloadMode)
			if decided.Digest() == reloaded.Digest() {
				t.Fatal("the two configs must differ")
			}
			h := newHandler(t, nil)
			h.Reviewer.SetConfig(decided)
			ev := &reloadWhileRecording{reviewer: h.Reviewer, next: reloaded}
			h.Evidence = ev

			resp := decodeResponse(t, post(h, "application/json", reviewBody("CREATE", compliantPod, "null")))
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("allowed = %v, want %v (the config in force when the decision was made says onEvidenceFailure: %s)", resp.Allowed, tc.wantAllowed, tc.decidedMode)
			}
			wantAnnotation := ""
			if tc.wantAllowed {
				wantAnnotation = webhook.EvidenceNotDurable
			}
			if got := resp.AuditAnnotations[webhook.AnnotationEvidence]; got != wantAnnotation {
				t.Errorf("evidence annotation = %q, want %q", got, wantAnnotation)
			}
			if len(ev.records) != 1 {
				t.Fatalf("got %d records, want 1", len(ev.records))
			}
			if got := ev.records[0].ConfigDigest; got != decided.Digest() {
				t.Errorf("record names config %s, want the decision's %s", got, decided.Digest())
			}
		})
	}
}
