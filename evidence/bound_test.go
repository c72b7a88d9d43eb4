package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"

	"github.com/govhook/govhook/decision"
)

func TestBound(t *testing.T) {
	long := strings.Repeat("é", MaxString) // 2 bytes each: the cut falls inside one
	sum := sha256.Sum256([]byte(long))
	tests := []struct {
		name, in, want string
	}{
		{"short strings stay", "alice", "alice"},
		{"a string at the limit stays", strings.Repeat("a", MaxString), strings.Repeat("a", MaxString)},
		{"a longer one is cut on a character boundary with its length and hash", long,
			strings.Repeat("é", MaxString/2) + "…[truncated: 2048 bytes, sha256:" + hex.EncodeToString(sum[:]) + "]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Bound(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !utf8.ValidString(got) {
				t.Errorf("bounded string is not valid UTF-8")
			}
		})
	}
}

// TestRecordSizeIsBounded builds the record of the worst request: every string huge and made
// of characters JSON escapes, thousands of groups and violations. It must stay under
// MaxRecordBytes and keep the hash of what it cut.
func TestRecordSizeIsBounded(t *testing.T) {
	huge := strings.Repeat("\x01", 1<<20)
	groups := make([]string, 5000)
	for i := range groups {
		groups[i] = huge[:2000]
	}
	findings := make([]decision.Finding, 5000)
	for i := range findings {
		findings[i] = decision.Finding{Policy: "POD-001", Severity: "high", Controls: []string{"CC6.1"}, Action: "deny", Message: huge, Field: huge}
	}
	req := &admissionv1.AdmissionRequest{
		UID: "uid-1", Name: huge, Namespace: huge, SubResource: huge, Operation: admissionv1.Create,
		UserInfo: authenticationv1.UserInfo{Username: huge, UID: huge, Groups: groups},
	}
	req.Kind.Kind, req.Resource.Resource = huge, huge
	rec := NewRecord(TypeAdmission, "id-1", req, decision.Decision{Outcome: decision.OutcomeDeny, Findings: findings}, Basis{}, errors.New(huge))
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxRecordBytes {
		t.Errorf("record is %d bytes, over MaxRecordBytes %d", len(b), MaxRecordBytes)
	}
	if len(rec.Violations) != MaxFindings || rec.ViolationsOmitted != 5000-MaxFindings {
		t.Errorf("violations listed %d, omitted %d; want %d and %d", len(rec.Violations), rec.ViolationsOmitted, MaxFindings, 5000-MaxFindings)
	}
	if len(rec.User.Groups) != MaxGroups+1 || !strings.Contains(rec.User.Groups[MaxGroups], "4968 more") {
		t.Errorf("groups %d, last %.100q; want %d and a count of the rest", len(rec.User.Groups), rec.User.Groups[len(rec.User.Groups)-1], MaxGroups+1)
	}
	if rec.User.Username != Bound(huge) {
		t.Errorf("username not bounded with its hash")
	}
}
