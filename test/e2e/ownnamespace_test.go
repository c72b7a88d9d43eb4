//go:build e2e

package e2e

import (
	"context"
	"testing"

	"github.com/govhook/govhook/decision"
)

// ownNamespace is the webhook entry that sends CREATEs in govhook's namespace.
const ownNamespace = "own-namespace.govhook.io"

// replicaSetController is the identity under which the kube-controller-manager creates
// govhook's pods.
const replicaSetController = "system:serviceaccount:kube-system:replicaset-controller"

// TestOwnNamespaceCreates reproduces issue 16 row 12: CREATEs in govhook-system were never
// judged, so anyone RBAC let create there could add a pod with the labels of govhook's Service
// (joining its endpoints), a Service or a RoleBinding. Now own-namespace.govhook.io sends them
// and MON-002 refuses them to an ordinary user, while a control-plane identity is admitted and
// the ReplicaSet controller's pods never reach govhook, not even while govhook is down.
func TestOwnNamespaceCreates(t *testing.T) {
	setUp(t, "../../deploy/base/namespace.yaml", testdata+"govhook-system-access.yaml")
	const ns = "govhook-system"
	by := func(who string, d *decided) *decided { d.User = who; return d }
	refused := func(kind, resource, name string) *decided {
		return by("oncall-dev", record("CREATE", kind, resource, ns, name, decision.OutcomeDeny, "MON-002"))
	}
	const advice = `only govhook's deployer and the control plane create objects there (see: govhook policies explain MON-002)`
	for _, s := range []step{{
		name: "a pod with the labels of govhook's Service is refused although RBAC allows it",
		args: []string{"--as", "oncall-dev", "create", "-f", testdata + "govhook-impostor-pod.yaml"},
		exit: 1,
		says: []string{deniedBy(ownNamespace) + `[MON-002] "oncall-dev" may not create Pod "impostor" in govhook's namespace "govhook-system": ` +
			`its labels match govhook's Service selector (app.kubernetes.io/component=webhook, app.kubernetes.io/name=govhook), so it would receive the apiserver's admission requests; ` + advice},
		record: refused("v1/Pod", "pods", "impostor"),
		absent: []string{"pod", "impostor", "-n", ns},
	}, {
		name:   "a Service is refused",
		args:   []string{"--as", "oncall-dev", "create", "-f", testdata + "govhook-impostor-service.yaml"},
		exit:   1,
		says:   []string{deniedBy(ownNamespace) + `[MON-002] "oncall-dev" may not create Service "impostor" in govhook's namespace "govhook-system": ` + advice},
		record: refused("v1/Service", "services", "impostor"),
		absent: []string{"service", "impostor", "-n", ns},
	}, {
		name:   "a RoleBinding is refused",
		args:   []string{"--as", "oncall-dev", "create", "-f", testdata + "govhook-impostor-rolebinding.yaml"},
		exit:   1,
		says:   []string{deniedBy(ownNamespace) + `[MON-002] "oncall-dev" may not create RoleBinding "impostor-write" in govhook's namespace "govhook-system": ` + advice},
		record: refused("rbac.authorization.k8s.io/v1/RoleBinding", "rolebindings", "impostor-write"),
		absent: []string{"rolebinding", "impostor-write", "-n", ns},
	}, {
		name:   "a control-plane identity's Service is judged and admitted",
		args:   []string{"--as", "eks:addon-manager", "create", "-f", testdata + "govhook-addon-service.yaml"},
		says:   []string{"service/addon-metrics created"},
		record: by("eks:addon-manager", record("CREATE", "v1/Service", "services", ns, "addon-metrics", decision.OutcomeAllow)),
		exists: []string{"service", "addon-metrics", "-n", ns},
	}, {
		name: "the ReplicaSet controller's pod of govhook never reaches govhook",
		args: []string{"--as", replicaSetController, "create", "-f", testdata + "govhook-replica-pod.yaml"},
		says: []string{"pod/govhook-6f7c9-"},
	}} {
		t.Run(s.name, s.run)
	}
	t.Run("govhook down: its pods are still created, an ordinary user's are refused", func(t *testing.T) {
		if err := local.StopGovhook(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // t.Context() is already cancelled here
			if local.Govhook() == nil {
				if err := local.StartGovhook(context.Background(), "e2e-own-namespace"); err != nil {
					t.Errorf("restart govhook: %v", err)
				}
			}
		})
		for _, s := range []step{{
			name: "the ReplicaSet controller creates govhook's pod (no bootstrap deadlock)",
			args: []string{"--as", replicaSetController, "create", "-f", testdata + "govhook-replica-pod.yaml"},
			says: []string{"pod/govhook-6f7c9-"},
		}, {
			name:   "an ordinary user's pod is refused (failurePolicy Fail)",
			args:   []string{"--as", "oncall-dev", "create", "-f", testdata + "govhook-impostor-pod.yaml"},
			exit:   1,
			says:   []string{`failed calling webhook "` + ownNamespace + `"`},
			absent: []string{"pod", "impostor", "-n", ns},
		}} {
			t.Run(s.name, s.run)
		}
		if err := local.StartGovhook(t.Context(), "e2e-own-namespace"); err != nil {
			t.Fatalf("restart govhook: %v", err)
		}
	})
}
