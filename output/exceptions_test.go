package output_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/output"
)

// waived is an object with one finding waived by a live exception and one that an expired
// exception no longer waives.
var waived = output.Result{
	Source: "ds.yaml", Line: 1, APIVersion: "apps/v1", Kind: "DaemonSet", Namespace: "monitoring", Name: "node-exporter",
	Decision: decision.Decision{
		Outcome: decision.OutcomeDeny,
		Findings: []decision.Finding{
			{Policy: "POD-001", Action: decision.ActionWaived, Exception: "EXC-2026-014", Message: `container "exporter" must not set securityContext.privileged=true`},
			{Policy: "POD-030", Action: "deny", Message: `container "exporter" should set securityContext.readOnlyRootFilesystem=true`},
		},
		Exceptions: []decision.AppliedException{{ID: "EXC-2026-014", Policy: "POD-001", Expires: "2027-01-31"}},
		Expired:    []decision.AppliedException{{ID: "EXC-2025-001", Policy: "POD-030", Expires: "2026-01-31"}},
	},
}

func write(t *testing.T, format string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := output.New(format, &buf, output.Options{Policies: testPolicies})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Result(waived); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestExceptionNotes(t *testing.T) {
	t.Run("table", func(t *testing.T) {
		out := write(t, "table")
		for _, want := range []string{"waived  [POD-001] container \"exporter\" must not set securityContext.privileged=true (waived by exception EXC-2026-014)", "(exception EXC-2025-001 expired 2026-01-31)"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		out := write(t, "json")
		for _, want := range []string{`"exception": "EXC-2026-014"`, `"exceptions": [`, `"expiredExceptions": [`, `"id": "EXC-2025-001"`} {
			if !strings.Contains(out, want) {
				t.Errorf("json lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("junit", func(t *testing.T) {
		if out := write(t, "junit"); !strings.Contains(out, "(waived by exception EXC-2026-014 at ds.yaml:1)") {
			t.Errorf("junit does not name the exception:\n%s", out)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		log := decodeSARIF(t, []byte(write(t, "sarif")))
		res := log.Runs[0].Results
		if len(res) != 2 || res[0].Level != "note" || len(res[0].Suppressions) != 1 || res[0].Suppressions[0].Kind != "external" ||
			res[0].Suppressions[0].Justification != "waived by govhook exception EXC-2026-014" || res[1].Level != "error" || len(res[1].Suppressions) != 0 {
			t.Errorf("results %+v", res)
		}
	})
}
