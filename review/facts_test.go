package review_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/review"
)

func TestFacts(t *testing.T) {
	nsObject := `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"environment":"prod"}}}`
	namespaceRequest := func(op admissionv1.Operation, object, old string) *admissionv1.AdmissionRequest {
		req := &admissionv1.AdmissionRequest{
			Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Namespace"}, Name: "shop", Operation: op,
			UserInfo: userInfo("alice", "ops"),
		}
		req.Object.Raw, req.OldObject.Raw = []byte(object), []byte(old)
		return req
	}
	deployment := &admissionv1.AdmissionRequest{
		Kind: metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, Name: "web", Namespace: "shop",
		Operation: admissionv1.Create, UserInfo: userInfo("alice", "ops"), Object: runtime.RawExtension{Raw: []byte(`{}`)},
	}
	cached := &input.Namespace{Name: "shop", Labels: map[string]string{"environment": "dev"}}
	base := decision.Request{Namespace: "shop", Name: "shop", Kind: "Namespace", Username: "alice", Groups: []string{"ops"}}
	tests := []struct {
		name string
		req  *admissionv1.AdmissionRequest
		ns   *input.Namespace
		want decision.Request
	}{
		{"a Namespace's own labels count, not the cache's", namespaceRequest(admissionv1.Create, nsObject, ""), cached,
			with(base, func(r *decision.Request) {
				r.NamespaceKnown, r.NamespaceLabels = true, map[string]string{"environment": "prod"}
			})},
		{"a deleted Namespace is judged by its old labels", namespaceRequest(admissionv1.Delete, "null", nsObject), nil,
			with(base, func(r *decision.Request) {
				r.NamespaceKnown, r.NamespaceLabels = true, map[string]string{"environment": "prod"}
			})},
		{"a Namespace without an object is unknown", namespaceRequest(admissionv1.Delete, "", ""), nil, base},
		{"a namespaced object takes the cached namespace", deployment, cached,
			decision.Request{Namespace: "shop", NamespaceKnown: true, NamespaceLabels: map[string]string{"environment": "dev"}, Kind: "Deployment", Name: "web", Username: "alice", Groups: []string{"ops"}}},
		{"a namespace not in the cache is unknown", deployment, nil,
			decision.Request{Namespace: "shop", Kind: "Deployment", Name: "web", Username: "alice", Groups: []string{"ops"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, review.Facts(tc.req, tc.ns)); diff != "" {
				t.Errorf("Facts (-want +got):\n%s", diff)
			}
		})
	}
}

func userInfo(name string, groups ...string) authenticationv1.UserInfo {
	return authenticationv1.UserInfo{Username: name, Groups: groups}
}

func with(r decision.Request, edit func(*decision.Request)) decision.Request {
	edit(&r)
	return r
}
