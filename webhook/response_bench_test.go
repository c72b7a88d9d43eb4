package webhook

import (
	"encoding/json"
	"io"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/decision"
)

// BenchmarkEncodeResponse measures building and encoding the answer to a denied request with
// three violations and a warning: the last stage of the hot path.
func BenchmarkEncodeResponse(b *testing.B) {
	req := &admissionv1.AdmissionRequest{UID: "3f1c7e52-8a64-4b8e-9d7a-1a2b3c4d5e6f"}
	d := decision.Decision{Outcome: decision.OutcomeDeny, Findings: []decision.Finding{
		{Policy: "IMG-002", Severity: "high", Action: "deny", Message: `container "app" image "nginx" must name a tag other than latest, or a digest`},
		{Policy: "POD-001", Severity: "critical", Action: "deny", Message: `container "app" must not set securityContext.privileged=true`},
		{Policy: "POD-021", Severity: "high", Action: "deny", Message: `container "app" must set securityContext.allowPrivilegeEscalation=false`},
		{Policy: "POD-030", Severity: "low", Action: "warn", Message: `container "app" should set securityContext.readOnlyRootFilesystem=true`},
	}}
	b.ReportAllocs()
	for b.Loop() {
		out := admissionv1.AdmissionReview{
			TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
			Response: response(req, "0c2b7a9e-5d1f-4e3a-8b6c-7d8e9f0a1b2c", d, ""),
		}
		if err := json.NewEncoder(io.Discard).Encode(out); err != nil {
			b.Fatal(err)
		}
	}
}
