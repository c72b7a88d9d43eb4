package webhook_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/internal/evidencetest"
)

// fakeNamespaces knows some namespaces and remembers which were asked for.
type fakeNamespaces struct {
	mu    sync.Mutex
	known map[string]*input.Namespace
	asked []string
}

func (f *fakeNamespaces) Namespace(_ context.Context, name string) *input.Namespace {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, name)
	return f.known[name]
}

func namespacedReview(kind, resource, name, namespace, object string) string {
	return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-ns",
"kind":{"group":"","version":"v1","kind":"` + kind + `"},"resource":{"group":"","version":"v1","resource":"` + resource + `"},
"name":"` + name + `","namespace":"` + namespace + `","operation":"CREATE","userInfo":{"username":"alice"},"object":` + object + `}}`
}

func TestHandlerNamespaceMetadata(t *testing.T) {
	searchPod := strings.Replace(strings.Replace(compliantPod, `"owner":"payments"`, `"owner":"search"`, 1), `"name":"web"`, `"name":"x"`, 1)
	yes, no := true, false
	tests := []struct {
		name        string
		body        string
		wantAsked   []string
		wantKnown   *bool
		wantAllowed bool
		wantMessage string
	}{
		{
			name:        "policies see the request's namespace",
			body:        namespacedReview("Pod", "pods", "x", "shop", searchPod),
			wantAsked:   []string{"shop"},
			wantKnown:   &yes,
			wantMessage: `[OWN-002] Pod "x" has label "owner"="search" but namespace "shop" belongs to "payments"`,
		},
		{
			name:        "tiering reads the namespace: a warning outside prod",
			body:        namespacedReview("Pod", "pods", "x", "lab", searchPod),
			wantAsked:   []string{"lab"},
			wantKnown:   &yes,
			wantAllowed: true,
			wantMessage: `[OWN-002] Pod "x" has label "owner"="search" but namespace "lab" belongs to "payments"`,
		},
		{
			name:        "unknown namespace is evaluated without it and recorded so",
			body:        namespacedReview("Pod", "pods", "x", "new-team", searchPod),
			wantAsked:   []string{"new-team"},
			wantKnown:   &no,
			wantAllowed: true,
		},
		{
			name:        "a Namespace is judged by its own metadata, not looked up",
			body:        namespacedReview("Namespace", "namespaces", "fresh", "fresh", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fresh"}}`),
			wantKnown:   &yes,
			wantMessage: `[OWN-001] namespace "fresh" must carry label "owner"`,
		},
		{
			name:        "cluster-scoped objects have no namespace",
			body:        namespacedReview("PersistentVolume", "persistentvolumes", "x", "", `{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"x"}}`),
			wantKnown:   nil,
			wantAllowed: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evidencetest.Memory{}
			h := newHandler(t, ev)
			lookup := &fakeNamespaces{known: map[string]*input.Namespace{
				"shop": {Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}},
				"lab":  {Name: "lab", Labels: map[string]string{"owner": "payments", "environment": "dev"}},
			}}
			h.Namespaces = lookup
			resp := decodeResponse(t, post(h, "application/json", tc.body))
			shown := strings.Join(resp.Warnings, "\n")
			if resp.Result != nil {
				shown += "\n" + resp.Result.Message
			}
			if tc.wantAllowed != resp.Allowed || !strings.Contains(shown, tc.wantMessage) {
				t.Errorf("allowed %t with messages:\n%s\nwant allowed %t and %q", resp.Allowed, shown, tc.wantAllowed, tc.wantMessage)
			}
			if diff := cmp.Diff(tc.wantAsked, lookup.asked); diff != "" {
				t.Errorf("namespaces looked up (-want +got):\n%s", diff)
			}
			if len(ev.Records()) != 1 {
				t.Fatalf("evidence records = %d, want 1", len(ev.Records()))
			}
			if diff := cmp.Diff(tc.wantKnown, ev.Records()[0].NamespaceKnown); diff != "" {
				t.Errorf("evidence namespaceKnown (-want +got):\n%s", diff)
			}
		})
	}
}
