package policies

import (
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// aggregatePackage is the package under which the engine generates its aggregate modules.
const aggregatePackage = "govhook_engine"

// aggregate is one generated module that holds the violations of many policies in a few
// rules, each element [i, violation] for a violation of inlined[i]: `v` holds the bodies of
// the plain deny rules, copied with every reference to their own package and imports made
// absolute; `u` holds the `_violations` bodies of the policies that split them as
// lib/update.rego says, and `d` and `w` split `u` with lib/update's own functions, once for
// all of them. OPA pays a fixed price (rule lookup, bindings, a set, a cache entry, a query
// binding) per virtual document it evaluates; one rule over many bodies pays it once instead
// of once per policy. The policy sources stay as they are and are the single truth: the
// aggregate is made from their parsed modules when an engine is built.
type aggregate struct {
	pkg     string   // Rego ref of the generated package, e.g. data.govhook_engine.a0
	plain   bool     // whether rule v exists (a plain deny policy is inlined)
	updates bool     // whether rules u, d and w exist (a lib/update policy is inlined)
	inlined []Policy // policies whose violations the aggregate holds
	rest    []Policy // policies of the set that cannot be inlined: evaluated by reference
	module  *ast.Module
}

// updateSplit are the rules an aggregate adds when it holds lib/update policies: the
// template of lib/update.rego applied to u, the [i, violation] of all of them at once. A
// violation's i keeps the policies apart: the old object's violations of one policy never
// match another's, so the split is each policy's own.
const updateSplit = `
d := data.lib.update.new_violations(u, _before)

w := data.lib.update.carried_violations(u, _before)

_before := before if {
	data.lib.update.only_new_violations
	count(u) > 0
	before := u with input.request.object as input.request.oldObject
}

default _before := set()
`

// updateTemplate is how a policy publishes its violations by lib/update.rego: a policy
// whose deny, warn and _before rules are exactly these is inlined into u.
const updateTemplate = `
deny := update.new_violations(_violations, _before)

warn := update.carried_violations(_violations, _before)

_before := before if {
	update.only_new_violations
	count(_violations) > 0
	before := _violations with input.request.object as input.request.oldObject
}

default _before := set()
`

// newAggregate builds the aggregate module named name over ps (nil when fewer than two are
// inlinable).
func newAggregate(name string, modules map[string]*ast.Module, ps []Policy) *aggregate {
	a := &aggregate{pkg: "data." + aggregatePackage + "." + name}
	file := aggregatePackage + "/" + name + ".rego"
	var rules []*ast.Rule
	for _, p := range ps {
		mod := modules[p.File]
		target, ruleName := "v", "deny"
		if p.Warns {
			if !usesUpdateTemplate(mod, p.Package) {
				a.rest = append(a.rest, p)
				continue
			}
			target, ruleName = "u", "_violations"
		}
		inlined, ok := inlineRules(mod, p.Package, ruleName)
		if !ok {
			a.rest = append(a.rest, p)
			continue
		}
		for _, r := range inlined {
			head := ast.NewHead(ast.Var(target), nil)
			head.Key = ast.ArrayTerm(ast.InternedTerm(len(a.inlined)), r.key)
			head.Location = r.location
			rules = append(rules, &ast.Rule{Head: head, Body: r.body, Location: r.location})
		}
		a.plain = a.plain || target == "v"
		a.updates = a.updates || target == "u"
		a.inlined = append(a.inlined, p)
	}
	if len(a.inlined) < 2 {
		return nil // one policy gains nothing from an aggregate, and the binding costs
	}
	src := "package " + aggregatePackage + "." + name + "\n"
	if a.updates {
		src += updateSplit
	}
	split, err := ast.ParseModuleWithOpts(file, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil // cannot happen: the text is constant; evaluating by reference stays correct
	}
	for _, r := range rules {
		r.Module = split
	}
	split.Rules = append(split.Rules, rules...)
	a.module = split
	return a
}

// covers fails unless the aggregate evaluates each of ps exactly once, inlined or by
// reference: a policy must never drop out of evaluation because it could not be inlined.
func (a *aggregate) covers(ps []Policy) error {
	got := policyKey(sortedUnique(append(slices.Clone(a.inlined), a.rest...)))
	if want := policyKey(sortedUnique(ps)); got != want || len(a.inlined)+len(a.rest) != len(ps) {
		return fmt.Errorf("aggregate %s evaluates policies %s, want %s", a.pkg, got, want)
	}
	return nil
}

// usesUpdateTemplate reports whether mod's deny, warn and _before rules are exactly
// updateTemplate, with update imported as data.lib.update.
func usesUpdateTemplate(mod *ast.Module, pkg string) bool {
	if mod == nil {
		return false
	}
	imported := false
	for _, imp := range mod.Imports {
		if imp.Name() == "update" && imp.Path.String() == "data.lib.update" {
			imported = true
		}
	}
	want, err := ast.ParseModuleWithOpts("template.rego", "package "+pkg+"\n"+updateTemplate, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if !imported || err != nil {
		return false
	}
	published := func(m *ast.Module) []string {
		var out []string
		for _, r := range m.Rules {
			switch r.Head.Ref().String() {
			case "deny", "warn", "_before":
				out = append(out, r.String())
			}
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(published(mod), published(want))
}

// inlinedRule is one rule of a policy, with absolute references.
type inlinedRule struct {
	key      *ast.Term
	body     ast.Body
	location *ast.Location // of the rule in its policy, for compile errors
}

// inlineRules returns the rules named name of mod with every reference to a rule of its
// package or to an import made absolute; ok is false when they are not a plain partial set
// of rules that can be moved (a complete rule, an else, a local variable that shadows a
// rule or import name).
func inlineRules(mod *ast.Module, pkg, name string) ([]inlinedRule, bool) {
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
		if r.Head.Ref().String() != name {
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
