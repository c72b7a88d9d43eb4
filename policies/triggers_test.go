package policies_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	files, _ := filepath.Glob("*/*/testdata/*/*.yaml")
	if len(files) < 100 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := manifests.Parse(file, data)
		for _, d := range docs {
			req := offline.Request(d, offline.Options{})
			if d.Meta.Kind == "AdmissionReview" {
				continue // their requests are covered by TestFixtures; here the object is the document
			}
			doc, err := input.Build(req, nil, nil, fixtureParameters)
			if err != nil {
				t.Fatal(err)
			}
			got, err := withTriggers.Evaluate(t.Context(), req.Kind.Kind, req.Object.Raw, doc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := everyPolicy.Evaluate(t.Context(), req.Kind.Kind, req.Object.Raw, doc)
			if err != nil {
				t.Fatal(err)
			}
			// The untriggered engine's policies differ only in their triggers: compare by id.
			byID := cmp.Comparer(func(a, b *policies.Policy) bool { return a.ID == b.ID })
			if diff := cmp.Diff(want, got, byID); diff != "" {
				t.Errorf("%s document %d: triggers changed the violations (-all policies +with triggers):\n%s", file, d.Index, diff)
			}
			// The same object with every letter of its keys and strings written as a \u escape
			// parses to the same document: the triggers must still see what the policies see.
			escaped := escapeLetters(req.Object.Raw)
			got, err = withTriggers.Evaluate(t.Context(), req.Kind.Kind, escaped, doc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, byID); diff != "" {
				t.Errorf("%s document %d, letters escaped: triggers changed the violations (-all policies +with triggers):\n%s", file, d.Index, diff)
			}
		}
	}
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
