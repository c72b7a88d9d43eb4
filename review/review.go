// Package review runs one admission request through the path the webhook, the offline CLI and
// the cluster scan share: input.Build, then Engine.Evaluate, then decision.Decide. Sharing it
// is what keeps the three from ever disagreeing.
package review

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/policies"
)

// Clock tells the time; tests pass a fixed one.
type Clock func() time.Time

// Reviewer evaluates requests against one engine and the config in force. It is safe for
// concurrent use; SetConfig swaps the config atomically.
type Reviewer struct {
	engine *policies.Engine
	config atomic.Pointer[config.Config]
	now    Clock
}

// Result is the outcome of one review with everything that follows from it: what its evidence
// record must name and the config it was made under. A caller acts on the Result alone, never
// on the Reviewer's config, which a hot reload may have swapped since.
type Result struct {
	Decision decision.Decision
	// Basis is the time, the digests and the namespace knowledge the decision was made under.
	evidence.Basis
	// Config is the config the decision was made under.
	Config *config.Config
	// Evaluation is the time spent in the engine (zero when the request was exempt).
	Evaluation time.Duration
}

// New returns a Reviewer; now may be nil for the wall clock.
func New(engine *policies.Engine, cfg *config.Config, now Clock) *Reviewer {
	if now == nil {
		now = time.Now
	}
	r := &Reviewer{engine: engine, now: now}
	r.config.Store(cfg)
	return r
}

// SetConfig puts cfg in force for every later review.
func (r *Reviewer) SetConfig(cfg *config.Config) { r.config.Store(cfg) }

// Config is the config in force.
func (r *Reviewer) Config() *config.Config { return r.config.Load() }

// Engine is the engine reviews run on.
func (r *Reviewer) Engine() *policies.Engine { return r.engine }

// ServiceAccounts finds the ServiceAccount a pod will run as. ServiceAccount returns nil when
// it does not know the account (not in the cache yet, not among the manifests): policies then
// judge the pod alone, as strictly as without the account.
type ServiceAccounts interface {
	ServiceAccount(ctx context.Context, namespace, name string) *input.ServiceAccount
}

// Review decides one request. ns is the request's namespace metadata, nil when unknown; for a
// Namespace object itself, the object's own metadata is used instead. accounts, when not nil,
// gives the ServiceAccount a pod-bearing object's pod will run as. An error means the request
// could not be evaluated; the returned Result then carries decision.OutcomeError and must not
// be admitted.
func (r *Reviewer) Review(ctx context.Context, req *admissionv1.AdmissionRequest, ns *input.Namespace, accounts ServiceAccounts) (Result, error) {
	cfg := r.config.Load()
	res := r.result(cfg, r.now())
	ns = namespaceOf(req, ns)
	if req.Namespace != "" || input.IsNamespace(req) {
		known := ns != nil
		res.NamespaceKnown = &known
	}
	facts := requestFacts(req, ns)
	if d, exempt := decision.Exempt(cfg, facts); exempt {
		res.Decision = d
		return res, nil
	}
	var sa *input.ServiceAccount
	if accounts != nil {
		if name, ok := input.PodServiceAccountName(req); ok {
			sa = accounts.ServiceAccount(ctx, req.Namespace, name)
		}
	}
	doc, err := input.Build(req, ns, sa, cfg.Parameters)
	if err != nil {
		res.Decision = decision.Decision{Outcome: decision.OutcomeError}
		return res, fmt.Errorf("build policy input: %w", err)
	}
	start := time.Now()
	violations, err := r.engine.Evaluate(ctx, req.Kind.Kind, req.Object.Raw, doc)
	res.Evaluation = time.Since(start)
	if err != nil {
		res.Decision = decision.Decision{Outcome: decision.OutcomeError}
		return res, err
	}
	res.Decision = decision.Decide(violations, cfg, facts, res.Time)
	return res, nil
}

// Refused is the Result of a request refused before it could be reviewed (an unreadable
// review, a missing object, a panic), at the given time, under the config in force.
func (r *Reviewer) Refused(at time.Time) Result {
	res := r.result(r.config.Load(), at)
	res.Decision = decision.Decision{Outcome: decision.OutcomeError}
	return res
}

func (r *Reviewer) result(cfg *config.Config, at time.Time) Result {
	return Result{
		Basis:  evidence.Basis{Time: at, PolicyDigest: r.engine.Catalog().Digest(), ConfigDigest: cfg.Digest()},
		Config: cfg,
	}
}

// Facts are what decision.Decide needs to know of a request besides its violations. The
// namespace of a Namespace object is the object itself: its own name and labels count.
func Facts(req *admissionv1.AdmissionRequest, ns *input.Namespace) decision.Request {
	return requestFacts(req, namespaceOf(req, ns))
}

// namespaceOf is the namespace a request is judged in: for a Namespace, the object itself
// (its old version on DELETE), nil when it does not decode; for anything else ns, the
// request's namespace as looked up.
func namespaceOf(req *admissionv1.AdmissionRequest, ns *input.Namespace) *input.Namespace {
	if input.IsNamespace(req) {
		return input.SelfNamespace(req)
	}
	return ns
}

// requestFacts builds the facts of req judged in ns (already resolved by namespaceOf).
func requestFacts(req *admissionv1.AdmissionRequest, ns *input.Namespace) decision.Request {
	facts := decision.Request{
		Namespace: req.Namespace,
		Kind:      req.Kind.Kind,
		Name:      req.Name,
		Username:  req.UserInfo.Username,
		Groups:    req.UserInfo.Groups,
	}
	if input.IsNamespace(req) && req.Name != "" {
		facts.Namespace = req.Name
	}
	if ns != nil {
		facts.NamespaceLabels, facts.NamespaceKnown = ns.Labels, true
	}
	return facts
}
