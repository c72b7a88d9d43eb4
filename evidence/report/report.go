package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/policies"
)

// DefaultGapThreshold is the silence after which the report lists a gap: five checkpoint
// intervals with no record at all.
const DefaultGapThreshold = 5 * time.Minute

// Options selects what Build covers.
type Options struct {
	// From and To bound the period (From inclusive, To exclusive); zero leaves it open.
	From, To time.Time
	// GapThreshold is the silence, across all replicas, that counts as a gap.
	GapThreshold time.Duration
	// Catalog, when given, names every policy (also those never violated) with its title,
	// severity, controls and default action.
	Catalog *policies.Catalog
	// Configs are config files that may have been in force, by name (usually the path). The
	// one whose digest a record names gives the actions in force; the built-in default
	// config is always known.
	Configs map[string]*config.Config
	// Now is when the report is made; zero means time.Now.
	Now time.Time
	// Verify is what the chains are checked against (pinned keys, anchors); Build
	// sets its Visit and its Archives.
	Verify evidence.VerifyOptions
	// AuditLogs, when given, are kube-apiserver audit logs to reconcile the evidence with.
	AuditLogs []string
	// Archives resolves the s3:// paths among the report's sources (see
	// evidence.VerifyOptions.Archives).
	Archives map[string]*evidence.Archive
	// TempDir is where the populations are spooled; empty means os.TempDir.
	TempDir string

	spoolRows int // rows a population holds before spooling; 0 is spoolRows
}

// Report is the auditor's pack for a period: what was in force, what happened, the
// populations to sample from, the exception register, and whether the evidence is intact.
// Its populations are spooled to temporary files: Close removes them.
type Report struct {
	Summary
	Denials  *Population `json:"denials"`
	Warnings *Population `json:"warnings"`
	Errors   *Population `json:"errors"`

	// MirrorLosses are the records the stdout mirror dropped: whole in the evidence, missing
	// from the copy shipped through the log collector.
	MirrorLosses []MirrorLossEvent `json:"mirrorLosses"`
}

// Summary is all of a report but its populations: counts and registers, small enough to
// hold in memory whatever the period.
type Summary struct {
	GeneratedAt  time.Time              `json:"generatedAt"`
	Period       Period                 `json:"period"`
	Sources      []string               `json:"sources"`
	Verification *evidence.Verification `json:"verification"`
	// Reconciliation is the completeness test against the apiserver's audit logs, when given.
	Reconciliation *evidence.Reconciliation `json:"reconciliation,omitempty"`
	Checks         []Check                  `json:"checks"`
	Configurations []Configuration          `json:"configurations"`
	Policies       []PolicyUse              `json:"policies"`
	CatalogDigest  string                   `json:"catalogDigest,omitempty"`
	Totals         Totals                   `json:"totals"`
	Daily          []DayCount               `json:"daily"`
	Exceptions     []ExceptionRecord        `json:"exceptions"`
	// Reviews are the policy reviews in force during the period, from the configs given.
	Reviews []ReviewInForce `json:"policyReviews"`
	// Changes are the changes of policy bundle or config digest in each replica's chain.
	Changes    []PolicyChange  `json:"policyChanges"`
	Gaps       []Gap           `json:"gaps"`
	Recoveries []RecoveryEvent `json:"recoveries"`
}

// Close removes the populations' spool files.
func (r *Report) Close() error {
	return errors.Join(r.Denials.Close(), r.Warnings.Close(), r.Errors.Close())
}

// Period is the requested period and the time of the first and last record found in it.
type Period struct {
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
}

// Check is one yes/no question an auditor asks of the evidence, with what answers no.
type Check struct {
	Name     string   `json:"name"`
	Passed   bool     `json:"passed"`
	Findings []string `json:"findings"`
}

