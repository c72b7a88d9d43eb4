package policies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// ErrEvaluation marks a failure to evaluate the catalog (a built-in error, a bad rule result);
// callers must never admit a request on it.
var ErrEvaluation = errors.New("policy evaluation failed")

// Violation is one breach of one policy, as the policy reported it.
type Violation struct {
	// Policy is the policy that reported the violation, as the engine evaluated it: decisions
	// read its severity, controls and action from here, never from a second lookup.
	Policy  *Policy `json:"-"`
	Message string  `json:"message"`
	Field   string  `json:"field,omitempty"`
	// Advisory marks a violation from the policy's warn rule: never more than a warning.
	Advisory bool `json:"advisory,omitempty"`
}

// Engine evaluates a fixed selection of the catalog. It is safe for concurrent use.
//
// Each request is evaluated with one prepared query, chosen for the request: it holds only the
// policies that judge the object's kind (METADATA kinds) and, of the policies that declare
// triggers, only those whose trigger appears in the object's JSON. OPA costs ~4-8 µs and ~20
// allocations per evaluated policy before the policy does any work, so a policy that cannot
// apply is one that must not be evaluated. Queries are prepared once per kind and trigger set
// and kept. The violations of the policies a kind always evaluates (their deny rules, or
// their _violations for those that split them by lib/update.rego) are inlined into one
// generated module (see aggregate), so that fixed cost is paid once for all of them.
type Engine struct {
	catalog  *Catalog
	selected []Policy
	compiler *ast.Compiler
	store    storage.Store // empty: policies read only input and their own rules
	byKind   map[string]*kindPlan
	anyKind  *kindPlan // policies of kind "*" alone, for kinds no policy names; nil if none
}

// maxQueriesPerKind bounds the prepared queries kept per kind; past it, a request uses the
// query over all of the kind's policies (correct, only slower).
const maxQueriesPerKind = 256

// kindPlan holds the policies of one kind and the queries prepared for it so far, keyed by
// the set of triggered policies present (bit i = triggered[i]).
type kindPlan struct {
	always    []Policy   // policies without triggers, evaluated for every request of the kind
	triggered []Policy   // policies evaluated only when one of their triggers is present
	patterns  [][][]byte // the triggers of each triggered policy
	agg       *aggregate // the always-evaluated policies, inlined as far as possible; nil if none
	full      *kindQuery // every policy of the kind
	mu        sync.Mutex
	queries   map[uint64]*kindQuery
}

// kindQuery is a compiled query over a set of policies: deny[i] (and warn[i] for a policy
// that warns, else "") name the query variables bound to policies[i]'s rules.
type kindQuery struct {
	agg      *aggregate // bound to variable "a" when not nil
	policies []Policy
	body     ast.Body
	compiler ast.QueryCompiler
	deny     []ast.Var
	warn     []ast.Var
}

// NewEngine compiles the catalog in strict mode (built-in errors are errors, never undefined)
// and prepares, for every kind the selected policies judge, the query over all its policies
// and the one without any triggered policy.
func NewEngine(ctx context.Context, catalog *Catalog, selected []Policy) (*Engine, error) {
	return newEngine(ctx, catalog, selected, true)
}

// newEngine is NewEngine; with inline false it evaluates every policy by reference (no
// aggregate), the plain path the inlined one is tested against.
func newEngine(ctx context.Context, catalog *Catalog, selected []Policy, inline bool) (*Engine, error) {
	if len(selected) == 0 {
		return nil, errors.New("no policies selected")
	}
	e := &Engine{catalog: catalog, selected: slices.Clone(selected), store: inmem.New(), byKind: map[string]*kindPlan{}}
	var everyKind []Policy
	kinds := map[string][]Policy{}
	for _, p := range e.selected {
		for _, k := range p.Kinds {
			if k == AnyKind {
				everyKind = append(everyKind, p)
				continue
			}
			kinds[k] = append(kinds[k], p)
		}
	}
	for kind, ps := range kinds {
		e.byKind[kind] = split(append(ps, everyKind...))
	}
	if len(everyKind) > 0 {
		e.anyKind = split(everyKind)
	}
	// One aggregate per distinct set of always-evaluated policies (the pod-bearing kinds
	// share theirs), compiled with the catalog.
	modules := maps.Clone(catalog.modules)
	aggs := map[string]*aggregate{}
	for _, kp := range e.plans() {
		key := policyKey(kp.always)
		a, seen := aggs[key]
		if !seen && inline {
			a = newAggregate("a"+strconv.Itoa(len(aggs)), catalog.modules, kp.always)
			aggs[key] = a
			if a != nil {
				if err := a.covers(kp.always); err != nil {
					return nil, err
				}
				modules[a.module.Package.Location.File] = a.module
			}
		}
		kp.agg = a
	}
	e.compiler = ast.NewCompiler().WithStrict(true)
	e.compiler.Compile(modules)
	if e.compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", e.compiler.Errors)
	}
	for _, kp := range e.plans() {
		if err := e.prepareKind(ctx, kp); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// plans lists every kind plan of the engine.
func (e *Engine) plans() []*kindPlan {
	out := slices.Collect(maps.Values(e.byKind))
	if e.anyKind != nil {
		out = append(out, e.anyKind)
	}
	return out
}

func policyKey(ps []Policy) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return strings.Join(ids, ",")
}

