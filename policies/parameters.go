package policies

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// paramsFile declares every config parameter a policy reads, with its default.
const paramsFile = "lib/params.rego"

// Parameter is one config parameter (the config file's `parameters`) that policies read.
type Parameter struct {
	// Name is the key under parameters, e.g. "awsAccountIds".
	Name string `json:"name"`
	// Default is the value in force when the config does not set it, as Rego writes it.
	Default string `json:"default"`
	// Doc is the comment that declares it in lib/params.rego.
	Doc string `json:"doc,omitempty"`
}

// Parameter returns the declaration of the config parameter name.
func (c *Catalog) Parameter(name string) (Parameter, bool) {
	p, ok := c.params[name]
	return p, ok
}

// parametersOf reads the declarations of lib/params.rego: every rule whose value is
// object.get(input, ["params", NAME], DEFAULT), with the comment lines just above it.
func parametersOf(mod *ast.Module) map[string]Parameter {
	out := map[string]Parameter{}
	if mod == nil {
		return out
	}
	comments := map[int]string{}
	for _, c := range mod.Comments {
		comments[c.Location.Row] = strings.TrimSpace(string(c.Text))
	}
	for _, r := range mod.Rules {
		call, ok := r.Head.Value.Value.(ast.Call)
		if !ok || len(call) != 4 || call[0].String() != "object.get" {
			continue
		}
		path, ok := call[2].Value.(*ast.Array)
		if !ok || path.Len() != 2 || path.Elem(0).String() != `"params"` {
			continue
		}
		name, ok := path.Elem(1).Value.(ast.String)
		if !ok {
			continue
		}
		var doc []string
		for row := r.Location.Row - 1; comments[row] != ""; row-- {
			doc = append(doc, comments[row])
		}
		slices.Reverse(doc)
		out[string(name)] = Parameter{Name: string(name), Default: call[3].String(), Doc: strings.Join(doc, " ")}
	}
	return out
}
