package policies

import (
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
			rules, ok := inlineDeny(mod, "pod.x")
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
