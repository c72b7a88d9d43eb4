package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/metrics"
)

// TestPolicyReviewAge: each policy's review age follows the clock and the config in force;
// a policy never reviewed reads +Inf, so the overdue alert fires for it too.
func TestPolicyReviewAge(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	cfg := &config.Config{ReviewIntervalDays: 180, Reviews: []config.Review{
		{Policies: []string{"pod-security"}, ReviewedBy: "carol", ReviewedAt: "2026-11-05"},
	}}
	refs := []config.PolicyRef{{ID: "POD-001", Groups: []string{"pod-security"}}, {ID: "RBAC-001", Groups: []string{"rbac"}}}
	reg := prometheus.NewPedanticRegistry()
	if err := metrics.RegisterPolicyReviews(reg, func() *config.Config { return cfg }, refs, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	const head = `# HELP govhook_policy_review_age_days Days since the policy's last review in the config's reviews register (+Inf when never reviewed).
# TYPE govhook_policy_review_age_days gauge
`
	steps := []struct {
		name string
		step func()
		want string
	}{
		{"now", func() {}, `govhook_policy_review_age_days{policy="POD-001"} 30` + "\n" + `govhook_policy_review_age_days{policy="RBAC-001"} +Inf`},
		{"ten days on", func() { now = now.AddDate(0, 0, 10) }, `govhook_policy_review_age_days{policy="POD-001"} 40` + "\n" + `govhook_policy_review_age_days{policy="RBAC-001"} +Inf`},
		{"after a reload with a review of everything", func() {
			cfg = &config.Config{Reviews: append(cfg.Reviews, config.Review{Policies: []string{"*"}, ReviewedBy: "dave", ReviewedAt: "2026-12-14"})}
		}, `govhook_policy_review_age_days{policy="POD-001"} 1` + "\n" + `govhook_policy_review_age_days{policy="RBAC-001"} 1`},
	}
	for _, s := range steps {
		s.step()
		if err := testutil.GatherAndCompare(reg, strings.NewReader(head+s.want+"\n"), "govhook_policy_review_age_days"); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
	want := "# HELP govhook_policy_review_interval_days How old a policy's last review may be before it is overdue (reviewIntervalDays).\n# TYPE govhook_policy_review_interval_days gauge\ngovhook_policy_review_interval_days 365\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_policy_review_interval_days"); err != nil {
		t.Error(err)
	}
}
