// Package metrics exports govhook's Prometheus metrics (prefix govhook_) on a registry the
// caller passes in. Labels never carry namespaces, names, users or images.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govhook/govhook/decision"
)

// Admission is what the metrics know of one admission request.
type Admission struct {
	Operation string
	Kind      string
	DryRun    bool
	Decision  decision.Decision
	Duration  time.Duration
}

// Recorder observes decisions.
type Recorder interface {
	ObserveAdmission(a Admission)
	ObserveEvaluation(d time.Duration)
	ObserveEvidence(err error)
}

// Prometheus is the Recorder backed by Prometheus collectors.
type Prometheus struct {
	requests       *prometheus.CounterVec
	violations     *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	evaluation     prometheus.Histogram
	evidence       prometheus.Counter
	evidenceErrors prometheus.Counter
	expired        *prometheus.CounterVec
	reloadErrors   prometheus.Counter
	certExpiry     prometheus.Gauge
}

// latencyBuckets run from 0.25 ms to 5 s.
var latencyBuckets = []float64{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// NewPrometheus creates govhook's collectors and registers them on reg.
func NewPrometheus(reg prometheus.Registerer) (*Prometheus, error) {
	p := &Prometheus{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govhook_admission_requests_total",
			Help: "Admission requests answered, by operation, kind, decision and dry run.",
		}, []string{"operation", "kind", "decision", "dry_run"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govhook_policy_violations_total",
			Help: "Policy violations found, by policy, severity and the action taken.",
		}, []string{"policy", "severity", "action"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "govhook_admission_duration_seconds",
			Help:    "Time from receiving an admission review to answering it, by decision.",
			Buckets: latencyBuckets,
		}, []string{"decision"}),
		evaluation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "govhook_policy_evaluation_duration_seconds",
			Help:    "Time to evaluate the policy catalog for one request.",
			Buckets: latencyBuckets,
		}),
		evidence: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "govhook_evidence_records_total",
			Help: "Evidence records made durable.",
		}),
		evidenceErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "govhook_evidence_write_errors_total",
			Help: "Evidence records that could not be made durable.",
		}),
		expired: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "govhook_exceptions_expired_total",
			Help: "Violations an exception would have waived had it not expired, by policy.",
		}, []string{"policy"}),
		reloadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "govhook_config_reload_errors_total",
			Help: "New versions of the config file that were rejected; the last good config stayed in force.",
		}),
		certExpiry: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "govhook_certificate_expiry_timestamp_seconds",
			Help: "Expiry (NotAfter, Unix seconds) of the serving certificate in use; follows reloads.",
		}),
	}
	for _, c := range []prometheus.Collector{p.requests, p.violations, p.duration, p.evaluation, p.evidence, p.evidenceErrors, p.expired, p.reloadErrors, p.certExpiry} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ObserveAdmission counts a request, its violations and its latency.
func (p *Prometheus) ObserveAdmission(a Admission) {
	outcome := string(a.Decision.Outcome)
	p.requests.WithLabelValues(operationLabel(a.Operation), a.Kind, outcome, strconv.FormatBool(a.DryRun)).Inc()
	for _, f := range a.Decision.Findings {
		p.violations.WithLabelValues(f.Policy, f.Severity, f.Action).Inc()
	}
	for _, e := range a.Decision.Expired {
		p.expired.WithLabelValues(e.Policy).Inc()
	}
	p.duration.WithLabelValues(outcome).Observe(a.Duration.Seconds())
}

// ObserveEvaluation records how long one catalog evaluation took.
func (p *Prometheus) ObserveEvaluation(d time.Duration) { p.evaluation.Observe(d.Seconds()) }

// ObserveEvidence counts a durable record, or a failed one.
func (p *Prometheus) ObserveEvidence(err error) {
	if err != nil {
		p.evidenceErrors.Inc()
		return
	}
	p.evidence.Inc()
}

// ObserveConfigReload counts a rejected config reload; a successful one (nil) counts nothing.
func (p *Prometheus) ObserveConfigReload(err error) {
	if err != nil {
		p.reloadErrors.Inc()
	}
}

// SetCertificateExpiry records the expiry of the serving certificate now in use.
func (p *Prometheus) SetCertificateExpiry(notAfter time.Time) {
	p.certExpiry.Set(float64(notAfter.Unix()))
}

// operationLabel keeps the operation label to the four operations an apiserver sends; any
// other value (a refused request's, say) is "" so that callers cannot grow the series.
func operationLabel(op string) string {
	switch op {
	case "CREATE", "UPDATE", "DELETE", "CONNECT":
		return op
	}
	return ""
}
