package output_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/output"
)

// jsonShape is the -o json contract in the README ("Check manifests in CI"); decoding with DisallowUnknownFields
// pins it.
type jsonShape struct {
	Results []struct {
		Source     string                      `json:"source"`
		Line       int                         `json:"line"`
		APIVersion string                      `json:"apiVersion"`
		Kind       string                      `json:"kind"`
		Namespace  string                      `json:"namespace"`
		Name       string                      `json:"name"`
		Decision   decision.Outcome            `json:"decision"`
		Violations []decision.Finding          `json:"violations"`
		Exceptions []decision.AppliedException `json:"exceptions"`
		Exempt     string                      `json:"exempt"`
		Error      string                      `json:"error"`
	} `json:"results"`
	Errors  []output.Problem `json:"errors"`
	Summary output.Summary   `json:"summary"`
}

func TestJSON(t *testing.T) {
	out := render(t, "json", output.Options{})
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var got jsonShape
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	results, problems := sample()
	if len(got.Results) != len(results) {
		t.Fatalf("%d results, want %d", len(got.Results), len(results))
	}
	for i, r := range results {
		g := got.Results[i]
		wantViolations, wantExceptions := r.Decision.Findings, r.Decision.Exceptions
		if wantViolations == nil {
			wantViolations = []decision.Finding{}
		}
		if wantExceptions == nil {
			wantExceptions = []decision.AppliedException{}
		}
		if diff := cmp.Diff(
			[]any{r.Source, r.Line, r.APIVersion, r.Kind, r.Namespace, r.Name, r.Decision.Outcome, wantViolations, wantExceptions, r.Error},
			[]any{g.Source, g.Line, g.APIVersion, g.Kind, g.Namespace, g.Name, g.Decision, g.Violations, g.Exceptions, g.Error},
		); diff != "" {
			t.Errorf("result %d (-want +got):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(problems, got.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(output.Summary{Total: 6, Allowed: 1, Warned: 1, Denied: 2, Errors: 2}, got.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	w, _ := output.New("json", &buf, output.Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `{
  "results": [],
  "errors": [],
  "summary": {
    "total": 0,
    "allowed": 0,
    "warned": 0,
    "denied": 0,
    "errors": 0
  }
}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