// split splits a kind's policies into those always evaluated and those behind triggers.
func split(ps []Policy) *kindPlan {
	ps = sortedUnique(ps)
	kp := &kindPlan{queries: map[uint64]*kindQuery{}}
	for _, p := range ps {
		if len(p.Triggers) == 0 || len(kp.triggered) == 64 {
			kp.always = append(kp.always, p)
			continue
		}
		kp.triggered = append(kp.triggered, p)
		pats := make([][]byte, len(p.Triggers))
		for i, t := range p.Triggers {
			pats[i] = []byte(t)
		}
		kp.patterns = append(kp.patterns, pats)
	}
	return kp
}

// prepareKind prepares the two queries every kind needs: over all its policies, and over
// those without triggers.
func (e *Engine) prepareKind(ctx context.Context, kp *kindPlan) error {
	var err error
	if kp.full, err = e.prepare(ctx, kp, kp.triggered); err != nil {
		return err
	}
	all := uint64(1)<<len(kp.triggered) - 1
	kp.queries[all] = kp.full
	if len(kp.triggered) > 0 && len(kp.always) > 0 {
		if kp.queries[0], err = e.prepare(ctx, kp, nil); err != nil {
			return err
		}
	}
	return nil
}

// query returns the prepared query for the policies the object can trigger; nil when no
// policy applies.
func (e *Engine) query(ctx context.Context, kp *kindPlan, object []byte) (*kindQuery, error) {
	var mask uint64
	if len(kp.patterns) > 0 {
		object = triggerText(object)
	}
	for i, pats := range kp.patterns {
		for _, pat := range pats {
			if bytes.Contains(object, pat) {
				mask |= 1 << i
				break
			}
		}
	}
	if mask == 0 && len(kp.always) == 0 {
		return nil, nil
	}
	kp.mu.Lock()
	q, ok := kp.queries[mask]
	full := len(kp.queries) >= maxQueriesPerKind
	kp.mu.Unlock()
	if ok {
		return q, nil
	}
	if full {
		return kp.full, nil
	}
	var ps []Policy
	for i, p := range kp.triggered {
		if mask&(1<<i) != 0 {
			ps = append(ps, p)
		}
	}
	q, err := e.prepare(ctx, kp, ps)
	if err != nil {
		return nil, err
	}
	kp.mu.Lock()
	kp.queries[mask] = q
	kp.mu.Unlock()
	return q, nil
}

func sortedUnique(ps []Policy) []Policy {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b Policy) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(ps, func(a, b Policy) bool { return a.ID == b.ID })
}