// Configuration is one policy bundle and config file in force, and when.
type Configuration struct {
	PolicyDigest string `json:"policyDigest"`
	ConfigDigest string `json:"configDigest"`
	// ConfigSource names the config file with that digest, when it was given.
	ConfigSource string    `json:"configSource,omitempty"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Records      int       `json:"records"`
	Replicas     []string  `json:"replicas"`
}

// PolicyUse is one policy with the violations it found in the period, by action taken
// (deny, warn, audit, or waived by an exception).
type PolicyUse struct {
	ID            string         `json:"id"`
	Title         string         `json:"title,omitempty"`
	Severity      string         `json:"severity,omitempty"`
	Controls      []string       `json:"controls"`
	DefaultAction string         `json:"defaultAction,omitempty"`
	Violations    int            `json:"violations"`
	Actions       map[string]int `json:"actions"`
	Waived        int            `json:"waived"`
	// InForce is the action rule under each known config in force during the period.
	InForce []RuleInForce `json:"inForce"`
}

// RuleInForce is a policy's action rule under one config.
type RuleInForce struct {
	ConfigSource string `json:"configSource"`
	ConfigDigest string `json:"configDigest"`
	Rule         string `json:"rule"`
}

// Totals counts admission requests in the period.
type Totals struct {
	Requests   int              `json:"requests"`
	Decisions  map[string]int   `json:"decisions"`
	Exempt     int              `json:"exempt"`
	DryRun     int              `json:"dryRun"`
	Controls   []ControlTotal   `json:"controls"`
	Namespaces []NamespaceTotal `json:"namespaces"`
}

// ControlTotal counts requests with at least one finding of a SOC 2 control's policies, by
// the action the findings got (a request with a waived and a denied finding counts in both).
type ControlTotal struct {
	Control  string   `json:"control"`
	Policies []string `json:"policies"`
	Denied   int      `json:"denied"`
	Warned   int      `json:"warned"`
	Audited  int      `json:"audited"`
	Waived   int      `json:"waived"`
}

// NamespaceTotal counts the requests of one namespace ("" for cluster-scoped objects).
type NamespaceTotal struct {
	Namespace string `json:"namespace"`
	Requests  int    `json:"requests"`
	Allowed   int    `json:"allowed"`
	Warned    int    `json:"warned"`
	Denied    int    `json:"denied"`
	Errors    int    `json:"errors"`
}

// DayCount is one bar segment of the daily chart: requests on a day with a finding of a
// control.
type DayCount struct {
	Day     string `json:"day"`
	Control string `json:"control"`
	Count   int    `json:"count"`
}

// DecisionRow is one admission record of a population, flat for tables and CSV.
type DecisionRow struct {
	Time      time.Time `json:"time"`
	Replica   string    `json:"replica"`
	Seq       uint64    `json:"seq"`
	ID        string    `json:"id"`
	UID       string    `json:"uid"`
	Operation string    `json:"operation"`
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	User      string    `json:"user"`
	DryRun    bool      `json:"dryRun"`
	Decision  string    `json:"decision"`
	Policies  []string  `json:"policies"`
	Controls  []string  `json:"controls"`
	Messages  []string  `json:"messages"`
	Error     string    `json:"error,omitempty"`
	Source    string    `json:"source"`
}

// ExceptionRecord is one exception of the register and every use of it in the period.
type ExceptionRecord struct {
	ID          string         `json:"id"`
	Policies    []string       `json:"policies"`
	RequestedBy string         `json:"requestedBy"`
	ApprovedBy  string         `json:"approvedBy"`
	Expires     string         `json:"expires"`
	Uses        []ExceptionUse `json:"uses"`
}

// ExceptionUse is one violation an exception waived.
type ExceptionUse struct {
	Time      time.Time `json:"time"`
	RecordID  string    `json:"recordId"`
	Replica   string    `json:"replica"`
	Seq       uint64    `json:"seq"`
	Policy    string    `json:"policy"`
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	User      string    `json:"user"`
	Expired   bool      `json:"expired"`
	Source    string    `json:"source"`
}

// Gap is a silence in the evidence longer than the threshold: of every replica ("" replica),
// or of one replica's chain.
type Gap struct {
	Replica  string    `json:"replica,omitempty"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Duration string    `json:"duration"`
}

// RecoveryEvent is a recovery record: torn bytes moved aside, or records lost to failed
// writes.
type RecoveryEvent struct {
	Time     time.Time         `json:"time"`
	Replica  string            `json:"replica"`
	Source   string            `json:"source"`
	Recovery evidence.Recovery `json:"recovery"`
}

// MirrorLossEvent is a mirror-loss record.
type MirrorLossEvent struct {
	Time    time.Time           `json:"time"`
	Replica string              `json:"replica"`
	Source  string              `json:"source"`
	Loss    evidence.MirrorLoss `json:"mirrorLoss"`
}

