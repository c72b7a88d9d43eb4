package policies

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

func TestInlineDeny(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the inlined rules' bodies; nil when the policy cannot be inlined
	}{{
		name: "references to the package and imports become absolute",
		src: `package pod.x
import data.lib.pods
_types := {"a"}
deny contains {"msg": msg} if {
	some c in pods.containers
	not c.type in _types
	msg := pods.describe(c)
}`,
		want: []string{`some c in data.lib.pods.containers; not internal.member_2(c.type, data.pod.x._types); assign(msg, data.lib.pods.describe(c))`},
	}, {
		name: "a complete deny rule is evaluated by reference",
		src: `package pod.x
deny := {{"msg": "m"}} if input.request
`,
	}, {
		name: "a local that shadows a rule name is evaluated by reference",
		src: `package pod.x
_types := {"a"}
deny contains {"msg": msg} if {
	some _types in input.request.object.items
	msg := _types
}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := ast.MustParseModuleWithOpts(tt.src, ast.ParserOptions{RegoVersion: ast.RegoV1})
			rules, ok := inlineRules(mod, "pod.x", "deny")
			var got []string
			for _, r := range rules {
				got = append(got, r.body.String())
			}
			if ok != (tt.want != nil) {
				t.Fatalf("inlinable = %v, want %v (rules %v)", ok, tt.want != nil, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("inlined bodies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsesUpdateTemplate(t *testing.T) {
	published := "package rbac.x\nimport data.lib.update\n" + updateTemplate + `_violations contains {"msg": "m"} if input.request.object.rules` + "\n"
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{name: "the template of lib/update.rego", src: published, want: true},
		{name: "update imported under another name", src: strings.Replace(published, "import data.lib.update", "import data.lib.update as u", 1)},
		{name: "_before judged without the count", src: strings.Replace(published, "\tcount(_violations) > 0\n", "", 1)},
		{name: "a second deny rule", src: published + `deny contains {"msg": "n"} if input.request.object.x` + "\n"},
		{name: "warn keeps everything", src: strings.Replace(published, "warn := update.carried_violations(_violations, _before)", "warn := _violations", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := ast.MustParseModuleWithOpts(tt.src, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if got := usesUpdateTemplate(mod, "rbac.x"); got != tt.want {
				t.Errorf("usesUpdateTemplate = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEveryUpdatePolicyIsInlined builds the engine over the whole catalog and requires every
// always-evaluated policy that publishes its violations by lib/update.rego to be inlined, and
// every policy of each kind to be evaluated exactly once, inlined or by reference.
func TestEveryUpdatePolicyIsInlined(t *testing.T) {
	catalog, err := LoadCatalog(Files)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(t.Context(), catalog, catalog.Policies)
	if err != nil {
		t.Fatal(err)
	}
	updates := 0
	for kind, kp := range e.byKind {
		if kp.agg == nil {
			continue
		}
		if err := kp.agg.covers(kp.always); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
		for _, p := range kp.always {
			if !strings.Contains(catalog.modules[p.File].String(), "update.new_violations") {
				continue
			}
			updates++
			if !slices.ContainsFunc(kp.agg.inlined, func(q Policy) bool { return q.ID == p.ID }) {
				t.Errorf("%s: %s publishes by lib/update.rego but is evaluated by reference", kind, p.ID)
			}
		}
	}
	if updates == 0 {
		t.Fatal("no always-evaluated policy publishes by lib/update.rego; this test would prove nothing")
	}
}
