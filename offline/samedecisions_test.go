package offline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/webhook"
)

// lastRecord keeps the evidence record of the latest request.
type lastRecord struct {
	mu  sync.Mutex
	rec evidence.Record
}

func (l *lastRecord) Record(_ context.Context, r *evidence.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rec = *r
	return nil
}

type noMetrics struct{}

func (noMetrics) ObserveAdmission(metrics.Admission) {}
func (noMetrics) ObserveEvaluation(time.Duration)    {}
func (noMetrics) ObserveEvidence(error)              {}

// namespaceMap serves namespace metadata to the webhook as its cache would.
type namespaceMap map[string]*input.Namespace

func (m namespaceMap) Namespace(_ context.Context, name string) *input.Namespace { return m[name] }

// accountsRef serves the ServiceAccounts of the fixture under test to the webhook, as its
// cache would.
type accountsRef struct{ accounts offline.ServiceAccounts }

func (r *accountsRef) ServiceAccount(ctx context.Context, namespace, name string) *input.ServiceAccount {
	return r.accounts.ServiceAccount(ctx, namespace, name)
}

// verdict is what both paths must agree on.
type verdict struct {
	Allowed    bool
	Denial     string
	Warnings   []string
	Outcome    decision.Outcome
	Violations []decision.Finding
	Exceptions []decision.AppliedException
}

// TestSameDecisions runs every document of every fixture of the catalog through the offline
// path of `govhook test` and, with the same request, namespace metadata and ServiceAccounts,
// through the webhook handler over HTTP, and requires the same decision and the same
// violations (as the evidence record has them) from both.
func TestSameDecisions(t *testing.T) {
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Exemptions = config.Exemptions{}
	offlineReviewer, webhookReviewer := review.New(engine, cfg, nil), review.New(engine, cfg, nil)
	namespaces := namespaceMap{}
	accounts := &accountsRef{}
	records := &lastRecord{}
	server := httptest.NewServer(&webhook.Handler{
		Reviewer:        webhookReviewer,
		Evidence:        records,
		Metrics:         noMetrics{},
		Namespaces:      namespaces,
		ServiceAccounts: accounts,
		Log:             logr.Discard(),
	})
	defer server.Close()

	files, err := filepath.Glob("../policies/*/*/testdata/*/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	t.Logf("%d fixtures", len(files))
	for _, file := range files {
		t.Run(strings.TrimPrefix(file, "../policies/"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			docs, errs := manifests.Parse(file, data)
			if len(errs) > 0 || len(docs) == 0 {
				t.Fatalf("fixture does not load: %v", errs)
			}
			// One worker: each review is posted to the webhook as it is made, with the
			// namespace metadata the offline path used served by the webhook's lookup, and
			// the fixture's ServiceAccounts by its ServiceAccount lookup.
			accounts.accounts = offline.ServiceAccountsOf(docs, "")
			judged := 0
			_, err = offline.Run(t.Context(), offlineReviewer, docs, offline.Options{
				Username: "alice@example.com",
				Workers:  1,
				Observe: func(_ context.Context, req *admissionv1.AdmissionRequest, ns *input.Namespace, res review.Result) error {
					delete(namespaces, req.Namespace)
					if ns != nil {
						namespaces[ns.Name] = ns
					}
					want := verdict{
						Allowed:    res.Decision.Allowed(),
						Denial:     strings.Join(res.Decision.Messages(policies.ActionDeny, ""), "\n"),
						Warnings:   res.Decision.Messages(policies.ActionWarn, ""),
						Outcome:    res.Decision.Outcome,
						Violations: res.Decision.Findings,
						Exceptions: res.Decision.Exceptions,
					}
					// Evidence records write empty lists where a decision has none.
					if diff := cmp.Diff(want, postReview(t, server.URL, req, records), cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("%s %s: offline and webhook disagree (-offline +webhook):\n%s", req.Kind.Kind, req.Name, diff)
					}
					judged++
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if judged != len(docs) {
				t.Errorf("judged %d of %d documents", judged, len(docs))
			}
		})
	}
}

// postReview sends req to the webhook and reads back its verdict and evidence record.
func postReview(t *testing.T, url string, req *admissionv1.AdmissionRequest, records *lastRecord) verdict {
	t.Helper()
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Request:  req,
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response == nil {
		t.Fatalf("webhook answered %s: %v", resp.Status, err)
	}
	records.mu.Lock()
	rec := records.rec
	records.mu.Unlock()
	v := verdict{
		Allowed:    out.Response.Allowed,
		Warnings:   out.Response.Warnings,
		Outcome:    rec.Decision,
		Violations: rec.Violations,
		Exceptions: rec.Exceptions,
	}
	if out.Response.Result != nil {
		v.Denial = out.Response.Result.Message
	}
	return v
}