// Check names, as the report prints them.
const (
	CheckIntact      = "evidence chains are intact"
	CheckNoGaps      = "no gap in the evidence"
	CheckNoLoss      = "no records lost to write failures or torn writes"
	CheckNotExpired  = "no expired exception was used"
	CheckNotSelfOKed = "no exception was approved by its requester"
)

// ParsePeriod reads the bounds of a period as given to `govhook evidence report`: an RFC 3339
// time, or a date meaning its start (from) or the start of the next day (to, so that the date
// is included). An empty bound leaves that side open.
func ParsePeriod(from, to string) (time.Time, time.Time, error) {
	f, err := periodBound(from, false)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--from: %w", err)
	}
	t, err := periodBound(to, true)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--to: %w", err)
	}
	if !f.IsZero() && !t.IsZero() && !t.After(f) {
		return time.Time{}, time.Time{}, errors.New("--to must be after --from")
	}
	return f, t, nil
}

func periodBound(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := config.ParseTime(s, end)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// Build verifies the chains under paths and builds the report of the period. The caller
// closes the report.
func Build(paths []string, o Options) (*Report, error) {
	if o.GapThreshold <= 0 {
		o.GapThreshold = DefaultGapThreshold
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	b := newReportBuilder(o)
	vo := o.Verify
	vo.Visit, vo.Archives = b.add, o.Archives
	v, err := evidence.Verify(context.Background(), paths, vo)
	if err != nil {
		return nil, errors.Join(err, b.r.Close())
	}
	var rc *evidence.Reconciliation
	if len(o.AuditLogs) > 0 {
		if rc, err = evidence.Reconcile(context.Background(), o.AuditLogs, paths, o.Archives); err != nil {
			return nil, errors.Join(err, b.r.Close())
		}
	}
	r, err := b.finish(v)
	if err != nil {
		return nil, errors.Join(err, b.r.Close())
	}
	r.Sources = slices.Clone(paths)
	r.Reconciliation = rc
	return r, nil
}

// ReplicaGap is a heartbeat gap of one replica's writer.
type ReplicaGap struct {
	Replica string
	evidence.HeartbeatGap
}

// heartbeatGaps lists every chain's heartbeat gaps, replica by replica.
func (r *Report) heartbeatGaps() []ReplicaGap {
	var out []ReplicaGap
	for _, c := range r.Verification.Chains {
		for _, g := range c.HeartbeatGaps {
			out = append(out, ReplicaGap{Replica: c.Replica, HeartbeatGap: g})
		}
	}
	return out
}

// reportBuilder accumulates records into a report.
type reportBuilder struct {
	o          Options
	r          *Report
	policies   map[string]*PolicyUse
	controls   map[string]*ControlTotal
	namespaces map[string]*NamespaceTotal
	daily      map[[2]string]int
	exceptions map[string]*ExceptionRecord
	configs    []*Configuration
	configIdx  map[[2]string]*Configuration
	digests    map[string][2]string // per replica: policy and config digest of its last admission
	byReplica  map[string][]int64   // per replica, the time of every record in the period (Unix ns)
}

func newReportBuilder(o Options) *reportBuilder {
	b := &reportBuilder{
		o: o,
		r: &Report{
			Summary: Summary{
				GeneratedAt: o.Now.UTC(),
				Period:      Period{From: o.From.UTC(), To: o.To.UTC()},
				Totals:      Totals{Decisions: map[string]int{}},
			},
			Denials:  newPopulation(o.TempDir, o.spoolRows),
			Warnings: newPopulation(o.TempDir, o.spoolRows),
			Errors:   newPopulation(o.TempDir, o.spoolRows),
		},
		policies:   map[string]*PolicyUse{},
		controls:   map[string]*ControlTotal{},
		namespaces: map[string]*NamespaceTotal{},
		daily:      map[[2]string]int{},
		exceptions: map[string]*ExceptionRecord{},
		configIdx:  map[[2]string]*Configuration{},
		byReplica:  map[string][]int64{},
		digests:    map[string][2]string{},
	}
	if o.Catalog != nil {
		b.r.CatalogDigest = o.Catalog.Digest()
		for _, p := range o.Catalog.Policies {
			b.policy(p.ID)
		}
	}
	return b
}

func (b *reportBuilder) inPeriod(t time.Time) bool {
	return (b.o.From.IsZero() || !t.Before(b.o.From)) && (b.o.To.IsZero() || t.Before(b.o.To))
}

// add takes one record from Verify.
func (b *reportBuilder) add(e evidence.Entry) {
	r := e.Record
	if !b.inPeriod(r.Time) {
		return
	}
	p := &b.r.Period
	if p.First.IsZero() || r.Time.Before(p.First) {
		p.First = r.Time
	}
	if r.Time.After(p.Last) {
		p.Last = r.Time
	}
	b.byReplica[r.Replica] = append(b.byReplica[r.Replica], r.Time.UnixNano())
	source := fmt.Sprintf("%s:%d", e.File, e.Line)
	switch r.Type {
	case evidence.TypeRecovery:
		if r.Recovery != nil {
			b.r.Recoveries = append(b.r.Recoveries, RecoveryEvent{Time: r.Time, Replica: r.Replica, Source: source, Recovery: *r.Recovery})
		}
	case evidence.TypeMirrorLoss:
		if r.MirrorLoss != nil {
			b.r.MirrorLosses = append(b.r.MirrorLosses, MirrorLossEvent{Time: r.Time, Replica: r.Replica, Source: source, Loss: *r.MirrorLoss})
		}
	case evidence.TypeAdmission:
		b.admission(r, source)
	}
}

// admission adds one admission record to each section it counts in.
func (b *reportBuilder) admission(r *evidence.Record, source string) {
	b.countTotals(r)
	b.countNamespace(r)
	b.countConfiguration(r)
	b.countChange(r, source)
	b.countPolicies(r)
	b.countControls(r)
	for _, x := range r.Exceptions {
		b.exceptionUse(r, x, source)
	}
	b.addToPopulation(r, source)
}

// countTotals counts the request in the totals by decision.
func (b *reportBuilder) countTotals(r *evidence.Record) {
	t := &b.r.Totals
	t.Requests++
	t.Decisions[string(r.Decision)]++
	if r.Exempt != "" {
		t.Exempt++
	}
	if r.DryRun {
		t.DryRun++
	}
}

// countNamespace counts the request in its namespace's totals.
func (b *reportBuilder) countNamespace(r *evidence.Record) {
	ns := b.namespaces[r.Namespace]
	if ns == nil {
		ns = &NamespaceTotal{Namespace: r.Namespace}
		b.namespaces[r.Namespace] = ns
	}
	ns.Requests++
	switch r.Decision {
	case decision.OutcomeAllow:
		ns.Allowed++
	case decision.OutcomeWarn:
		ns.Warned++
	case decision.OutcomeDeny:
		ns.Denied++
	default:
		ns.Errors++
	}
}

// countConfiguration extends the span of the policy bundle and config the record names.
func (b *reportBuilder) countConfiguration(r *evidence.Record) {
	key := [2]string{r.PolicyDigest, r.ConfigDigest}
	c := b.configIdx[key]
	if c == nil {
		c = &Configuration{PolicyDigest: r.PolicyDigest, ConfigDigest: r.ConfigDigest, From: r.Time, To: r.Time}
		b.configIdx[key] = c
		b.configs = append(b.configs, c)
	}
	c.Records++
	c.From, c.To = minTime(c.From, r.Time), maxTime(c.To, r.Time)
	if !slices.Contains(c.Replicas, r.Replica) {
		c.Replicas = append(c.Replicas, r.Replica)
	}
}

// countPolicies counts each finding against its policy.
func (b *reportBuilder) countPolicies(r *evidence.Record) {
	for _, f := range r.Violations {
		pu := b.policy(f.Policy)
		pu.Violations++
		pu.Actions[f.Action]++
		if f.Action == decision.ActionWaived {
			pu.Waived++
		}
		if len(pu.Controls) == 0 {
			pu.Controls = slices.Clone(f.Controls)
		}
		if pu.Severity == "" {
			pu.Severity = f.Severity
		}
	}
}

// countControls counts the request per SOC 2 control its findings map to, and per day.
// Per control, a request counts once per action however many of its findings match.
func (b *reportBuilder) countControls(r *evidence.Record) {
	actions := map[string]map[string]bool{} // control -> actions
	for _, f := range r.Violations {
		for _, ctl := range f.Controls {
			if actions[ctl] == nil {
				actions[ctl] = map[string]bool{}
			}
			actions[ctl][f.Action] = true
			ct := b.control(ctl)
			if !slices.Contains(ct.Policies, f.Policy) {
				ct.Policies = append(ct.Policies, f.Policy)
			}
		}
	}
	day := r.Time.UTC().Format(time.DateOnly)
	for ctl, as := range actions {
		ct := b.control(ctl)
		if as[policies.ActionDeny] {
			ct.Denied++
		}
		if as[policies.ActionWarn] {
			ct.Warned++
		}
		if as[policies.ActionAudit] {
			ct.Audited++
		}
		if as[decision.ActionWaived] {
			ct.Waived++
		}
		if as[policies.ActionDeny] || as[policies.ActionWarn] || as[policies.ActionAudit] {
			b.daily[[2]string{day, ctl}]++
		}
	}
}

// addToPopulation lists a denied, warned or refused request among the rows to sample from.
func (b *reportBuilder) addToPopulation(r *evidence.Record, source string) {
	if r.Decision != decision.OutcomeDeny && r.Decision != decision.OutcomeWarn && r.Decision != decision.OutcomeError {
		return
	}
	row := decisionRow(r, source)
	switch r.Decision {
	case decision.OutcomeDeny:
		b.r.Denials.add(row)
	case decision.OutcomeWarn:
		b.r.Warnings.add(row)
	case decision.OutcomeError:
		b.r.Errors.add(row)
	}
}

func (b *reportBuilder) policy(id string) *PolicyUse {
	if p := b.policies[id]; p != nil {
		return p
	}
	p := &PolicyUse{ID: id, Actions: map[string]int{}, Controls: []string{}, InForce: []RuleInForce{}}
	if b.o.Catalog != nil {
		if cp, ok := b.o.Catalog.Get(id); ok {
			p.Title, p.Severity, p.Controls, p.DefaultAction = cp.Title, cp.Severity, slices.Clone(cp.Controls), cp.Action
		}
	}
	b.policies[id] = p
	return p
}

func (b *reportBuilder) control(id string) *ControlTotal {
	if c := b.controls[id]; c != nil {
		return c
	}
	c := &ControlTotal{Control: id, Policies: []string{}}
	b.controls[id] = c
	return c
}

func (b *reportBuilder) exceptionUse(r *evidence.Record, x decision.AppliedException, source string) {
	reg := b.exceptions[x.ID]
	if reg == nil {
		reg = &ExceptionRecord{ID: x.ID, Policies: []string{}}
		b.exceptions[x.ID] = reg
	}
	// The register shows the exception as last recorded; each use keeps its own facts.
	reg.RequestedBy, reg.ApprovedBy, reg.Expires = x.RequestedBy, x.ApprovedBy, x.Expires
	if !slices.Contains(reg.Policies, x.Policy) {
		reg.Policies = append(reg.Policies, x.Policy)
	}
	// The same reading of expires as the decision's: a date runs to the end of that day, UTC.
	end, err := config.ParseExpiry(x.Expires)
	reg.Uses = append(reg.Uses, ExceptionUse{
		Time: r.Time, RecordID: r.ID, Replica: r.Replica, Seq: r.Seq, Policy: x.Policy, Kind: r.Kind,
		Namespace: r.Namespace, Name: r.Name, User: r.User.Username, Expired: err != nil || !r.Time.Before(end), Source: source,
	})
}

func decisionRow(r *evidence.Record, source string) DecisionRow {
	row := DecisionRow{
		Time: r.Time, Replica: r.Replica, Seq: r.Seq, ID: r.ID, UID: r.UID, Operation: r.Operation, Kind: r.Kind,
		Namespace: r.Namespace, Name: r.Name, User: r.User.Username, DryRun: r.DryRun, Decision: string(r.Decision),
		Policies: []string{}, Controls: []string{}, Messages: []string{}, Error: r.Error, Source: source,
	}
	for _, f := range r.Violations {
		if !slices.Contains(row.Policies, f.Policy) {
			row.Policies = append(row.Policies, f.Policy)
		}
		for _, c := range f.Controls {
			if !slices.Contains(row.Controls, c) {
				row.Controls = append(row.Controls, c)
			}
		}
		row.Messages = append(row.Messages, fmt.Sprintf("[%s] %s (%s)", f.Policy, f.Message, f.Action))
	}
	slices.Sort(row.Controls)
	return row
}

// finish orders what was gathered and answers the checks.
func (b *reportBuilder) finish(v *evidence.Verification) (*Report, error) {
	r := b.r
	r.Verification = v
	known := map[string]string{config.Default().Digest(): "built-in default"}
	configs := map[string]*config.Config{config.Default().Digest(): config.Default()}
	for _, name := range slices.Sorted(maps.Keys(b.o.Configs)) {
		c := b.o.Configs[name]
		known[c.Digest()], configs[c.Digest()] = name, c
	}
	for _, c := range b.configs {
		slices.Sort(c.Replicas)
		c.ConfigSource = known[c.ConfigDigest]
		r.Configurations = append(r.Configurations, *c)
	}
	slices.SortStableFunc(r.Configurations, func(a, b Configuration) int { return a.From.Compare(b.From) })
	b.finishGovernance(configs, known)
	for _, p := range b.policies {
		if b.o.Catalog != nil {
			if cp, ok := b.o.Catalog.Get(p.ID); ok {
				seen := map[string]bool{}
				for _, c := range r.Configurations {
					if cfg := configs[c.ConfigDigest]; cfg != nil && !seen[c.ConfigDigest] {
						seen[c.ConfigDigest] = true
						p.InForce = append(p.InForce, RuleInForce{ConfigSource: c.ConfigSource, ConfigDigest: c.ConfigDigest, Rule: decision.ActionRule(cp, cfg)})
					}
				}
			}
		}
		r.Policies = append(r.Policies, *p)
	}
	slices.SortFunc(r.Policies, func(a, b PolicyUse) int {
		return cmp.Or(cmp.Compare(b.Violations, a.Violations), strings.Compare(a.ID, b.ID))
	})
	for _, id := range slices.Sorted(maps.Keys(b.controls)) {
		c := b.controls[id]
		slices.Sort(c.Policies)
		r.Totals.Controls = append(r.Totals.Controls, *c)
	}
	for _, n := range b.namespaces {
		r.Totals.Namespaces = append(r.Totals.Namespaces, *n)
	}
	slices.SortFunc(r.Totals.Namespaces, func(a, b NamespaceTotal) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), strings.Compare(a.Namespace, b.Namespace))
	})
	for k, n := range b.daily {
		r.Daily = append(r.Daily, DayCount{Day: k[0], Control: k[1], Count: n})
	}
	slices.SortFunc(r.Daily, func(a, b DayCount) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.Control, b.Control))
	})
	for _, id := range slices.Sorted(maps.Keys(b.exceptions)) {
		x := b.exceptions[id]
		slices.Sort(x.Policies)
		r.Exceptions = append(r.Exceptions, *x)
	}
	r.Gaps = b.gaps()
	r.Checks = b.checks()
	for _, p := range []*Population{r.Denials, r.Warnings, r.Errors} {
		if err := p.finish(); err != nil {
			return nil, err
		}
	}
	if r.Configurations == nil {
		r.Configurations = []Configuration{}
	}
	if r.Exceptions == nil {
		r.Exceptions = []ExceptionRecord{}
	}
	if r.Recoveries == nil {
		r.Recoveries = []RecoveryEvent{}
	}
	if r.MirrorLosses == nil {
		r.MirrorLosses = []MirrorLossEvent{}
	}
	if r.Reviews == nil {
		r.Reviews = []ReviewInForce{}
	}
	if r.Changes == nil {
		r.Changes = []PolicyChange{}
	}
	if r.Daily == nil {
		r.Daily = []DayCount{}
	}
	if r.Totals.Controls == nil {
		r.Totals.Controls = []ControlTotal{}
	}
	if r.Totals.Namespaces == nil {
		r.Totals.Namespaces = []NamespaceTotal{}
	}
	return r, nil
}

