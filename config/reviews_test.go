package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/config"
)

const reviewConfig = `apiVersion: govhook.io/v1alpha1
kind: Config
reviewIntervalDays: 90
reviews:
  - policies: ["*"]
    reviewedBy: carol@example.com
    reviewedAt: 2026-03-02
    ticket: GRC-7
  - policies: [pod-security, RBAC-002]
    reviewedBy: dave@example.com
    reviewedAt: 2026-10-01
    notes: PSS 1.37 alignment
`

func parseReviews(src string) (*config.Config, error) {
	return config.Parse([]byte(src), config.KnownPolicies(catalogIDs), config.KnownGroups([]string{"pod-security", "ownership"}),
		config.Clock(func() time.Time { return today }))
}

// TestReviewStatuses: each policy's last review is the latest one covering it by id, group
// or "*"; it is overdue past reviewIntervalDays, and a policy no review covers is overdue.
func TestReviewStatuses(t *testing.T) {
	cfg, err := parseReviews(reviewConfig)
	if err != nil {
		t.Fatal(err)
	}
	refs := []config.PolicyRef{{ID: "OWN-002", Groups: []string{"ownership"}}, {ID: "POD-001", Groups: []string{"pod-security"}}, {ID: "RBAC-002"}}
	type row struct {
		Policy, By string
		Age        int
		Overdue    bool
	}
	var got []row
	for _, s := range cfg.ReviewStatuses(refs, today) {
		got = append(got, row{s.Policy, s.Last.ReviewedBy, s.AgeDays, s.Overdue})
	}
	want := []row{
		{"OWN-002", "carol@example.com", 271, true},
		{"POD-001", "dave@example.com", 58, false},
		{"RBAC-002", "dave@example.com", 58, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReviewStatuses (-want +got):\n%s", diff)
	}
	never := config.Default().ReviewStatuses(refs[:1], today)
	if diff := cmp.Diff([]config.ReviewStatus{{Policy: "OWN-002", AgeDays: -1, Overdue: true}}, never); diff != "" {
		t.Errorf("without reviews (-want +got):\n%s", diff)
	}
	if got := config.Default().ReviewInterval(); got != 365*24*time.Hour {
		t.Errorf("default ReviewInterval = %v, want 365 days", got)
	}
}

// TestReviewRegisterErrors: bad reviews are refused with the field and its line.
func TestReviewRegisterErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"future date", "reviewedAt: 2026-10-01", "reviewedAt: 2026-12-01", "line 11: reviews[1].reviewedAt: 2026-12-01 is in the future"},
		{"unknown id", "[pod-security, RBAC-002]", "[pod-security, RBAC-009]", `line 9: reviews[1].policies[1]: unknown policy id or group "RBAC-009"`},
		{"unknown group", "[pod-security, RBAC-002]", "[pod-sec, RBAC-002]", `line 9: reviews[1].policies[0]: unknown policy id or group "pod-sec"`},
		{"no reviewer", "    reviewedBy: dave@example.com\n", "", "line 9: reviews[1].reviewedBy: is required"},
		{"not a date", "reviewedAt: 2026-03-02", "reviewedAt: last spring", `line 7: reviews[0].reviewedAt: "last spring" is neither a date`},
		{"no policies", `policies: ["*"]`, "policies: []", "line 5: reviews[0].policies: must name at least one policy"},
		{"negative interval", "reviewIntervalDays: 90", "reviewIntervalDays: -1", "line 3: reviewIntervalDays: must be a positive number of days"},
		{"unknown field", "    notes: PSS", "    note: PSS", "line 12: reviews[1].note: unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseReviews(strings.Replace(reviewConfig, tc.old, tc.new, 1))
			if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
