package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultReviewIntervalDays is how old a policy's last review may be, when the config does not
// set reviewIntervalDays, before it is overdue: SOC 2 asks for a review at least once a year.
const DefaultReviewIntervalDays = 365

// AllPolicies in a review's policies covers the whole catalog.
const AllPolicies = "*"

// Review is one entry of the policy review register: who reviewed which policies (ids, group
// names or "*"), when, and under which ticket.
type Review struct {
	Policies   []string `yaml:"policies" json:"policies"`
	ReviewedBy string   `yaml:"reviewedBy" json:"reviewedBy"`
	// ReviewedAt is the day of the review (YYYY-MM-DD) or an RFC 3339 time; never in the future.
	ReviewedAt string `yaml:"reviewedAt" json:"reviewedAt"`
	Ticket     string `yaml:"ticket,omitempty" json:"ticket,omitempty"`
	Notes      string `yaml:"notes,omitempty" json:"notes,omitempty"`

	// at is ReviewedAt parsed, filled by Parse.
	at time.Time
}

// At is the instant of the review (the start of its day, UTC, for a date); zero when
// ReviewedAt does not parse, which only a Config built by hand can hold.
func (r *Review) At() time.Time {
	if !r.at.IsZero() {
		return r.at
	}
	t, err := ParseTime(r.ReviewedAt, false)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Covers reports whether the review covers the policy with the given id and groups.
func (r *Review) Covers(id string, groups []string) bool {
	for _, s := range r.Policies {
		if s == AllPolicies || s == id || slices.Contains(groups, s) {
			return true
		}
	}
	return false
}

// ReviewInterval is how old a policy's last review may be before it is overdue.
func (c *Config) ReviewInterval() time.Duration {
	return daysOr(c.ReviewIntervalDays, DefaultReviewIntervalDays)
}

// PolicyRef names a policy of the catalog and its groups, which reviews may select it by.
type PolicyRef struct {
	ID     string
	Groups []string
}

// ReviewStatus is one policy's place in the review register.
type ReviewStatus struct {
	Policy string `json:"policy"`
	// Last is the policy's latest review; nil when it was never reviewed.
	Last *Review `json:"lastReview,omitempty"`
	// AgeDays is the age of that review in whole days at the time asked (-1 when never reviewed).
	AgeDays int `json:"ageDays"`
	// Overdue is true when the policy was never reviewed or its last review is older than the
	// review interval.
	Overdue bool `json:"overdue"`
}

// ReviewStatuses gives each policy of ps its latest review as at now (reviews dated after now
// are not yet in force), in the order of ps.
func (c *Config) ReviewStatuses(ps []PolicyRef, now time.Time) []ReviewStatus {
	out := make([]ReviewStatus, 0, len(ps))
	for _, p := range ps {
		s := ReviewStatus{Policy: p.ID, AgeDays: -1, Overdue: true}
		for i := range c.Reviews {
			r := &c.Reviews[i]
			at := r.At()
			if at.IsZero() || at.After(now) || !r.Covers(p.ID, p.Groups) {
				continue
			}
			if s.Last == nil || at.After(s.Last.At()) {
				s.Last = r
			}
		}
		if s.Last != nil {
			age := now.Sub(s.Last.At())
			s.AgeDays = int(age / (24 * time.Hour))
			s.Overdue = age > c.ReviewInterval()
		}
		out = append(out, s)
	}
	return out
}

// validateReviews checks the review register: who, when (a date that is not in the future)
// and which policies, each an id or group of the catalog (with KnownPolicies/KnownGroups) or "*".
func (c *Config) validateReviews(o options) []error {
	var errs []error
	if c.ReviewIntervalDays < 0 {
		errs = append(errs, c.fieldError("must be a positive number of days", "reviewIntervalDays"))
	}
	for i := range c.Reviews {
		r := &c.Reviews[i]
		at := func(field ...any) []any { return append([]any{"reviews", i}, field...) }
		if strings.TrimSpace(r.ReviewedBy) == "" {
			errs = append(errs, c.fieldError("is required: a review names who did it", at("reviewedBy")...))
		}
		if len(r.Policies) == 0 {
			errs = append(errs, c.fieldError(`must name at least one policy id, group or "*"`, at("policies")...))
		}
		for j, s := range r.Policies {
			if problem := o.checkSelector(s); problem != "" {
				errs = append(errs, c.fieldError(problem, at("policies", j)...))
			}
		}
		switch t, err := ParseTime(r.ReviewedAt, false); {
		case strings.TrimSpace(r.ReviewedAt) == "":
			errs = append(errs, c.fieldError("is required: the day of the review (YYYY-MM-DD)", at("reviewedAt")...))
		case err != nil:
			errs = append(errs, c.fieldError(err.Error(), at("reviewedAt")...))
		case t.After(o.now()):
			errs = append(errs, c.fieldError(fmt.Sprintf("%s is in the future: record a review once it has taken place", r.ReviewedAt), at("reviewedAt")...))
		default:
			r.at = t
		}
	}
	return errs
}

// checkSelector says what is wrong with a review's policy selector, or "" when it is fine.
func (o options) checkSelector(s string) string {
	switch {
	case s == AllPolicies:
		return ""
	case strings.TrimSpace(s) == "":
		return "policy id or group must not be empty"
	case o.known == nil:
		return ""
	case o.known[s] || o.groups[s]:
		return ""
	}
	return fmt.Sprintf(`unknown policy id or group %q (see govhook policies; "*" covers every policy)`, s)
}
