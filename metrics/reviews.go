package metrics

import (
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govhook/govhook/config"
)

// policyReviews exports the policy review register at each scrape:
// govhook_policy_review_age_days{policy} and govhook_policy_review_interval_days. Like
// exceptionsActive it reads the config in force and the clock, so a review turns overdue
// without a reload.
type policyReviews struct {
	age, interval *prometheus.Desc
	current       func() *config.Config
	policies      []config.PolicyRef
	now           func() time.Time
}

// RegisterPolicyReviews registers the review register's gauges on reg for the catalog's
// policies: each policy's last review age in days (+Inf when it was never reviewed) and the
// config's review interval, which the overdue alert compares it with. current returns the
// config in force; now is the clock (nil: time.Now).
func RegisterPolicyReviews(reg prometheus.Registerer, current func() *config.Config, policies []config.PolicyRef, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	return reg.Register(&policyReviews{
		age: prometheus.NewDesc("govhook_policy_review_age_days",
			"Days since the policy's last review in the config's reviews register (+Inf when never reviewed).", []string{"policy"}, nil),
		interval: prometheus.NewDesc("govhook_policy_review_interval_days",
			"How old a policy's last review may be before it is overdue (reviewIntervalDays).", nil, nil),
		current:  current,
		policies: policies,
		now:      now,
	})
}

// Describe implements prometheus.Collector.
func (p *policyReviews) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.age
	ch <- p.interval
}

// Collect implements prometheus.Collector.
func (p *policyReviews) Collect(ch chan<- prometheus.Metric) {
	cfg, now := p.current(), p.now()
	for _, s := range cfg.ReviewStatuses(p.policies, now) {
		age := math.Inf(1)
		if s.Last != nil {
			age = now.Sub(s.Last.At()).Hours() / 24
		}
		ch <- prometheus.MustNewConstMetric(p.age, prometheus.GaugeValue, math.Floor(age), s.Policy)
	}
	ch <- prometheus.MustNewConstMetric(p.interval, prometheus.GaugeValue, cfg.ReviewInterval().Hours()/24)
}
