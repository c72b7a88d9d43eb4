package namespaces_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/internal/testsupport"
	"github.com/govhook/govhook/namespaces"
)

// TestLookupOnRealAPIServer runs the informer against a real kube-apiserver and etcd
// (KUBEBUILDER_ASSETS, e.g. from hack/build-control-plane.sh); skipped without them.
func TestLookupOnRealAPIServer(t *testing.T) {
	_, cfg := testsupport.ControlPlane(t)
	admin, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	lastApplied := map[string]string{"security-contact": "a@example.com", "kubectl.kubernetes.io/last-applied-configuration": `{"big":"object"}`}
	if err := admin.Create(ctx, namespace("before", map[string]string{"owner": "payments"}, lastApplied)); err != nil {
		t.Fatal(err)
	}
	off := false
	account := &corev1.ServiceAccount{
		ObjectMeta:                   metav1.ObjectMeta{Name: "quiet", Namespace: "before", Annotations: lastApplied},
		AutomountServiceAccountToken: &off,
		ImagePullSecrets:             []corev1.LocalObjectReference{{Name: "registry"}},
	}
	if err := admin.Create(ctx, account); err != nil {
		t.Fatal(err)
	}

	l, err := namespaces.New(cfg, logr.Discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Ready(nil); err == nil {
		t.Error("ready before the cache started")
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Start: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for l.Ready(nil) != nil {
		if time.Now().After(deadline) {
			t.Fatal("namespace cache never synced")
		}
		time.Sleep(50 * time.Millisecond)
	}

	want := &input.Namespace{Name: "before", Labels: map[string]string{"owner": "payments", "kubernetes.io/metadata.name": "before"}, Annotations: map[string]string{"security-contact": "a@example.com"}}
	if diff := cmp.Diff(want, l.Namespace(ctx, "before")); diff != "" {
		t.Errorf("cached namespace (-want +got):\n%s", diff)
	}
	// Created and looked up at once, as kubectl apply does with a Namespace and its objects:
	// known whether or not the informer has caught up.
	if err := admin.Create(ctx, namespace("same-apply", map[string]string{"owner": "search"}, nil)); err != nil {
		t.Fatal(err)
	}
	want = &input.Namespace{Name: "same-apply", Labels: map[string]string{"owner": "search", "kubernetes.io/metadata.name": "same-apply"}}
	if diff := cmp.Diff(want, l.Namespace(ctx, "same-apply")); diff != "" {
		t.Errorf("new namespace (-want +got):\n%s", diff)
	}
	if got := l.Namespace(ctx, "never-created"); got != nil {
		t.Errorf("unknown namespace = %+v, want nil", got)
	}

	wantSA := &input.ServiceAccount{Name: "quiet", Namespace: "before", AutomountServiceAccountToken: &off, Annotations: map[string]string{"security-contact": "a@example.com"}}
	if diff := cmp.Diff(wantSA, l.ServiceAccount(ctx, "before", "quiet")); diff != "" {
		t.Errorf("cached service account (-want +got):\n%s", diff)
	}
	if got := l.ServiceAccount(ctx, "before", "never-created"); got != nil {
		t.Errorf("unknown service account = %+v, want nil", got)
	}
}
