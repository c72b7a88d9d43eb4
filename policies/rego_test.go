package policies_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/govhook/govhook/policies"
)

// TestRego runs every policy_test.rego (and lib test) through OPA's test runner, one Go
// subtest per Rego test, with built-in errors raised as failures.
func TestRego(t *testing.T) {
	modules := parseAll(t, func(string) bool { return true })
	compiler := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true)
	store := inmem.New()
	txn, err := store.NewTransaction(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(t.Context(), txn)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		RunTests(t.Context(), txn)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	ran := 0
	for r := range ch {
		ran++
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("%s: error: %v\n%s", r.Location, r.Error, r.Output)
			}
			if r.Fail || r.Skip {
				t.Fatalf("%s: failed\n%s", r.Location, r.Output)
			}
		})
	}
	if ran == 0 {
		t.Fatal("no Rego tests found")
	}
}

func parseAll(t *testing.T, keep func(path string) bool) map[string]*ast.Module {
	t.Helper()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(policies.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || !keep(path) {
			return err
		}
		src, err := fs.ReadFile(policies.Files, path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		modules[path] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return modules
}
