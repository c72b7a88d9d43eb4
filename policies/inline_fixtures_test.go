package policies_test

import (
	"fmt"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

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
	var denied, advisory int
	for _, op := range []admissionv1.Operation{admissionv1.Create, admissionv1.Update} {
		for _, f := range fixtureRequests(t, offline.Options{Operation: op}) {
			if f.doc.Meta.Kind == "AdmissionReview" && op == admissionv1.Update {
				continue // a review's request is its own operation
			}
			what := fmt.Sprintf("%s document %d, %s: inlining changed the violations (-by reference +inlined)", f.file, f.doc.Index, f.req.Operation)
			for _, v := range sameViolations(t, what, byReference, inlined, f.req.Object.Raw, f) {
				if v.Advisory {
					advisory++
				} else {
					denied++
				}
			}
		}
	}
	if denied == 0 || advisory == 0 {
		t.Fatalf("the fixtures drew %d denials and %d advisory violations; this test would prove nothing", denied, advisory)
	}
}