// gaps finds silences longer than the threshold: with no record from any replica (also at
// the edges of a bounded period), and inside each replica's chain.
func (b *reportBuilder) gaps() []Gap {
	out := []Gap{}
	var all []int64
	for _, times := range b.byReplica {
		all = append(all, times...)
	}
	slices.Sort(all)
	start, end := b.o.From, b.o.To
	if !end.IsZero() && end.After(b.o.Now) {
		end = b.o.Now
	}
	threshold := int64(b.o.GapThreshold)
	if len(all) == 0 {
		if !start.IsZero() && !end.IsZero() && end.Sub(start) > b.o.GapThreshold {
			out = append(out, b.gap("", start, end))
		}
		return out
	}
	if !start.IsZero() && all[0]-start.UnixNano() > threshold {
		out = append(out, b.gap("", start, time.Unix(0, all[0])))
	}
	out = append(out, b.silences("", all)...)
	if last := all[len(all)-1]; !end.IsZero() && end.UnixNano()-last > threshold {
		out = append(out, b.gap("", time.Unix(0, last), end))
	}
	global := map[[2]time.Time]bool{}
	for _, g := range out {
		global[[2]time.Time{g.From, g.To}] = true
	}
	for _, replica := range slices.Sorted(maps.Keys(b.byReplica)) {
		times := b.byReplica[replica]
		slices.Sort(times)
		for _, g := range b.silences(replica, times) {
			if !global[[2]time.Time{g.From, g.To}] { // already listed as a silence of all replicas
				out = append(out, g)
			}
		}
	}
	return out
}

