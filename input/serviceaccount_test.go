package input_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/input"
)

func TestPodServiceAccountName(t *testing.T) {
	tests := []struct {
		name, kind, object string
		want               string
		wantOK             bool
	}{
		{name: "pod without a name", kind: "Pod", object: `{"spec":{"containers":[]}}`, want: "default", wantOK: true},
		{name: "pod with a name", kind: "Pod", object: `{"spec":{"serviceAccountName":"web"}}`, want: "web", wantOK: true},
		{name: "null name (Helm)", kind: "Pod", object: `{"spec":{"serviceAccountName":null}}`, want: "default", wantOK: true},
		{name: "empty name", kind: "Pod", object: `{"spec":{"serviceAccountName":""}}`, want: "default", wantOK: true},
		{name: "deprecated field", kind: "Pod", object: `{"spec":{"serviceAccountName":"","serviceAccount":"old"}}`, want: "old", wantOK: true},
		{name: "name wins over the deprecated field", kind: "Pod", object: `{"spec":{"serviceAccountName":"new","serviceAccount":"old"}}`, want: "new", wantOK: true},
		{name: "not a string", kind: "Pod", object: `{"spec":{"serviceAccountName":7}}`, want: "default", wantOK: true},
		{name: "deployment", kind: "Deployment", object: `{"spec":{"template":{"spec":{"serviceAccountName":"web"}}}}`, want: "web", wantOK: true},
		{name: "cronjob", kind: "CronJob", object: `{"spec":{"jobTemplate":{"spec":{"template":{"spec":{}}}}}}`, want: "default", wantOK: true},
		{name: "pod template", kind: "PodTemplate", object: `{"template":{"spec":{"serviceAccountName":"web"}}}`, want: "web", wantOK: true},
		{name: "deployment without a template", kind: "Deployment", object: `{"spec":{}}`},
		{name: "spec not an object", kind: "Pod", object: `{"spec":"x"}`},
		{name: "other kind", kind: "Service", object: `{"spec":{}}`},
		{name: "no object (DELETE)", kind: "Pod", object: ``},
		{name: "broken object", kind: "Pod", object: `{"spec":`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Kind: tc.kind}, Object: runtime.RawExtension{Raw: []byte(tc.object)}}
			got, ok := input.PodServiceAccountName(req)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("got (%q, %v), want (%q, %v)", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestServiceAccountOf(t *testing.T) {
	off := false
	tests := []struct {
		name, raw, namespace string
		want                 *input.ServiceAccount
	}{
		{
			name:      "namespace of its own, automount off",
			raw:       `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"shop","annotations":{"a":"b","kubectl.kubernetes.io/last-applied-configuration":"{}"}},"automountServiceAccountToken":false,"secrets":[{"name":"s"}]}`,
			namespace: "other",
			want:      &input.ServiceAccount{Name: "default", Namespace: "shop", AutomountServiceAccountToken: &off, Annotations: map[string]string{"a": "b"}},
		},
		{
			name:      "namespace from the context, automount unset",
			raw:       `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"web"}}`,
			namespace: "shop",
			want:      &input.ServiceAccount{Name: "web", Namespace: "shop"},
		},
		{name: "no name", raw: `{"metadata":{}}`},
		{name: "not JSON", raw: `{`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := input.ServiceAccountOf([]byte(tc.raw), tc.namespace)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
