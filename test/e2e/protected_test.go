//go:build e2e

package e2e

import (
	"testing"

	"github.com/govhook/govhook/decision"
)

// TestProtectedNamespaces: deletions in the namespace that watches govhook reach govhook
// through its own webhook entry (protected.govhook.io); a developer that RBAC lets delete is
// still refused by MON-001, a platform identity is admitted, and each leaves one record.
func TestProtectedNamespaces(t *testing.T) {
	setUp(t, testdata+"monitoring.yaml")
	refused := record("DELETE", "v1/ConfigMap", "configmaps", "monitoring", "dashboards", decision.OutcomeDeny, "MON-001")
	refused.User = "oncall-dev"
	for _, s := range []step{{
		name:   "a developer's delete is refused although RBAC allows it",
		args:   []string{"--as", "oncall-dev", "delete", "configmap", "dashboards", "-n", "monitoring"},
		exit:   1,
		says:   []string{deniedBy("protected.govhook.io") + `[MON-001] "oncall-dev" may not delete ConfigMap "dashboards" in protected namespace "monitoring": govhook and the monitoring that watches it change only through platform identities (see: govhook policies explain MON-001)`},
		record: refused,
		exists: []string{"configmap", "dashboards", "-n", "monitoring"},
	}, {
		name:   "a platform identity's delete is admitted",
		args:   []string{"delete", "configmap", "dashboards", "-n", "monitoring"},
		says:   []string{`configmap "dashboards" deleted`},
		record: record("DELETE", "v1/ConfigMap", "configmaps", "monitoring", "dashboards", decision.OutcomeAllow),
		absent: []string{"configmap", "dashboards", "-n", "monitoring"},
	}} {
		t.Run(s.name, s.run)
	}
}

// TestProtectedScaleSubresource: scaling a monitoring workload to zero through the scale
// subresource (kubectl scale) reaches govhook through protected.govhook.io, which the
// generator registers for MON-001's Scale kind; a developer that RBAC lets scale is refused,
// a platform identity is admitted, and each leaves one record.
func TestProtectedScaleSubresource(t *testing.T) {
	setUp(t, testdata+"monitoring.yaml", testdata+"monitoring-scale.yaml")
	scale := func(outcome decision.Outcome, policies ...string) *decided {
		d := record("UPDATE", "autoscaling/v1/Scale", "deployments", "monitoring", "kube-state-metrics", outcome, policies...)
		d.SubResource = "scale"
		return d
	}
	refused := scale(decision.OutcomeDeny, "MON-001")
	refused.User = "oncall-dev"
	for _, s := range []step{{
		name:   "a developer's scale to zero is refused although RBAC allows it",
		args:   []string{"--as", "oncall-dev", "scale", "deployment", "kube-state-metrics", "--replicas=0", "-n", "monitoring"},
		exit:   1,
		says:   []string{deniedBy("protected.govhook.io") + `[MON-001] "oncall-dev" may not update deployments/scale "kube-state-metrics" in protected namespace "monitoring"`},
		record: refused,
	}, {
		name:   "a platform identity's scale is admitted",
		args:   []string{"scale", "deployment", "kube-state-metrics", "--replicas=2", "-n", "monitoring"},
		says:   []string{"deployment.apps/kube-state-metrics scaled"},
		record: scale(decision.OutcomeAllow),
	}} {
		t.Run(s.name, s.run)
	}
}
