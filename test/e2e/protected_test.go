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
	if o := kubectl(t, "apply", "-f", testdata+"monitoring.yaml"); o.exit != 0 {
		t.Fatalf("set up the monitoring namespace: exit %d\n%s", o.exit, o.output)
	}
	refused := record("DELETE", "v1/ConfigMap", "configmaps", "monitoring", "dashboards", decision.OutcomeDeny, "MON-001")
	refused.User = "oncall-dev"
	for _, s := range []step{{
		name:   "a developer's delete is refused although RBAC allows it",
		args:   []string{"--as", "oncall-dev", "delete", "configmap", "dashboards", "-n", "monitoring"},
		exit:   1,
		says:   []string{deniedBy("protected.govhook.io") + `[MON-001] "oncall-dev" may not delete ConfigMap "dashboards" in protected namespace "monitoring" (see: govhook policies explain MON-001)`},
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
