package policies_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// update rewrites the golden files instead of comparing with them:
// `go test ./policies -run Fixtures -update`.
var update = flag.Bool("update", false, "rewrite the fixtures' golden files")

// TestFixtures runs every policy's testdata/{allow,deny,warn}/*.yaml through the real Go path
// (manifest loader, input builder, engine over the whole catalog, decision). The last document
// of a fixture is the object under test (a manifest, judged as CREATE, or an AdmissionReview
// for other operations); documents before it give context, such as its Namespace. A deny
// fixture must draw at least one violation of its policy; an allow fixture none; a warn
// fixture (optional folder) violations that are all only warnings. Beyond that, every finding
// of the object under test, of any policy, must be exactly the `action [ID] message` lines of
// the fixture's golden file (<fixture>.golden beside it).
func TestFixtures(t *testing.T) {
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	reviewer := review.New(engine, fixtureConfig(), nil)
	for _, p := range engine.Catalog().Policies {
		for _, kind := range []string{"allow", "deny", "warn"} {
			files, _ := filepath.Glob(filepath.Join(filepath.Dir(p.File), "testdata", kind, "*.yaml"))
			for _, file := range files {
				t.Run(p.ID+"/"+kind+"/"+filepath.Base(file), func(t *testing.T) {
					data, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					docs, errs := manifests.Parse(file, data)
					if len(errs) > 0 || len(docs) == 0 {
						t.Fatalf("fixture does not load: %v", errs)
					}
					results, err := offline.Run(t.Context(), reviewer, docs, offline.Options{Username: "alice@example.com"})
					if err != nil {
						t.Fatal(err)
					}
					subject := results[len(results)-1]
					checkGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", findingLines(subject.Decision.Findings))
					var mine, denied []string
					for _, f := range subject.Decision.Findings {
						if f.Policy == p.ID {
							mine = append(mine, f.Message)
							if f.Action == policies.ActionDeny {
								denied = append(denied, f.Message)
							}
						}
					}
					switch {
					case kind != "allow" && len(mine) == 0:
						t.Errorf("want a %s violation, got none (all findings: %+v)", p.ID, subject.Decision.Findings)
					case kind == "allow" && len(mine) > 0:
						t.Errorf("want no %s violation, got:\n%s", p.ID, strings.Join(mine, "\n"))
					case kind == "warn" && len(denied) > 0:
						t.Errorf("want %s violations that only warn, got denials:\n%s", p.ID, strings.Join(denied, "\n"))
					}
				})
			}
		}
	}
}

// fixtureConfig is the default config without exemptions, so fixtures in any namespace are
// judged, and with fixtureParameters.
func fixtureConfig() *config.Config {
	cfg := config.Default()
	cfg.Exemptions = config.Exemptions{}
	cfg.Parameters = fixtureParameters
	return cfg
}

// fixtureParameters are the config parameters every fixture is judged with: allowlists that
// an allow fixture can name. Rego unit tests cover the defaults.
var fixtureParameters = map[string]any{
	"awsAccountIds":        []any{"123456789012"},
	"clusterAdminSubjects": []any{"Group:platform-admins"},
	"breakGlassRoleArns":   []any{"arn:aws:iam::123456789012:role/break-glass"},
}

// findingLines are a decision's findings as a user reads them, one `action [ID] message` line
// each, in the decision's order.
func findingLines(findings []decision.Finding) string {
	var b strings.Builder
	for _, f := range findings {
		fmt.Fprintf(&b, "%s [%s] %s\n", f.Action, f.Policy, f.Message)
	}
	return b.String()
}

// checkGolden compares got with the golden file, or rewrites the file under -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./policies -run Fixtures -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("findings differ from %s (-want +got):\n%s", golden, diff)
	}
}
