package policies

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// ErrEvaluation marks a failure to evaluate the catalog (a built-in error, a bad rule result);
// callers must never admit a request on it.
var ErrEvaluation = errors.New("policy evaluation failed")

// Violation is one breach of one policy, as the policy reported it.
type Violation struct {
	PolicyID string `json:"policy"`
	Message  string `json:"message"`
	Field    string `json:"field,omitempty"`
}

// Engine evaluates a fixed selection of the catalog with one prepared query. It is safe for
// concurrent use.
type Engine struct {
	catalog  *Catalog
	selected []Policy
	query    rego.PreparedEvalQuery
}

// NewEngine compiles the catalog in strict mode and prepares one query that collects the deny
// set of every selected policy.
func NewEngine(ctx context.Context, catalog *Catalog, selected []Policy) (*Engine, error) {
	if len(selected) == 0 {
		return nil, errors.New("no policies selected")
	}
	compiler := ast.NewCompiler().WithStrict(true)
	compiler.Compile(catalog.modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", compiler.Errors)
	}
	// One binding per policy: p0 = data.container.privileged.deny, p1 = ...
	terms := make([]string, len(selected))
	for i, p := range selected {
		terms[i] = fmt.Sprintf("p%d = data.%s.deny", i, p.Package)
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
	return &Engine{catalog: catalog, selected: slices.Clone(selected), query: prepared}, nil
}

// Catalog is the catalog the engine was built from.
func (e *Engine) Catalog() *Catalog { return e.catalog }

// Selected lists the policies the engine evaluates, in id order.
func (e *Engine) Selected() []Policy { return e.selected }

// Evaluate runs every selected policy against input (already converted to an AST value) and
// returns the violations sorted by policy id, then message.
func (e *Engine) Evaluate(ctx context.Context, input ast.Value) ([]Violation, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEvaluation, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%w: query returned %d results, want 1", ErrEvaluation, len(rs))
	}
	var out []Violation
	for i, p := range e.selected {
		set, ok := rs[0].Bindings["p"+strconv.Itoa(i)].([]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s deny is not a set", ErrEvaluation, p.ID)
		}
		for _, item := range set {
			obj, _ := item.(map[string]any)
			msg, _ := obj["msg"].(string)
			field, _ := obj["field"].(string)
			if msg == "" {
				return nil, fmt.Errorf("%w: %s produced a violation without msg", ErrEvaluation, p.ID)
			}
			out = append(out, Violation{PolicyID: p.ID, Message: msg, Field: field})
		}
	}
	slices.SortFunc(out, func(a, b Violation) int {
		if c := strings.Compare(a.PolicyID, b.PolicyID); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	return out, nil
}
