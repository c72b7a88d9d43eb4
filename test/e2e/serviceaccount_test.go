//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/govhook/govhook/decision"
)

// TestDefaultServiceAccountWithoutToken: govhook reads the ServiceAccount a pod will run as
// from its cache of the cluster's ServiceAccounts. A pod on "default" that leaves token
// automount unset is admitted in a prod namespace whose default ServiceAccount turns
// automount off (it gets no token), and refused (SA-001) in one whose default ServiceAccount
// mounts it.
func TestDefaultServiceAccountWithoutToken(t *testing.T) {
	setUp(t, testdata+"quiet-namespace.yaml", testdata+"loud-namespace.yaml")
	// The account reaches govhook's informer moments after it is created; until then the pod
	// alone decides, and is refused.
	deadline := time.Now().Add(15 * time.Second)
	for kubectl(t, "apply", "--dry-run=server", "-n", "quiet", "-f", testdata+"default-account-pod.yaml").exit != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the pod on a default ServiceAccount without token was never admitted")
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, s := range []step{
		{
			name:   "admitted where the default account has no token",
			args:   []string{"apply", "-n", "quiet", "-f", testdata + "default-account-pod.yaml"},
			says:   []string{"pod/web created"},
			record: record("CREATE", "v1/Pod", "pods", "quiet", "web", decision.OutcomeAllow),
			exists: []string{"pod", "web", "-n", "quiet"},
		},
		{
			name:   "refused where the default account mounts its token",
			args:   []string{"apply", "-n", "loud", "-f", testdata + "default-account-pod.yaml"},
			exit:   1,
			says:   []string{denied() + `[SA-001] Pod "web" must not run as ServiceAccount "default" with its token mounted`},
			record: record("CREATE", "v1/Pod", "pods", "loud", "web", decision.OutcomeDeny, "SA-001"),
			absent: []string{"pod", "web", "-n", "loud"},
		},
	} {
		t.Run(s.name, s.run)
	}
}
