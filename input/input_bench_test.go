package input_test

import (
	"encoding/json"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/input"
)

const deployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"checkout","namespace":"shop","labels":{"app":"checkout","owner":"payments"}},
"spec":{"replicas":3,"selector":{"matchLabels":{"app":"checkout"}},"template":{"metadata":{"labels":{"app":"checkout","owner":"payments"}},
"spec":{"serviceAccountName":"checkout","automountServiceAccountToken":false,"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2","ports":[{"containerPort":8080}],
"env":[{"name":"LOG_LEVEL","value":"info"}],"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"memory":"256Mi"}}},
{"name":"proxy","image":"public.ecr.aws/envoyproxy/envoy:v1.31.0","securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"128Mi"}}}]}}}}`

// BenchmarkDecodeReview measures decoding an AdmissionReview body into the typed request.
func BenchmarkDecodeReview(b *testing.B) {
	body := []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"apps","version":"v1","kind":"Deployment"},
"resource":{"group":"apps","version":"v1","resource":"deployments"},"namespace":"shop","name":"checkout","operation":"CREATE",
"userInfo":{"username":"alice","groups":["dev"]},"object":` + deployment + `}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var r admissionv1.AdmissionReview
		if err := json.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild measures turning a decoded request into the policy input value.
func BenchmarkBuild(b *testing.B) {
	req := &admissionv1.AdmissionRequest{
		UID:       "u",
		Kind:      metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Resource:  metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
		Namespace: "shop",
		Name:      "checkout",
		Operation: admissionv1.Create,
		Object:    runtime.RawExtension{Raw: []byte(deployment)},
	}
	ns := &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := input.Build(req, ns, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPodServiceAccountName measures finding the ServiceAccount a Deployment's pod runs
// as, the extra parse a review pays before the ServiceAccount lookup.
func BenchmarkPodServiceAccountName(b *testing.B) {
	req := &admissionv1.AdmissionRequest{
		Kind:   metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Object: runtime.RawExtension{Raw: []byte(deployment)},
	}
	b.ReportAllocs()
	for b.Loop() {
		if name, ok := input.PodServiceAccountName(req); !ok || name != "checkout" {
			b.Fatalf("got %q, %v", name, ok)
		}
	}
}
