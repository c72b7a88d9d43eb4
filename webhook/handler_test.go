package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/evidencetest"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/webhook"
)

type nopMetrics struct{}

func (nopMetrics) ObserveAdmission(metrics.Admission) {}
func (nopMetrics) ObserveEvaluation(time.Duration)    {}
func (nopMetrics) ObserveEvidence(error)              {}

func newHandler(t testing.TB, ev evidence.Recorder) *webhook.Handler {
	t.Helper()
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return &webhook.Handler{
		Reviewer:     review.New(engine, config.Default(), nil),
		Evidence:     ev,
		Metrics:      nopMetrics{},
		Log:          logr.Discard(),
		MaxBodyBytes: 64 << 10,
		NewID:        func() string { return "decision-1" },
	}
}

// compliantPod passes every policy of the catalog; privilegedPod differs only in its
// privileged container.
const compliantPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"owner":"payments"}},
"spec":{"serviceAccountName":"web","securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"app","image":"public.ecr.aws/nginx/nginx:1.27@sha256:e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3",
"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"128Mi"}}}]}}`

var privilegedPod = strings.Replace(compliantPod, `"allowPrivilegeEscalation":false,`, `"allowPrivilegeEscalation":false,"privileged":true,`, 1)

func reviewBody(op, object, oldObject string) string {
	return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1",
"kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
"name":"web","namespace":"shop","operation":"` + op + `","userInfo":{"username":"alice"},"dryRun":true,
"object":` + object + `,"oldObject":` + oldObject + `}}`
}

func post(h http.Handler, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeResponse(t *testing.T, rec *httptest.ResponseRecorder) *admissionv1.AdmissionResponse {
	t.Helper()
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("response is not a review: %v\n%s", err, rec.Body.String())
	}
	if out.APIVersion != "admission.k8s.io/v1" || out.Kind != "AdmissionReview" || out.Response == nil {
		t.Fatalf("response envelope wrong: %s", rec.Body.String())
	}
	return out.Response
}

func TestHandlerDecisions(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantAllowed bool
		wantCode    int32
		wantMessage string
		wantOutcome string
	}{
		{
			name:        "privileged pod is denied with one line per violation",
			body:        reviewBody("CREATE", privilegedPod, "null"),
			wantCode:    403,
			wantMessage: `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`,
			wantOutcome: "deny",
		},
		{
			// Issue 16 row 8: the trigger prefilter must see the key the policies see.
			name:        "privileged spelled with a unicode escape is denied",
			body:        reviewBody("CREATE", strings.Replace(privilegedPod, `"privileged"`, `"privil\u0065ged"`, 1), "null"),
			wantCode:    403,
			wantMessage: `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`,
			wantOutcome: "deny",
		},
		{
			name:        "compliant pod is allowed",
			body:        reviewBody("CREATE", compliantPod, "null"),
			wantAllowed: true,
			wantOutcome: "allow",
		},
		{
			name:        "delete carries object null and is judged on nothing",
			body:        reviewBody("DELETE", "null", privilegedPod),
			wantAllowed: true,
			wantOutcome: "allow",
		},
		{
			name:        "create without object is refused, not admitted",
			body:        reviewBody("CREATE", "null", "null"),
			wantCode:    400,
			wantMessage: "CREATE request has no object",
			wantOutcome: "error",
		},
		{
			name:        "object that is not a JSON object is refused",
			body:        reviewBody("CREATE", `"just a string"`, "null"),
			wantCode:    500,
			wantMessage: "govhook could not evaluate policies: build policy input: decode request object: want a JSON object, got a string",
			wantOutcome: "error",
		},
		{
			name:        "unknown operation is refused",
			body:        reviewBody("PATCH", compliantPod, "null"),
			wantCode:    400,
			wantMessage: `unknown operation "PATCH"`,
			wantOutcome: "error",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evidencetest.Memory{}
			rec := post(newHandler(t, ev), "application/json", tc.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("HTTP status = %d, want 200; body %s", rec.Code, rec.Body.String())
			}
			resp := decodeResponse(t, rec)
			if resp.UID != "uid-1" {
				t.Errorf("response uid = %q, want the request's uid-1", resp.UID)
			}
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("allowed = %v, want %v", resp.Allowed, tc.wantAllowed)
			}
			if !tc.wantAllowed {
				if resp.Result == nil || resp.Result.Code != tc.wantCode || resp.Result.Message != tc.wantMessage {
					t.Errorf("result = %+v, want code %d message %q", resp.Result, tc.wantCode, tc.wantMessage)
				}
			}
			if got := resp.AuditAnnotations[webhook.AnnotationDecisionID]; got != "decision-1" {
				t.Errorf("decision-id annotation = %q", got)
			}
			if len(ev.Records()) != 1 {
				t.Fatalf("evidence records = %d, want exactly 1", len(ev.Records()))
			}
			r := ev.Records()[0]
			if string(r.Decision) != tc.wantOutcome || r.UID != "uid-1" || r.ID != "decision-1" || !r.DryRun {
				t.Errorf("evidence record = %+v, want decision %s for uid-1, dryRun", r, tc.wantOutcome)
			}
		})
	}
}

func TestHandlerRejectsMalformedReviews(t *testing.T) {
	big := reviewBody("CREATE", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"k":"`+strings.Repeat("a", 70<<10)+`"}}`, "null")
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantText    string
	}{
		{"not JSON", "application/json", "<xml/>", 400, "admission review is not valid JSON"},
		{"wrong content type", "text/plain", reviewBody("CREATE", compliantPod, "null"), 415, `content type "text/plain" is not application/json`},
		{"no content type", "", reviewBody("CREATE", compliantPod, "null"), 415, "is not application/json"},
		{"missing request", "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, 400, "admission review has no request"},
		{"missing uid", "application/json", strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"uid":"uid-1",`, "", 1), 400, "admission request has no uid"},
		{"v1beta1 review", "application/json", strings.Replace(reviewBody("CREATE", compliantPod, "null"), "admission.k8s.io/v1", "admission.k8s.io/v1beta1", 1), 400, "only admission.k8s.io/v1 AdmissionReview is served"},
		{"body over the limit", "application/json", big, 413, "admission review is larger than 65536 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evidencetest.Memory{}
			rec := post(newHandler(t, ev), tc.contentType, tc.body)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantText) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tc.wantStatus, tc.wantText)
			}
			if len(ev.Records()) != 1 || ev.Records()[0].Decision != "error" || ev.Records()[0].Error == "" {
				t.Errorf("want one error evidence record, got %+v", ev.Records())
			}
		})
	}
}

func TestHandlerRefusesWhenEvidenceIsNotDurable(t *testing.T) {
	ev := &evidencetest.Memory{FailWith: errors.New("disk full")}
	resp := decodeResponse(t, post(newHandler(t, ev), "application/json", reviewBody("CREATE", compliantPod, "null")))
	if resp.Allowed || resp.Result.Code != 500 || !strings.Contains(resp.Result.Message, "could not record audit evidence") {
		t.Fatalf("a request without a durable record must be refused, got %+v", resp)
	}
}

func TestHandlerDenialLinesAreSortedByPolicy(t *testing.T) {
	container := `{"name":"%s","image":"public.ecr.aws/nginx/nginx:1.27@sha256:e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3",
"securityContext":{"privileged":true,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"128Mi"}}}`
	obj := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
"spec":{"serviceAccountName":"web","securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[` +
		fmt.Sprintf(container, "b") + "," + fmt.Sprintf(container, "a") + `]}}`
	resp := decodeResponse(t, post(newHandler(t, &evidencetest.Memory{}), "application/json", reviewBody("CREATE", obj, "null")))
	want := strings.Join([]string{
		`[OWN-002] Pod "web" must carry label "owner" naming its owning team (see: govhook policies explain OWN-002)`,
		`[POD-001] container "a" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`,
		`[POD-001] container "b" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`,
	}, "\n")
	if diff := cmp.Diff(want, resp.Result.Message); diff != "" {
		t.Errorf("denial message (-want +got):\n%s", diff)
	}
	if got := resp.AuditAnnotations[webhook.AnnotationPolicies]; got != "OWN-002,POD-001" {
		t.Errorf("policies annotation = %q", got)
	}
}

// FuzzHandler checks the handler never panics and always answers with a review or a 4xx.
func FuzzHandler(f *testing.F) {
	for _, seed := range []string{reviewBody("CREATE", privilegedPod, "null"), reviewBody("DELETE", "null", compliantPod), "{}", "null", `{"request":{}}`} {
		f.Add(seed)
	}
	engine, err := policies.Embedded(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	h := &webhook.Handler{Reviewer: review.New(engine, config.Default(), nil), Evidence: &evidencetest.Memory{}, Metrics: nopMetrics{}, Log: logr.Discard()}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			var out admissionv1.AdmissionReview
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Response == nil {
				t.Fatalf("200 without a review: %s", rec.Body.String())
			}
		} else if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("status %d for malformed input", rec.Code)
		}
	})
}

