package policies

import (
	"github.com/open-policy-agent/opa/v1/ast"
)

// aggregatePackage is the package under which the engine generates its aggregate modules.
const aggregatePackage = "govhook_engine"

// aggregate is one generated module whose single partial set rule `v` holds [i, violation]
// for every violation of inlined[i]'s deny rules: their bodies, copied with every reference
// to their own package and imports made absolute. OPA pays a fixed price (rule lookup,
// bindings, a set, a cache entry, a query binding) per virtual document it evaluates; one
// rule over many bodies pays it once instead of once per policy. The policy sources stay as
// they are and are the single truth: the aggregate is made from their parsed modules when
// an engine is built.
type aggregate struct {
	path    string   // Rego ref of the rule, e.g. data.govhook_engine.a0.v
	inlined []Policy // policies whose deny rules the aggregate holds
	rest    []Policy // policies of the set that cannot be inlined: evaluated by reference
	module  *ast.Module
}

// newAggregate builds the aggregate module named name over ps (nil when fewer than two are
// inlinable).
func newAggregate(name string, modules map[string]*ast.Module, ps []Policy) *aggregate {
	a := &aggregate{path: "data." + aggregatePackage + "." + name + ".v"}
	file := aggregatePackage + "/" + name + ".rego"
	mod := &ast.Module{Package: &ast.Package{Path: ast.MustParseRef("data." + aggregatePackage + "." + name), Location: &ast.Location{File: file, Row: 1, Col: 1}}}
	for _, p := range ps {
		rules, ok := inlineDeny(modules[p.File], p.Package)
		if !ok || p.Warns {
			a.rest = append(a.rest, p)
			continue
		}
		for _, r := range rules {
			head := ast.NewHead(ast.Var("v"), nil)
			head.Key = ast.ArrayTerm(ast.InternedTerm(len(a.inlined)), r.key)
			head.Location = r.location
			mod.Rules = append(mod.Rules, &ast.Rule{Head: head, Body: r.body, Module: mod, Location: r.location})
		}
		a.inlined = append(a.inlined, p)
	}
	if len(a.inlined) < 2 {
		return nil // one policy gains nothing from an aggregate, and the binding costs
	}
	a.module = mod
	return a
}

// inlinedRule is one deny rule of a policy, with absolute references.
type inlinedRule struct {
	key      *ast.Term
	body     ast.Body
	location *ast.Location // of the rule in its policy, for compile errors
}

// inlineDeny returns the deny rules of mod with every reference to a rule of its package or
// to an import made absolute; ok is false when the policy's deny is not a plain partial set
// of rules that can be moved (a complete rule, an else, a local variable that shadows a
// rule or import name).
func inlineDeny(mod *ast.Module, pkg string) ([]inlinedRule, bool) {
	if mod == nil {
		return nil, false
	}
	names := map[ast.Var]ast.Ref{}
	for _, r := range mod.Rules {
		if v, ok := r.Head.Ref()[0].Value.(ast.Var); ok {
			names[v] = ast.MustParseRef("data." + pkg).Append(ast.StringTerm(string(v)))
		}
	}
	for _, imp := range mod.Imports {
		path, ok := imp.Path.Value.(ast.Ref)
		if !ok || !path.HasPrefix(ast.DefaultRootRef) {
			continue // rego.v1, future keywords
		}
		names[imp.Name()] = path
	}
	var out []inlinedRule
	for _, r := range mod.Rules {
		if r.Head.Ref().String() != "deny" {
			continue
		}
		if r.Head.RuleKind() != ast.MultiValue || r.Head.Key == nil || r.Else != nil || r.Default || len(r.Head.Args) > 0 {
			return nil, false
		}
		if shadows(r.Body, names) {
			return nil, false
		}
		body, err := ast.Transform(absolute(names), r.Body.Copy())
		if err != nil {
			return nil, false
		}
		key, err := ast.Transform(absolute(names), r.Head.Key.Copy())
		if err != nil {
			return nil, false
		}
		keyTerm, ok := key.(*ast.Term)
		if !ok {
			v, isValue := key.(ast.Value)
			if !isValue {
				return nil, false
			}
			keyTerm = ast.NewTerm(v)
		}
		out = append(out, inlinedRule{key: keyTerm, body: body.(ast.Body), location: r.Location})
	}
	return out, len(out) > 0
}

// shadows reports whether body declares a local variable named like a rule or import.
func shadows(body ast.Body, names map[ast.Var]ast.Ref) bool {
	found := false
	declared := func(t *ast.Term) {
		ast.WalkVars(t, func(v ast.Var) bool {
			if _, ok := names[v]; ok {
				found = true
			}
			return false
		})
	}
	ast.WalkExprs(body, func(e *ast.Expr) bool {
		switch {
		case e.IsAssignment():
			declared(e.Operand(0))
		case e.IsEvery():
			ev := e.Terms.(*ast.Every)
			if ev.Key != nil {
				declared(ev.Key)
			}
			declared(ev.Value)
		}
		if decl, ok := e.Terms.(*ast.SomeDecl); ok {
			for _, s := range decl.Symbols {
				if call, ok := s.Value.(ast.Call); ok && len(call) > 1 {
					for _, t := range call[1 : len(call)-1] {
						declared(t)
					}
					continue
				}
				declared(s)
			}
		}
		return false
	})
	return found
}

// absolute makes every reference whose head is in names absolute.
func absolute(names map[ast.Var]ast.Ref) *absoluteRefs { return &absoluteRefs{names} }

type absoluteRefs struct{ names map[ast.Var]ast.Ref }

func (a *absoluteRefs) Transform(x any) (any, error) {
	switch x := x.(type) {
	case *ast.SomeDecl: // ast.Transform does not descend into `some x in xs`
		for i, sym := range x.Symbols {
			t, err := ast.Transform(a, sym)
			if err != nil {
				return nil, err
			}
			switch t := t.(type) {
			case *ast.Term:
				x.Symbols[i] = t
			case ast.Value:
				x.Symbols[i] = ast.NewTerm(t)
			}
		}
	case ast.Ref:
		if v, ok := x[0].Value.(ast.Var); ok {
			if abs, ok := a.names[v]; ok {
				return abs.Concat(x[1:]), nil
			}
		}
	case ast.Var:
		if abs, ok := a.names[x]; ok {
			return abs, nil
		}
	}
	return x, nil
}
