package compliance

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/scan"
)

// DefaultInterval is how often the audit runs unless configured otherwise.
const DefaultInterval = time.Hour

// Auditor audits the cluster on an interval: each run pages through every kind the catalog
// judges (scan.Scanner, which also writes the audit evidence records), then publishes the
// reports and sets the gauges. It is a controller-runtime Runnable that needs the Lease.
type Auditor struct {
	// Scanner lists and judges the objects; its Evidence, when set, gets a record of type
	// audit per object.
	Scanner *scan.Scanner
	// Publisher writes the reports; nil writes none.
	Publisher *Publisher
	// Metrics receives each complete run; nil records none.
	Metrics *metrics.Audit
	// Interval is the time from the start of one run to the start of the next.
	Interval time.Duration
	// MaxResults bounds the results of each report; 0 means DefaultMaxResults.
	MaxResults int
	Log        logr.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// Run is what one complete audit run found.
type Run struct {
	Start    time.Time
	Duration time.Duration
	// Summary counts the objects judged by outcome.
	Summary output.Summary
	// Reports is how many reports were written (0 when OpenReports is not installed).
	Reports int
}

// NeedLeaderElection says that the audit runs only in the replica holding the Lease.
func (a *Auditor) NeedLeaderElection() bool { return true }

// Start audits now and then every Interval until ctx ends. A failed run is logged, leaves the
// previous run's reports and gauges in place, and the next run comes at its time.
func (a *Auditor) Start(ctx context.Context) error {
	a.Log.Info("audit lease held: auditing", "interval", a.Interval.String())
	for {
		next := a.now().Add(a.Interval)
		run, err := a.Run(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			a.Log.Error(err, "audit run failed; the previous reports and gauges stay")
		default:
			a.Log.Info("audit run complete", "objects", run.Summary.Total, "denied", run.Summary.Denied,
				"warned", run.Summary.Warned, "errors", run.Summary.Errors, "reports", run.Reports,
				"duration", run.Duration.String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Until(next)):
		}
	}
}

// Run audits the cluster once.
func (a *Auditor) Run(ctx context.Context) (Run, error) {
	run := Run{Start: a.now()}
	max := a.MaxResults
	if max <= 0 {
		max = DefaultMaxResults
	}
	c := &collector{
		converter:  NewConverter(a.Scanner.Reviewer.Engine().Selected()),
		timestamp:  metav1.Timestamp{Seconds: run.Start.Unix(), Nanos: int32(run.Start.Nanosecond())},
		max:        max,
		cluster:    &scope{max: max},
		namespaces: map[string]*scope{},
		metrics:    metrics.AuditRun{Violations: map[metrics.AuditViolation]int{}, Objects: map[string]int{}},
		log:        a.Log,
	}
	if err := a.Scanner.Scan(ctx, c); err != nil {
		return run, fmt.Errorf("scan: %w", err)
	}
	if a.Publisher != nil {
		n, err := a.Publisher.Publish(ctx, c.namespaces, c.cluster)
		if err != nil {
			return run, fmt.Errorf("publish reports: %w", err)
		}
		run.Reports = n
	}
	run.Duration = a.now().Sub(run.Start)
	run.Summary = c.summary
	if a.Metrics != nil {
		c.metrics.Finished, c.metrics.Duration = run.Start.Add(run.Duration), run.Duration
		a.Metrics.SetRun(c.metrics)
	}
	return run, nil
}

func (a *Auditor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// collector is the report.Writer the scan streams into: it gathers each object's report
// results into the scope of its namespace (or the cluster's) and counts what the gauges show.
type collector struct {
	converter  *Converter
	timestamp  metav1.Timestamp
	max        int
	cluster    *scope
	namespaces map[string]*scope
	summary    output.Summary
	metrics    metrics.AuditRun
	log        logr.Logger
}

func (c *collector) Result(r output.Result) error {
	c.summary.Total++
	switch r.Decision.Outcome {
	case decision.OutcomeDeny:
		c.summary.Denied++
	case decision.OutcomeWarn:
		c.summary.Warned++
	case decision.OutcomeAllow:
		c.summary.Allowed++
	default:
		c.summary.Errors++
	}
	c.metrics.Objects[r.Kind]++
	for _, f := range r.Decision.Findings {
		c.metrics.Violations[metrics.AuditViolation{Policy: f.Policy, Severity: f.Severity, Action: f.Action}]++
	}
	s := c.cluster
	if r.Namespace != "" {
		if s = c.namespaces[r.Namespace]; s == nil {
			s = &scope{max: c.max}
			c.namespaces[r.Namespace] = s
		}
	}
	full := s.full()
	results, passes := c.converter.results(r, c.timestamp, !full)
	for _, res := range results {
		s.add(res)
	}
	if full {
		s.countPasses(passes)
	}
	return nil
}

// Problem logs what could not be judged (a kind that may not be listed, an expired list):
// the run goes on with the other kinds.
func (c *collector) Problem(p output.Problem) error {
	c.summary.Total++
	c.summary.Errors++
	c.log.Error(nil, "audit could not judge part of the cluster", "problem", p.Text())
	return nil
}

func (c *collector) Close() error { return nil }

func (c *collector) Summary() output.Summary { return c.summary }
