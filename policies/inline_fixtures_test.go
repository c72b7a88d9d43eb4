package policies_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
)

// TestInliningKeepsEveryViolation evaluates every document of every fixture, as its request
// and as an UPDATE of itself (the path on which lib/update policies only warn about the
// violations the old object had), with the engine that inlines policies into aggregates and
// with one that evaluates every policy by reference, and requires the same violations,
// advisory or not.
func TestInliningKeepsEveryViolation(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	inlined, err := policies.NewEngine(t.Context(), catalog, catalog.Policies)
	if err != nil {
		t.Fatal(err)
	}
	byReference, err := policies.NewEngineByReference(t.Context(), catalog, catalog.Policies)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*/*/testdata/*/*.yaml")
	if len(files) < 100 {
		t.Fatalf("found only %d fixtures", len(files))
	}
	var denied, advisory int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := offline.Parse(file, data)
		for _, d := range docs {
			for _, op := range []admissionv1.Operation{admissionv1.Create, admissionv1.Update} {
				req := offline.Request(d, offline.Options{Operation: op})
				if req == nil || d.Meta.Kind == "AdmissionReview" && op == admissionv1.Update {
					continue // a review's request is its own operation
				}
				doc, err := input.Build(req, nil, fixtureParameters)
				if err != nil {
					t.Fatal(err)
				}
				want, err := byReference.Evaluate(t.Context(), req.Kind.Kind, req.Object.Raw, doc)
				if err != nil {
					t.Fatal(err)
				}
				got, err := inlined.Evaluate(t.Context(), req.Kind.Kind, req.Object.Raw, doc)
				if err != nil {
					t.Fatal(err)
				}
				byID := cmp.Comparer(func(a, b *policies.Policy) bool { return a.ID == b.ID })
				if diff := cmp.Diff(want, got, byID); diff != "" {
					t.Errorf("%s document %d, %s: inlining changed the violations (-by reference +inlined):\n%s", file, d.Index, req.Operation, diff)
				}
				for _, v := range got {
					if v.Advisory {
						advisory++
					} else {
						denied++
					}
				}
			}
		}
	}
	if denied == 0 || advisory == 0 {
		t.Fatalf("the fixtures drew %d denials and %d advisory violations; this test would prove nothing", denied, advisory)
	}
}
