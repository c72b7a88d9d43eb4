package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/govhook/govhook/internal/testsupport"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// TestServeSeesNamespaces runs serve against a real kube-apiserver (KUBEBUILDER_ASSETS, e.g.
// from hack/build-control-plane.sh; skipped without it): readiness waits for the namespace
// cache, policies see the request's namespace and the ServiceAccount a pod runs as, and the
// evidence says whether they saw the namespace.
func TestServeSeesNamespaces(t *testing.T) {
	env, cfg := testsupport.ControlPlane(t)
	admin, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	shop := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}}}
	bare := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "bare", Labels: map[string]string{"owner": "payments", "environment": "prod"}}}
	off := false
	quiet := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "shop"}, AutomountServiceAccountToken: &off}
	for _, o := range []client.Object{shop, bare, quiet} {
		if err := admin.Create(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}
	// serve reads namespaces as a user of its own, as it would with its ServiceAccount.
	path := testsupport.Kubeconfig(t, env, envtest.User{Name: "govhook", Groups: []string{"system:masters"}})

	s := startServe(t, "--kubeconfig", path, "--audit-interval=0")
	resp, err := http.Get("http://" + s.metricsAddr + "/readyz?verbose")
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(checks), "[+]namespaces ok") {
		t.Errorf("readiness does not wait for the namespace cache:\n%s", checks)
	}

	review := s.post(deploymentReview("ns-known", "shop", "web", "search", false))
	if review.Allowed || !strings.Contains(review.Result.Message, `[OWN-002] Deployment "web" has label "owner"="search" but namespace "shop" belongs to "payments"`) {
		t.Fatalf("want an OWN-002 denial naming the namespace's owner, got %+v", review)
	}
	s.post(deploymentReview("ns-unknown", "nowhere", "web", "search", false))

	// A pod on "default" that leaves automount unset: the cached ServiceAccount decides.
	onDefault := func(uid, ns string) string {
		return strings.Replace(deploymentReview(uid, ns, "web", "payments", false), `"automountServiceAccountToken":false,`, "", 1)
	}
	if review := s.post(onDefault("sa-quiet", "shop")); !review.Allowed {
		t.Errorf("a pod on a default ServiceAccount without token was refused: %+v", review.Result)
	}
	if review := s.post(onDefault("sa-unknown", "bare")); review.Allowed || !strings.Contains(review.Result.Message, `[SA-001] Deployment "web" must not run as ServiceAccount "default"`) {
		t.Errorf("want an SA-001 denial where the default ServiceAccount is not known, got %+v", review)
	}
	if known := s.evidence("ns-known")["namespaceKnown"]; known != true {
		t.Errorf("evidence of a request in a known namespace has namespaceKnown %v, want true", known)
	}
	if known := s.evidence("ns-unknown")["namespaceKnown"]; known != false {
		t.Errorf("evidence of a request in an unknown namespace has namespaceKnown %v, want false", known)
	}
}
