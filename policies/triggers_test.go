package policies_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
)

// TestTriggersNeverHideAViolation evaluates every fixture of the catalog twice, with the
// engine skipping policies whose triggers are absent and with an engine that evaluates every
// policy of the kind, and requires the same violations: a trigger may only skip work, never
// a finding.
func TestTriggersNeverHideAViolation(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	withTriggers, err := policies.NewEngine(t.Context(), catalog, catalog.Policies)
	if err != nil {
		t.Fatal(err)
	}
	untriggered := make([]policies.Policy, len(catalog.Policies))
	triggered := 0
	for i, p := range catalog.Policies {
		if len(p.Triggers) > 0 {
			triggered++
		}
		p.Triggers = nil
		untriggered[i] = p
	}
	if triggered == 0 {
		t.Fatal("no policy declares triggers; this test would prove nothing")
	}
	everyPolicy, err := policies.NewEngine(t.Context(), catalog, untriggered)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtureRequests(t, offline.Options{}) {
		if f.doc.Meta.Kind == "AdmissionReview" {
			continue // their requests are covered by TestFixtures; here the object is the document
		}
		name := fmt.Sprintf("%s document %d", f.file, f.doc.Index)
		want := sameViolations(t, name+": triggers changed the violations (-all policies +with triggers)", everyPolicy, withTriggers, f.req.Object.Raw, f)
		// The same object with every letter of its keys and strings written as a \u escape
		// parses to the same document: the triggers must still see what the policies see.
		got, err := withTriggers.Evaluate(t.Context(), f.req.Kind.Kind, escapeLetters(f.req.Object.Raw), f.input)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, byID); diff != "" {
			t.Errorf("%s, letters escaped: triggers changed the violations (-all policies +with triggers):\n%s", name, diff)
		}
	}
}

// byID compares policies by id: engines over copies of the catalog's policies (with other
// triggers, say) report the same policy through different pointers.
var byID = cmp.Comparer(func(a, b *policies.Policy) bool { return a.ID == b.ID })

// fixtureRequest is one document of one fixture of the catalog, as a request and its input.
type fixtureRequest struct {
	file  string
	doc   manifests.Document
	req   *admissionv1.AdmissionRequest
	input ast.Value
}

// fixtureRequests returns every document of every fixture of the catalog as the request it
// makes under o (a document that is an AdmissionReview gives its own request), with its
// policy input under fixtureParameters.
func fixtureRequests(t *testing.T, o offline.Options) []fixtureRequest {
	t.Helper()
	files, _ := filepath.Glob("*/*/testdata/*/*.yaml")
	if len(files) < 100 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	var out []fixtureRequest
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := manifests.Parse(file, data)
		for _, d := range docs {
			req := offline.Request(d, o)
			if req == nil {
				continue
			}
			doc, err := input.Build(req, nil, nil, fixtureParameters)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fixtureRequest{file: file, doc: d, req: req, input: doc})
		}
	}
	return out
}

// sameViolations evaluates f with both engines (object as the triggers see it), fails the
// test with what when they differ, and returns want's violations.
func sameViolations(t *testing.T, what string, want, got *policies.Engine, object []byte, f fixtureRequest) []policies.Violation {
	t.Helper()
	wantV, err := want.Evaluate(t.Context(), f.req.Kind.Kind, object, f.input)
	if err != nil {
		t.Fatal(err)
	}
	gotV, err := got.Evaluate(t.Context(), f.req.Kind.Kind, object, f.input)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantV, gotV, byID); diff != "" {
		t.Errorf("%s:\n%s", what, diff)
	}
	return wantV
}

// escapeLetters writes every ASCII letter inside the JSON strings (keys and values) of raw as
// a \u escape: the same JSON value, spelled so that no trigger appears in its bytes.
func escapeLetters(raw []byte) []byte {
	var out []byte
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case !inString:
			inString = c == '"'
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inString = false
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			out = fmt.Appendf(out, "\\u%04x", c)
			continue
		}
		out = append(out, c)
	}
	return out
}
