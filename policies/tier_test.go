package policies_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// TestTierDowngrade reproduces issue 16 row 5: a Namespace UPDATE that changed its tier label
// from environment=prod to dev was admitted, turning every tiered policy in it into a warning.
// Lowering or removing the tier is refused unless an exception covers it; raising or keeping
// it, and a CREATE at any tier, are not the tier policy's business.
func TestTierDowngrade(t *testing.T) {
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	plain := fixtureConfig()
	excepted, err := config.Parse([]byte(`apiVersion: govhook.io/v1alpha1
kind: Config
exceptions:
- id: EXC-2026-031
  policies: [NS-003]
  match: {namespaces: [shop]}
  justification: the shop moves to the dev cluster's tier during its decommissioning
  ticket: CHG-812
  requestedBy: alice@example.com
  approvedBy: bob@example.com
  expires: "2026-12-31"
`), config.Clock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		op       admissionv1.Operation
		old, new string // the environment label; "" is no label
		cfg      *config.Config
		want     decision.Outcome
		ns003    []string // NS-003's findings
	}{
		{name: "prod to dev is refused", op: admissionv1.Update, old: "prod", new: "dev", cfg: plain, want: decision.OutcomeDeny,
			ns003: []string{`deny: an update of namespace "shop" must not lower label "environment" from "prod" to "dev": tiered policies enforce by it; that needs an approved exception`}},
		{name: "staging to sandbox is refused", op: admissionv1.Update, old: "staging", new: "sandbox", cfg: plain, want: decision.OutcomeDeny,
			ns003: []string{`deny: an update of namespace "shop" must not lower label "environment" from "staging" to "sandbox": tiered policies enforce by it; that needs an approved exception`}},
		{name: "removing the label is refused", op: admissionv1.Update, old: "prod", new: "", cfg: plain, want: decision.OutcomeDeny,
			ns003: []string{`deny: an update of namespace "shop" must not remove label "environment" (it was "prod"); that needs an approved exception`}},
		{name: "an approved exception admits the downgrade", op: admissionv1.Update, old: "prod", new: "dev", cfg: excepted, want: decision.OutcomeAllow,
			ns003: []string{`waived: an update of namespace "shop" must not lower label "environment" from "prod" to "dev": tiered policies enforce by it; that needs an approved exception`}},
		{name: "raising the tier is admitted", op: admissionv1.Update, old: "dev", new: "prod", cfg: plain, want: decision.OutcomeAllow},
		{name: "keeping the tier is admitted", op: admissionv1.Update, old: "prod", new: "prod", cfg: plain, want: decision.OutcomeAllow},
		{name: "a create at the lowest tier is admitted", op: admissionv1.Create, new: "sandbox", cfg: plain, want: decision.OutcomeAllow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := namespaceRequest(t, tc.op, tc.old, tc.new)
			res, err := review.New(engine, tc.cfg, func() time.Time { return now }).Review(t.Context(), req, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ns003 []string
			for _, f := range res.Decision.Findings {
				if f.Policy == "NS-003" {
					ns003 = append(ns003, f.Action+": "+f.Message)
				}
			}
			if diff := cmp.Diff(tc.ns003, ns003); diff != "" {
				t.Errorf("NS-003 findings (-want +got):\n%s", diff)
			}
			if res.Decision.Outcome != tc.want {
				t.Errorf("outcome %s, want %s (findings %+v)", res.Decision.Outcome, tc.want, res.Decision.Findings)
			}
		})
	}
}

// namespaceRequest is a request for namespace shop, compliant but for its environment label:
// old is the label before (ignored for a CREATE), new after; "" leaves the label out.
func namespaceRequest(t *testing.T, op admissionv1.Operation, old, new string) *admissionv1.AdmissionRequest {
	t.Helper()
	raw := func(env string) runtime.RawExtension {
		labels := map[string]string{"owner": "payments", "data-classification": "internal", "pod-security.kubernetes.io/enforce": "restricted"}
		if env != "" {
			labels["environment"] = env
		}
		ns := corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: labels, Annotations: map[string]string{"security-contact": "payments@example.com"}},
		}
		data, err := json.Marshal(ns)
		if err != nil {
			t.Fatal(err)
		}
		return runtime.RawExtension{Raw: data}
	}
	req := &admissionv1.AdmissionRequest{
		UID:       "8c4d1f20-0000-4000-8000-000000000016",
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Namespace"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "namespaces"},
		Name:      "shop",
		Operation: op,
		Object:    raw(new),
	}
	req.UserInfo.Username = "alice@example.com"
	if op == admissionv1.Update {
		req.OldObject = raw(old)
	}
	return req
}
