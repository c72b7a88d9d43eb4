package namespaces_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/namespaces"
)

func namespace(name string, labels, annotations map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations}}
}

// countingClient is a fake apiserver holding objs that counts Get calls and can fail them.
func countingClient(t *testing.T, gets *atomic.Int32, fail error, objs ...client.Object) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	return interceptor.NewClient(fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build(), interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			gets.Add(1)
			if fail != nil {
				return fail
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
}

func TestNamespaceLookup(t *testing.T) {
	shop := namespace("shop", map[string]string{"owner": "payments", "environment": "prod"}, map[string]string{"shared-with": "checkout"})
	fresh := namespace("fresh", map[string]string{"owner": "search"}, nil)
	tests := []struct {
		name       string
		lookup     string
		directFail error
		want       *input.Namespace
		wantDirect int32
	}{
		{
			name:   "cached namespace is read from the cache alone",
			lookup: "shop",
			want:   &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}, Annotations: map[string]string{"shared-with": "checkout"}},
		},
		{
			name:       "namespace the cache has not seen yet is read from the apiserver",
			lookup:     "fresh",
			want:       &input.Namespace{Name: "fresh", Labels: map[string]string{"owner": "search"}},
			wantDirect: 1,
		},
		{
			name:       "namespace nobody knows is unknown",
			lookup:     "gone",
			want:       nil,
			wantDirect: 1,
		},
		{
			name:       "failing apiserver leaves the namespace unknown",
			lookup:     "fresh",
			directFail: errors.New("connection refused"),
			want:       nil,
			wantDirect: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cacheGets, directGets atomic.Int32
			cached := countingClient(t, &cacheGets, nil, shop)
			direct := countingClient(t, &directGets, tc.directFail, shop, fresh)
			l := namespaces.NewFromReaders(cached, direct, logr.Discard())
			got := l.Namespace(t.Context(), tc.lookup)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Namespace(%q) (-want +got):\n%s", tc.lookup, diff)
			}
			if cacheGets.Load() != 1 || directGets.Load() != tc.wantDirect {
				t.Errorf("cache reads = %d, direct reads = %d; want 1 and %d", cacheGets.Load(), directGets.Load(), tc.wantDirect)
			}
		})
	}
}

func TestReadyOnceSynced(t *testing.T) {
	var gets atomic.Int32
	c := countingClient(t, &gets, nil)
	if err := namespaces.NewFromReaders(c, c, logr.Discard()).Ready(nil); err != nil {
		t.Errorf("a lookup on serving readers must be ready, got %v", err)
	}
}

func TestServiceAccountLookup(t *testing.T) {
	off := false
	cachedDefault := &corev1.ServiceAccount{
		ObjectMeta:                   metav1.ObjectMeta{Name: "default", Namespace: "shop", Annotations: map[string]string{"govhook.io/api-access": "leader election"}},
		AutomountServiceAccountToken: &off,
	}
	notCached := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "fresh", Namespace: "shop"}}
	tests := []struct {
		name, namespace, account string
		want                     *input.ServiceAccount
	}{
		{
			name: "cached account", namespace: "shop", account: "default",
			want: &input.ServiceAccount{Name: "default", Namespace: "shop", AutomountServiceAccountToken: &off, Annotations: map[string]string{"govhook.io/api-access": "leader election"}},
		},
		// Only the cache is read: an account it does not hold yet is unknown, never read from
		// the apiserver on the request's deadline.
		{name: "account the cache does not hold", namespace: "shop", account: "fresh"},
		{name: "same name in another namespace", namespace: "other", account: "default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cacheGets, directGets atomic.Int32
			cached := countingClient(t, &cacheGets, nil, cachedDefault)
			direct := countingClient(t, &directGets, nil, cachedDefault, notCached)
			l := namespaces.NewFromReaders(cached, direct, logr.Discard())
			if diff := cmp.Diff(tc.want, l.ServiceAccount(t.Context(), tc.namespace, tc.account)); diff != "" {
				t.Errorf("ServiceAccount(%q, %q) (-want +got):\n%s", tc.namespace, tc.account, diff)
			}
			if directGets.Load() != 0 {
				t.Errorf("direct reads = %d, want 0", directGets.Load())
			}
		})
	}
}
