package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestAuditGauges(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	a, err := NewAudit(reg, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Before the first complete run: only the interval, so that "never ran" is visible.
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP govhook_audit_interval_seconds Configured time between the starts of two audit runs.
# TYPE govhook_audit_interval_seconds gauge
govhook_audit_interval_seconds 3600
`)); err != nil {
		t.Error(err)
	}
	a.SetRun(AuditRun{Finished: time.Unix(1780000000, 0), Duration: 90 * time.Second,
		Violations: map[AuditViolation]int{{"POD-001", "critical", "deny"}: 3, {"POD-030", "medium", "warn"}: 7},
		Objects:    map[string]int{"Deployment": 10, "Namespace": 2}})
	// A later run replaces the whole set: a policy no longer violated disappears.
	a.SetRun(AuditRun{Finished: time.Unix(1780003600, 0), Duration: 60 * time.Second,
		Violations: map[AuditViolation]int{{"POD-001", "critical", "deny"}: 1},
		Objects:    map[string]int{"Deployment": 10, "Namespace": 2}})
	want := `
# HELP govhook_audit_last_run_timestamp_seconds When the last complete audit run finished (Unix seconds).
# TYPE govhook_audit_last_run_timestamp_seconds gauge
govhook_audit_last_run_timestamp_seconds 1.7800036e+09
# HELP govhook_audit_objects_scanned Objects judged by the last complete audit run, by kind.
# TYPE govhook_audit_objects_scanned gauge
govhook_audit_objects_scanned{kind="Deployment"} 10
govhook_audit_objects_scanned{kind="Namespace"} 2
# HELP govhook_audit_run_duration_seconds How long the last complete audit run took.
# TYPE govhook_audit_run_duration_seconds gauge
govhook_audit_run_duration_seconds 60
# HELP govhook_audit_violations Policy violations of the objects in the cluster at the last complete audit run, by policy, severity and action.
# TYPE govhook_audit_violations gauge
govhook_audit_violations{action="deny",policy="POD-001",severity="critical"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_audit_last_run_timestamp_seconds",
		"govhook_audit_objects_scanned", "govhook_audit_run_duration_seconds", "govhook_audit_violations"); err != nil {
		t.Error(err)
	}
}