// TestHandlerLinesPointToPolicyPages: every denial and warning line kubectl prints ends with
// the pointer to its policy's page, under the config's docsBaseURL when it sets one.
func TestHandlerLinesPointToPolicyPages(t *testing.T) {
	cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\ndocsBaseURL: https://git.example.com/platform/govhook/blob/main/docs/policies/\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, &evidencetest.Memory{})
	h.Reviewer = review.New(h.Reviewer.Engine(), cfg, nil)
	obj := strings.Replace(privilegedPod, `"readOnlyRootFilesystem":true`, `"readOnlyRootFilesystem":false`, 1)
	resp := decodeResponse(t, post(h, "application/json", reviewBody("CREATE", obj, "null")))
	got := map[string][]string{"denial": strings.Split(resp.Result.Message, "\n"), "warnings": resp.Warnings}
	want := map[string][]string{
		"denial":   {`[POD-001] container "app" must not set securityContext.privileged=true (see: https://git.example.com/platform/govhook/blob/main/docs/policies/POD-001.md)`},
		"warnings": {`[POD-030] container "app" should set securityContext.readOnlyRootFilesystem=true and write only to mounted volumes (an emptyDir for scratch space) (see: https://git.example.com/platform/govhook/blob/main/docs/policies/POD-030.md)`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
