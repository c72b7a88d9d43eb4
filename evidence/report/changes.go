package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
)

// Change kinds of PolicyChange.What.
const (
	ChangePolicyBundle = "policy bundle"
	ChangeConfig       = "config"
)

// PolicyChange is a change of the policy bundle or the config in one replica's chain: the
// first record that names a digest other than the record before it.
type PolicyChange struct {
	Time    time.Time `json:"time"`
	Replica string    `json:"replica"`
	// What is ChangePolicyBundle or ChangeConfig.
	What string `json:"what"`
	From string `json:"from"`
	To   string `json:"to"`
	// ToSource names the config file of To, when it was given (--config).
	ToSource string `json:"toSource,omitempty"`
	// Record is the file and line of the first record under the new digest.
	Record string `json:"record"`
}

// ReviewInForce is a review of the register of a config in force during the period, dated
// before the period ended and not older than that config's review interval when it began.
type ReviewInForce struct {
	config.Review
	ConfigSource string `json:"configSource"`
}

// countChange records a change of digests against the replica's previous record.
func (b *reportBuilder) countChange(r *evidence.Record, source string) {
	now := [2]string{r.PolicyDigest, r.ConfigDigest}
	prev, seen := b.digests[r.Replica]
	b.digests[r.Replica] = now
	if !seen {
		return
	}
	if prev[0] != now[0] {
		b.r.Changes = append(b.r.Changes, PolicyChange{Time: r.Time, Replica: r.Replica, What: ChangePolicyBundle, From: prev[0], To: now[0], Record: source})
	}
	if prev[1] != now[1] {
		b.r.Changes = append(b.r.Changes, PolicyChange{Time: r.Time, Replica: r.Replica, What: ChangeConfig, From: prev[1], To: now[1], Record: source})
	}
}

// finishGovernance names the configs of the changes and lists the reviews in force during
// the period, from the known configs that were in force.
func (b *reportBuilder) finishGovernance(configs map[string]*config.Config, known map[string]string) {
	r := b.r
	for i := range r.Changes {
		if r.Changes[i].What == ChangeConfig {
			r.Changes[i].ToSource = known[r.Changes[i].To]
		}
	}
	slices.SortStableFunc(r.Changes, func(a, b PolicyChange) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Replica, b.Replica))
	})
	start, end := r.Period.From, r.Period.To
	if start.IsZero() {
		start = r.Period.First
	}
	if end.IsZero() {
		end = r.Period.Last
	}
	seen := map[string]bool{}
	for _, c := range r.Configurations {
		cfg := configs[c.ConfigDigest]
		if cfg == nil || seen[c.ConfigDigest] {
			continue
		}
		seen[c.ConfigDigest] = true
		for _, rv := range cfg.Reviews {
			at := rv.At()
			if at.IsZero() || at.After(end) || at.Add(cfg.ReviewInterval()).Before(start) {
				continue
			}
			dup := slices.ContainsFunc(r.Reviews, func(x ReviewInForce) bool {
				return x.ReviewedAt == rv.ReviewedAt && x.ReviewedBy == rv.ReviewedBy && slices.Equal(x.Policies, rv.Policies)
			})
			if !dup {
				r.Reviews = append(r.Reviews, ReviewInForce{Review: rv, ConfigSource: c.ConfigSource})
			}
		}
	}
	slices.SortStableFunc(r.Reviews, func(a, b ReviewInForce) int { return a.At().Compare(b.At()) })
}
