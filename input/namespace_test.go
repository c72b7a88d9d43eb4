package input_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/input"
)

func TestSelfNamespace(t *testing.T) {
	shop := `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"owner":"payments"},"annotations":{"shared-with":"checkout"}}}`
	want := &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments"}, Annotations: map[string]string{"shared-with": "checkout"}}
	tests := []struct {
		name      string
		kind      metav1.GroupVersionKind
		object    string
		oldObject string
		want      *input.Namespace
	}{
		{name: "create or update: the object", kind: metav1.GroupVersionKind{Version: "v1", Kind: "Namespace"}, object: shop, want: want},
		{name: "delete: the old object", kind: metav1.GroupVersionKind{Version: "v1", Kind: "Namespace"}, object: " null", oldObject: shop, want: want},
		{name: "other kinds: none", kind: metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, object: shop},
		{name: "a Namespace kind of another group: none", kind: metav1.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Namespace"}, object: shop},
		{name: "undecodable: none", kind: metav1.GroupVersionKind{Version: "v1", Kind: "Namespace"}, object: `{"metadata":`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &admissionv1.AdmissionRequest{Kind: tc.kind, Object: runtime.RawExtension{Raw: []byte(tc.object)}, OldObject: runtime.RawExtension{Raw: []byte(tc.oldObject)}}
			if diff := cmp.Diff(tc.want, input.SelfNamespace(req)); diff != "" {
				t.Errorf("SelfNamespace (-want +got):\n%s", diff)
			}
		})
	}
}