func (b *reportBuilder) silences(replica string, times []int64) []Gap {
	var out []Gap
	for i := 1; i < len(times); i++ {
		if times[i]-times[i-1] > int64(b.o.GapThreshold) {
			out = append(out, b.gap(replica, time.Unix(0, times[i-1]), time.Unix(0, times[i])))
		}
	}
	return out
}

func (b *reportBuilder) gap(replica string, from, to time.Time) Gap {
	return Gap{Replica: replica, From: from.UTC(), To: to.UTC(), Duration: to.Sub(from).Round(time.Second).String()}
}

func (b *reportBuilder) checks() []Check {
	r := b.r
	intact := Check{Name: CheckIntact, Findings: []string{}}
	for _, br := range r.Verification.Breaks {
		intact.Findings = append(intact.Findings, br.String())
	}
	gaps := Check{Name: fmt.Sprintf("%s longer than %s", CheckNoGaps, b.o.GapThreshold), Findings: []string{}}
	for _, g := range r.Gaps {
		who := "all replicas"
		if g.Replica != "" {
			who = g.Replica
		}
		gaps.Findings = append(gaps.Findings, fmt.Sprintf("%s: no record from %s to %s (%s)", who, evidence.Stamp(g.From), evidence.Stamp(g.To), g.Duration))
	}
	loss := Check{Name: CheckNoLoss, Findings: []string{}}
	for _, e := range r.Recoveries {
		if e.Recovery.Lost > 0 {
			loss.Findings = append(loss.Findings, fmt.Sprintf("%s: %d records not made durable from %s to %s (%s)",
				e.Source, e.Recovery.Lost, evidence.Stamp(e.Recovery.LostFrom), evidence.Stamp(e.Recovery.LostTo), e.Recovery.Error))
		}
		if e.Recovery.UnconfirmedFirst > 0 {
			loss.Findings = append(loss.Findings, fmt.Sprintf("%s: records seq %d-%d reached the disk, but their requests were told the write failed",
				e.Source, e.Recovery.UnconfirmedFirst, e.Recovery.UnconfirmedLast))
		}
		if e.Recovery.Quarantine != "" {
			loss.Findings = append(loss.Findings, fmt.Sprintf("%s: %d torn bytes moved to %s (%s)",
				e.Source, e.Recovery.QuarantineBytes, e.Recovery.Quarantine, e.Recovery.Reason))
		}
	}
	expired := Check{Name: CheckNotExpired, Findings: []string{}}
	self := Check{Name: CheckNotSelfOKed, Findings: []string{}}
	for _, x := range r.Exceptions {
		for _, u := range x.Uses {
			if u.Expired {
				expired.Findings = append(expired.Findings, fmt.Sprintf("%s (expires %q) waived %s for %s %s/%s at %s, record %s",
					x.ID, x.Expires, u.Policy, u.Kind, u.Namespace, u.Name, evidence.Stamp(u.Time), u.Source))
			}
		}
		switch req, ok := strings.TrimSpace(x.RequestedBy), strings.TrimSpace(x.ApprovedBy); {
		case ok == "":
			self.Findings = append(self.Findings, fmt.Sprintf("%s has no approver on record", x.ID))
		case req == "":
			self.Findings = append(self.Findings, fmt.Sprintf("%s has no requester on record, so self-approval cannot be ruled out", x.ID))
		case strings.EqualFold(req, ok):
			self.Findings = append(self.Findings, fmt.Sprintf("%s was requested and approved by %s", x.ID, ok))
		}
	}
	out := []Check{intact, gaps, loss, expired, self}
	for i := range out {
		out[i].Passed = len(out[i].Findings) == 0
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
