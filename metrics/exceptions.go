package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govhook/govhook/config"
)

// exceptionsActive is govhook_exceptions_active{policy}: the live exceptions of the register in
// force, per policy, computed at each scrape. Computing it from the config and the clock, rather
// than setting it on reload, keeps it right as exceptions expire between reloads.
type exceptionsActive struct {
	desc    *prometheus.Desc
	current func() *config.Config
	now     func() time.Time
}

// RegisterExceptionsActive registers the govhook_exceptions_active gauge on reg. current
// returns the config in force (e.g. Reviewer.Config); now is the clock (nil: time.Now). A
// policy whose exceptions have all expired reads 0 until the register drops them.
func RegisterExceptionsActive(reg prometheus.Registerer, current func() *config.Config, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	return reg.Register(&exceptionsActive{
		desc: prometheus.NewDesc("govhook_exceptions_active",
			"Exceptions of the register in force that have not expired, by policy.", []string{"policy"}, nil),
		current: current,
		now:     now,
	})
}

// Describe implements prometheus.Collector.
func (e *exceptionsActive) Describe(ch chan<- *prometheus.Desc) { ch <- e.desc }

// Collect implements prometheus.Collector.
func (e *exceptionsActive) Collect(ch chan<- prometheus.Metric) {
	for policy, n := range e.current().ActiveExceptions(e.now()) {
		ch <- prometheus.MustNewConstMetric(e.desc, prometheus.GaugeValue, float64(n), policy)
	}
}
