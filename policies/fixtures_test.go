package policies_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// TestFixtures runs every policy's testdata/{allow,deny,warn}/*.yaml through the real Go path
// (manifest loader, input builder, engine over the whole catalog, decision). The last document
// of a fixture is the object under test (a manifest, judged as CREATE, or an AdmissionReview
// for other operations); documents before it give context, such as its Namespace. A deny
// fixture must draw at least one violation of its policy; an allow fixture none; a warn
// fixture (optional folder) violations that are all only warnings.
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
					docs, errs := offline.Parse(file, data)
					if len(errs) > 0 || len(docs) == 0 {
						t.Fatalf("fixture does not load: %v", errs)
					}
					results, err := offline.Run(t.Context(), reviewer, docs, offline.Options{Username: "alice@example.com"})
					if err != nil {
						t.Fatal(err)
					}
					subject := results[len(results)-1]
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