// prepare compiles the query over kp's always-evaluated policies and triggered:
// "a = data.govhook_engine.<agg>.v" for the policies inlined into the kind's aggregate, then
// "p0 = data.<pkg0>.deny; p1 = data.<pkg1>.deny; ..." for the others, with
// "w<i> = data.<pkg>.warn" for the policies that have a warn rule, in strict mode.
func (e *Engine) prepare(_ context.Context, kp *kindPlan, triggered []Policy) (*kindQuery, error) {
	ps := triggered
	var terms []string
	kq := &kindQuery{agg: kp.agg}
	if a := kp.agg; a != nil {
		if a.plain {
			terms = append(terms, "a = "+a.pkg+".v")
		}
		if a.updates {
			terms = append(terms, "ad = "+a.pkg+".d", "aw = "+a.pkg+".w")
		}
		ps = append(slices.Clone(a.rest), ps...)
	} else {
		ps = append(slices.Clone(kp.always), ps...)
	}
	ps = sortedUnique(ps)
	kq.policies, kq.deny, kq.warn = ps, make([]ast.Var, len(ps)), make([]ast.Var, len(ps))
	for i, p := range ps {
		kq.deny[i] = ast.Var("p" + strconv.Itoa(i))
		terms = append(terms, fmt.Sprintf("%s = data.%s.deny", kq.deny[i], p.Package))
		if p.Warns {
			kq.warn[i] = ast.Var("w" + strconv.Itoa(i))
			terms = append(terms, fmt.Sprintf("%s = data.%s.warn", kq.warn[i], p.Package))
		}
	}
	body, err := ast.ParseBodyWithOpts(strings.Join(terms, "; "), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, fmt.Errorf("prepare policy query: %w", err)
	}
	kq.compiler = e.compiler.QueryCompiler()
	if kq.body, err = kq.compiler.Compile(body); err != nil {
		return nil, fmt.Errorf("prepare policy query: %w", err)
	}
	return kq, nil
}

// Catalog is the catalog the engine was built from.
func (e *Engine) Catalog() *Catalog { return e.catalog }

// Selected lists the policies the engine evaluates, in id order.
func (e *Engine) Selected() []Policy { return e.selected }

