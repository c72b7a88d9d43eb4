package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// AuditViolation is the label set of govhook_audit_violations.
type AuditViolation struct {
	Policy, Severity, Action string
}

// AuditRun is what one complete in-cluster audit run found.
type AuditRun struct {
	Finished time.Time
	Duration time.Duration
	// Violations counts the findings by policy, severity and action.
	Violations map[AuditViolation]int
	// Objects counts the objects judged by kind (a kind of the catalog: a fixed set).
	Objects map[string]int
}

// Audit exports the continuous audit's gauges from its last complete run. The whole run is
// swapped in at once, so a scrape never sees half of one run and half of another; before the
// first run only govhook_audit_interval_seconds is exported.
type Audit struct {
	interval   float64
	last       atomic.Pointer[AuditRun]
	violations *prometheus.Desc
	lastRun    *prometheus.Desc
	duration   *prometheus.Desc
	objects    *prometheus.Desc
	every      *prometheus.Desc
}

// NewAudit registers the audit gauges on reg; interval is the configured time between runs.
func NewAudit(reg prometheus.Registerer, interval time.Duration) (*Audit, error) {
	a := &Audit{
		interval: interval.Seconds(),
		violations: prometheus.NewDesc("govhook_audit_violations",
			"Policy violations of the objects in the cluster at the last complete audit run, by policy, severity and action.",
			[]string{"policy", "severity", "action"}, nil),
		lastRun: prometheus.NewDesc("govhook_audit_last_run_timestamp_seconds",
			"When the last complete audit run finished (Unix seconds).", nil, nil),
		duration: prometheus.NewDesc("govhook_audit_run_duration_seconds",
			"How long the last complete audit run took.", nil, nil),
		objects: prometheus.NewDesc("govhook_audit_objects_scanned",
			"Objects judged by the last complete audit run, by kind.", []string{"kind"}, nil),
		every: prometheus.NewDesc("govhook_audit_interval_seconds",
			"Configured time between the starts of two audit runs.", nil, nil),
	}
	if err := reg.Register(a); err != nil {
		return nil, err
	}
	return a, nil
}

// SetRun makes run the one the gauges show.
func (a *Audit) SetRun(run AuditRun) { a.last.Store(&run) }

// Describe implements prometheus.Collector.
func (a *Audit) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{a.violations, a.lastRun, a.duration, a.objects, a.every} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (a *Audit) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(a.every, prometheus.GaugeValue, a.interval)
	run := a.last.Load()
	if run == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(a.lastRun, prometheus.GaugeValue, float64(run.Finished.UnixNano())/1e9)
	ch <- prometheus.MustNewConstMetric(a.duration, prometheus.GaugeValue, run.Duration.Seconds())
	for v, n := range run.Violations {
		ch <- prometheus.MustNewConstMetric(a.violations, prometheus.GaugeValue, float64(n), v.Policy, v.Severity, v.Action)
	}
	for kind, n := range run.Objects {
		ch <- prometheus.MustNewConstMetric(a.objects, prometheus.GaugeValue, float64(n), kind)
	}
}
