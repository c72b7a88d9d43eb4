package policies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
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
// and kept.
type Engine struct {
	catalog  *Catalog
	selected []Policy
	compiler *ast.Compiler
	byKind   map[string]*kindPlan
	anyKind  *kindPlan // policies of kind "*" alone, for kinds no policy names; nil if none
}

// noMetrics skips OPA's per-evaluation timers: govhook measures evaluation itself.
var noMetrics = metrics.NoOp()

// maxQueriesPerKind bounds the prepared queries kept per kind; past it, a request uses the
// query over all of the kind's policies (correct, only slower).
const maxQueriesPerKind = 256

// kindPlan holds the policies of one kind and the queries prepared for it so far, keyed by
// the set of triggered policies present (bit i = triggered[i]).
type kindPlan struct {
	always    []Policy   // policies without triggers, evaluated for every request of the kind
	triggered []Policy   // policies evaluated only when one of their triggers is present
	patterns  [][][]byte // the triggers of each triggered policy
	full      *kindQuery // every policy of the kind
	mu        sync.Mutex
	queries   map[uint64]*kindQuery
}

// kindQuery is a prepared query over a set of policies.
type kindQuery struct {
	policies []Policy
	query    rego.PreparedEvalQuery
}

// NewEngine compiles the catalog in strict mode (built-in errors are errors, never undefined)
// and prepares, for every kind the selected policies judge, the query over all its policies
// and the one without any triggered policy.
func NewEngine(ctx context.Context, catalog *Catalog, selected []Policy) (*Engine, error) {
	if len(selected) == 0 {
		return nil, errors.New("no policies selected")
	}
	compiler := ast.NewCompiler().WithStrict(true)
	compiler.Compile(catalog.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", compiler.Errors)
	}
	e := &Engine{catalog: catalog, selected: slices.Clone(selected), compiler: compiler, byKind: map[string]*kindPlan{}}
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
	var err error
	for kind, ps := range kinds {
		if e.byKind[kind], err = e.plan(ctx, append(ps, everyKind...)); err != nil {
			return nil, err
		}
	}
	if len(everyKind) > 0 {
		if e.anyKind, err = e.plan(ctx, everyKind); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// plan splits a kind's policies into those always evaluated and those behind triggers, and
// prepares the two queries every kind needs.
func (e *Engine) plan(ctx context.Context, ps []Policy) (*kindPlan, error) {
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
	var err error
	if kp.full, err = prepare(ctx, e.compiler, ps); err != nil {
		return nil, err
	}
	all := uint64(1)<<len(kp.triggered) - 1
	kp.queries[all] = kp.full
	if len(kp.triggered) > 0 && len(kp.always) > 0 {
		if kp.queries[0], err = prepare(ctx, e.compiler, kp.always); err != nil {
			return nil, err
		}
	}
	return kp, nil
}

// query returns the prepared query for the policies the object can trigger; nil when no
// policy applies.
func (e *Engine) query(ctx context.Context, kp *kindPlan, object []byte) (*kindQuery, error) {
	var mask uint64
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
	ps := slices.Clone(kp.always)
	for i, p := range kp.triggered {
		if mask&(1<<i) != 0 {
			ps = append(ps, p)
		}
	}
	q, err := prepare(ctx, e.compiler, sortedUnique(ps))
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

// prepare makes the query "p0 = data.<pkg0>.deny; p1 = data.<pkg1>.deny; ...", with
// "w<i> = data.<pkg>.warn" for the policies that have a warn rule.
func prepare(ctx context.Context, compiler *ast.Compiler, ps []Policy) (*kindQuery, error) {
	terms := make([]string, 0, len(ps))
	for i, p := range ps {
		terms = append(terms, fmt.Sprintf("p%d = data.%s.deny", i, p.Package))
		if p.Warns {
			terms = append(terms, fmt.Sprintf("w%d = data.%s.warn", i, p.Package))
		}
	}
	prepared, err := rego.New(
		rego.Query(strings.Join(terms, "; ")),
		rego.Compiler(compiler),
		rego.Strict(true),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare policy query: %w", err)
	}
	return &kindQuery{policies: ps, query: prepared}, nil
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
	rs, err := q.query.Eval(ctx, rego.EvalParsedInput(input), rego.EvalMetrics(noMetrics))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%w: query returned %d results, want 1", ErrEvaluation, len(rs))
	}
	var out []Violation
	var err2 error
	collect := func(p *Policy, binding string, advisory bool) {
		set, ok := rs[0].Bindings[binding].([]any)
		if !ok {
			err2 = fmt.Errorf("%w: %s %s is not a set", ErrEvaluation, p.ID, binding)
			return
		}
		for _, item := range set {
			obj, _ := item.(map[string]any)
			msg, _ := obj["msg"].(string)
			field, _ := obj["field"].(string)
			if msg == "" {
				err2 = fmt.Errorf("%w: %s produced a violation without msg", ErrEvaluation, p.ID)
				return
			}
			out = append(out, Violation{Policy: p, Message: msg, Field: field, Advisory: advisory})
		}
	}
	for i := range q.policies {
		p := &q.policies[i]
		collect(p, "p"+strconv.Itoa(i), false)
		if p.Warns {
			collect(p, "w"+strconv.Itoa(i), true)
		}
	}
	if err2 != nil {
		return nil, err2
	}
	slices.SortFunc(out, func(a, b Violation) int {
		if c := strings.Compare(a.Policy.ID, b.Policy.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return out, nil
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