// Evaluate runs the selected policies that can apply to an object of kind whose JSON is
// object (the request's object as sent; nil when there is none) against input (the policy
// input as an AST value), and returns the violations sorted by policy id, then message.
func (e *Engine) Evaluate(ctx context.Context, kind string, object []byte, input ast.Value) ([]Violation, error) {
	kp := e.byKind[kind]
	if kp == nil {
		kp = e.anyKind
	}
	if kp == nil {
		return nil, nil
	}
	q, err := e.query(ctx, kp, object)
	if err != nil || q == nil {
		return nil, err
	}
	// The query runs on topdown directly: rego.PreparedEvalQuery.Eval would convert every
	// binding (one set per policy) to Go values and wrap each query term in a result, about
	// a tenth of a request's allocations; the violations are read from the AST here instead.
	txn, err := e.store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	defer e.store.Abort(ctx, txn)
	var results int
	var out []Violation
	err = topdown.NewQuery(q.body).
		WithQueryCompiler(q.compiler).
		WithCompiler(e.compiler).
		WithStore(e.store).
		WithTransaction(txn).
		WithInput(ast.NewTerm(input)).
		WithIndexing(true).
		WithEarlyExit(true).
		WithStrictBuiltinErrors(true).
		Iter(ctx, func(qr topdown.QueryResult) error {
			results++
			if a := q.agg; a != nil {
				var err error
				if a.plain {
					if out, err = collectAggregate(out, a, qr, "a", false); err != nil {
						return err
					}
				}
				if a.updates {
					if out, err = collectAggregate(out, a, qr, "ad", false); err != nil {
						return err
					}
					if out, err = collectAggregate(out, a, qr, "aw", true); err != nil {
						return err
					}
				}
			}
			for i := range q.policies {
				p := &q.policies[i]
				var err error
				if out, err = collect(out, p, qr, q.deny[i], false); err != nil {
					return err
				}
				if q.warn[i] != "" {
					if out, err = collect(out, p, qr, q.warn[i], true); err != nil {
						return err
					}
				}
			}
			return nil
		})
	if err != nil {
		if errors.Is(err, ErrEvaluation) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	if results != 1 {
		return nil, fmt.Errorf("%w: query returned %d results, want 1", ErrEvaluation, results)
	}
	slices.SortFunc(out, func(a, b Violation) int {
		if c := strings.Compare(a.Policy.ID, b.Policy.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return out, nil
}

var (
	msgKey   = ast.InternedTerm("msg")
	fieldKey = ast.InternedTerm("field")
)

// collect appends the violations of p's rule bound to v in qr: a set of {"msg", "field"}.
func collect(out []Violation, p *Policy, qr topdown.QueryResult, v ast.Var, advisory bool) ([]Violation, error) {
	set, err := boundSet(qr, v, p.ID)
	if err != nil {
		return out, err
	}
	set.Until(func(item *ast.Term) bool {
		var v *Violation
		if v, err = violation(p, item, advisory); err != nil {
			return true
		}
		out = append(out, *v)
		return false
	})
	return out, err
}

// boundSet is the set bound to v in qr; what names the rule's owner in the error when it
// is unbound or not a set (the engine fails closed on either).
func boundSet(qr topdown.QueryResult, v ast.Var, what string) (ast.Set, error) {
	t := qr[v]
	if t == nil {
		return nil, fmt.Errorf("%w: %s (%s) is unbound", ErrEvaluation, what, v)
	}
	set, ok := t.Value.(ast.Set)
	if !ok {
		return nil, fmt.Errorf("%w: %s (%s) is not a set", ErrEvaluation, what, v)
	}
	return set, nil
}

// violation reads one {"msg", "field"} that p reported.
func violation(p *Policy, item *ast.Term, advisory bool) (*Violation, error) {
	obj, _ := item.Value.(ast.Object)
	var msg, field ast.String
	if obj != nil {
		if m := obj.Get(msgKey); m != nil {
			msg, _ = m.Value.(ast.String)
		}
		if f := obj.Get(fieldKey); f != nil {
			field, _ = f.Value.(ast.String)
		}
	}
	if msg == "" {
		return nil, fmt.Errorf("%w: %s produced a violation without msg", ErrEvaluation, p.ID)
	}
	return &Violation{Policy: p, Message: string(msg), Field: string(field), Advisory: advisory}, nil
}

// collectAggregate appends the violations of the aggregate's rule bound to v in qr: a set of
// [i, {"msg", "field"}] for violations of agg.inlined[i].
func collectAggregate(out []Violation, agg *aggregate, qr topdown.QueryResult, v ast.Var, advisory bool) ([]Violation, error) {
	set, err := boundSet(qr, v, "aggregate "+agg.pkg)
	if err != nil {
		return out, err
	}
	set.Until(func(item *ast.Term) bool {
		n := -1
		if pair, ok := item.Value.(*ast.Array); ok && pair.Len() == 2 {
			if num, ok := pair.Elem(0).Value.(ast.Number); ok {
				if i, ok := num.Int(); ok && i >= 0 && i < len(agg.inlined) {
					n = i
				}
			}
		}
		if n < 0 {
			err = fmt.Errorf("%w: aggregate %s (%s) holds %v", ErrEvaluation, agg.pkg, v, item)
			return true
		}
		var found *Violation
		if found, err = violation(&agg.inlined[n], item.Value.(*ast.Array).Elem(1), advisory); err != nil {
			return true
		}
		out = append(out, *found)
		return false
	})
	return out, err
}

// LibPodKinds returns the kinds lib/pods.rego knows a pod spec place for, sorted.
func LibPodKinds(ctx context.Context, catalog *Catalog) ([]string, error) {
	compiler := ast.NewCompiler()
	compiler.Compile(catalog.modules)
	if compiler.Failed() {
		return nil, compiler.Errors
	}
	rs, err := rego.New(rego.Query("x = object.keys(data.lib.pods._places)"), rego.Compiler(compiler)).Eval(ctx)
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("read lib.pods kinds: %w", err)
	}
	var kinds []string
	for _, k := range rs[0].Bindings["x"].([]any) {
		kinds = append(kinds, k.(string))
	}
	slices.Sort(kinds)
	return kinds, nil
}

// Embedded loads the embedded catalog and builds an engine over the policies that selectors
// name (ids or groups; none selects the whole catalog): the start every command shares.
func Embedded(ctx context.Context, selectors ...string) (*Engine, error) {
	return EmbeddedSelection(ctx, Selection{Only: selectors})
}

// EmbeddedSelection is Embedded for a selection that may also leave policies out (--skip).
func EmbeddedSelection(ctx context.Context, sel Selection) (*Engine, error) {
	catalog, err := LoadCatalog(Files)
	if err != nil {
		return nil, fmt.Errorf("load policy catalog: %w", err)
	}
	selected, err := catalog.Choose(sel)
	if err != nil {
		return nil, err
	}
	return NewEngine(ctx, catalog, selected)
}
