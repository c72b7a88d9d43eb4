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

// fakeAccounts knows some ServiceAccounts and remembers which were asked for.
type fakeAccounts struct {
	mu    sync.Mutex
	known map[string]*input.ServiceAccount // by namespace/name
	asked []string
}

func (f *fakeAccounts) ServiceAccount(_ context.Context, namespace, name string) *input.ServiceAccount {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, namespace+"/"+name)
	return f.known[namespace+"/"+name]
}

func TestHandlerServiceAccounts(t *testing.T) {
	off := false
	onDefault := strings.Replace(compliantPod, `"serviceAccountName":"web",`, ``, 1)
	tokenOn := strings.Replace(compliantPod, `"serviceAccountName":"web",`, `"serviceAccountName":"web","automountServiceAccountToken":true,`, 1)
	known := map[string]*input.ServiceAccount{
		"shop/default":    input.NewServiceAccount("shop", "default", &off, nil),
		"justified/web":   input.NewServiceAccount("justified", "web", nil, map[string]string{"govhook.io/api-access": "leader election"}),
		"unjustified/web": input.NewServiceAccount("unjustified", "web", nil, nil),
	}
	sa001 := `[SA-001] Pod "web" must not run as ServiceAccount "default" with its token mounted`
	sa002 := `[SA-002] Pod "web" sets spec.automountServiceAccountToken: true`
	tests := []struct {
		name        string
		body        string
		wantAsked   []string
		wantAllowed bool
		want, not   string
	}{
		{
			name:        "a pod on default in a namespace whose default account has no token",
			body:        namespacedReview("Pod", "pods", "web", "shop", onDefault),
			wantAsked:   []string{"shop/default"},
			wantAllowed: true,
			not:         sa001,
		},
		{
			name:      "an account the cache does not hold leaves the pod to decide alone",
			body:      namespacedReview("Pod", "pods", "web", "fresh", onDefault),
			wantAsked: []string{"fresh/default"},
			want:      sa001,
		},
		{
			name:      "a pod that turns the token back on",
			body:      namespacedReview("Pod", "pods", "web", "shop", strings.Replace(onDefault, `"spec":{`, `"spec":{"automountServiceAccountToken":true,`, 1)),
			wantAsked: []string{"shop/default"},
			want:      sa001,
		},
		{
			name:        "a pod forcing the token, justified on its account",
			body:        namespacedReview("Pod", "pods", "web", "justified", tokenOn),
			wantAsked:   []string{"justified/web"},
			wantAllowed: true,
			not:         sa002,
		},
		{
			name:        "a pod forcing the token, with an unjustified account",
			body:        namespacedReview("Pod", "pods", "web", "unjustified", tokenOn),
			wantAsked:   []string{"unjustified/web"},
			wantAllowed: true,
			want:        sa002,
		},
		{
			name:        "objects without a pod spec look nothing up",
			body:        namespacedReview("ServiceAccount", "serviceaccounts", "web", "shop", `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"web","namespace":"shop","labels":{"owner":"payments"}},"automountServiceAccountToken":false}`),
			wantAllowed: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, &evidencetest.Memory{})
			accounts := &fakeAccounts{known: known}
			h.ServiceAccounts = accounts
			resp := decodeResponse(t, post(h, "application/json", tc.body))
			shown := strings.Join(resp.Warnings, "\n")
			if resp.Result != nil {
				shown += "\n" + resp.Result.Message
			}
			if resp.Allowed != tc.wantAllowed || !strings.Contains(shown, tc.want) || (tc.not != "" && strings.Contains(shown, tc.not)) {
				t.Errorf("allowed %t with messages:\n%s\nwant allowed %t, with %q, without %q", resp.Allowed, shown, tc.wantAllowed, tc.want, tc.not)
			}
			if diff := cmp.Diff(tc.wantAsked, accounts.asked); diff != "" {
				t.Errorf("service accounts looked up (-want +got):\n%s", diff)
			}
		})
	}
}
