package input_test

import (
	"encoding/json"
	"strings"
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

// managedFields is what the kube-apiserver adds to the metadata of a Deployment applied with
// kubectl and scaled by its controller: every field once more, per manager.
const managedFields = `[{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1","time":"2026-12-01T10:00:00Z","fieldsType":"FieldsV1",
"fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"f:labels":{".":{},"f:app":{},"f:owner":{}}},
"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},
"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{},"f:owner":{}}},"f:spec":{"f:automountServiceAccountToken":{},
"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"LOG_LEVEL\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:imagePullPolicy":{},"f:name":{},
"f:ports":{".":{},"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},
"f:resources":{".":{},"f:limits":{".":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},
"f:securityContext":{".":{},"f:allowPrivilegeEscalation":{},"f:capabilities":{".":{},"f:drop":{}},"f:readOnlyRootFilesystem":{}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}},
"k:{\"name\":\"proxy\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{".":{},"f:limits":{".":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},
"f:securityContext":{".":{},"f:allowPrivilegeEscalation":{},"f:capabilities":{".":{},"f:drop":{}},"f:readOnlyRootFilesystem":{}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},
"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{".":{},"f:runAsNonRoot":{},"f:seccompProfile":{".":{},"f:type":{}}},"f:serviceAccount":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{}}}}}},
{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2026-12-01T10:00:05Z","fieldsType":"FieldsV1","subresource":"status",
"fieldsV1":{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}},"f:status":{"f:availableReplicas":{},"f:conditions":{".":{},
"k:{\"type\":\"Available\"}":{".":{},"f:lastTransitionTime":{},"f:lastUpdateTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}},
"k:{\"type\":\"Progressing\"}":{".":{},"f:lastTransitionTime":{},"f:lastUpdateTime":{},"f:message":{},"f:reason":{},"f:status":{},"f:type":{}}},
"f:observedGeneration":{},"f:readyReplicas":{},"f:replicas":{},"f:updatedReplicas":{}}}}]`

// fromAPIServer is the deployment as the kube-apiserver sends it: with managedFields.
var fromAPIServer = strings.Replace(deployment, `"metadata":{"name":"checkout",`, `"metadata":{"managedFields":`+managedFields+`,"name":"checkout",`, 1)

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

// BenchmarkBuild measures turning a decoded request into the policy input value: the
// Deployment as a manifest (CREATE, as the CLI judges it), and as the kube-apiserver sends an
// UPDATE of it (object and old object, both with managedFields).
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
	update := *req
	update.Operation = admissionv1.Update
	update.Object.Raw, update.OldObject.Raw = []byte(fromAPIServer), []byte(fromAPIServer)
	b.Run("manifest", func(b *testing.B) { benchmarkBuild(b, req, ns) })
	b.Run("apiserver-update", func(b *testing.B) { benchmarkBuild(b, &update, ns) })
}

func benchmarkBuild(b *testing.B, req *admissionv1.AdmissionRequest, ns *input.Namespace) {
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
