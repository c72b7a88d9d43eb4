//go:build e2e

package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReconcileAgainstTheApiserverAuditLog is the auditor's completeness test on the real
// apiserver: after requests through kubectl, `govhook evidence reconcile` over the
// apiserver's audit log finds a record for every decision id govhook sent; once a record is
// deleted from the evidence, its decision is reported missing.
func TestReconcileAgainstTheApiserverAuditLog(t *testing.T) {
	o := observe(t, "apply", "-f", testdata+"reconcile-namespace.yaml")
	if o.exit != 0 || len(o.records) != 1 || len(o.audit) != 1 {
		t.Fatalf("kubectl apply of a namespace: exit %d, %d records, %d audit events\n%s", o.exit, len(o.records), len(o.audit), o.output)
	}
	deleted := o.records[0].ID
	if got := annotation(o.audit[0], "decision-id"); got != deleted {
		t.Fatalf("audit event names decision %q, evidence %q", got, deleted)
	}

	// A copy of the evidence as it is now, to tamper with; the apiserver's log as it is now.
	evidenceDir := t.TempDir()
	if err := os.CopyFS(evidenceDir, os.DirFS(local.EvidenceDir)); err != nil {
		t.Fatal(err)
	}
	auditLog := filepath.Join(t.TempDir(), "audit.log")
	data, err := os.ReadFile(local.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(auditLog, data, 0o640); err != nil {
		t.Fatal(err)
	}

	bin := os.Getenv("GOVHOOK_BIN")
	reconcile := func() (string, int) {
		out, err := exec.CommandContext(t.Context(), bin, "evidence", "reconcile", "--audit-log", auditLog, evidenceDir).CombinedOutput()
		if exit, ok := errors.AsType[*exec.ExitError](err); ok {
			return string(out), exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	if out, code := reconcile(); code != 0 || !strings.Contains(out, " 0 missing;") {
		t.Fatalf("reconcile of the untouched evidence: exit %d\n%s", code, out)
	}

	// Delete the namespace's record from its segment, as someone hiding it would.
	segments, err := filepath.Glob(filepath.Join(evidenceDir, "*", "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	removed := false
	for _, s := range segments {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, line := range strings.SplitAfter(string(data), "\n") {
			if strings.Contains(line, `"id":"`+deleted+`"`) {
				removed = true
				continue
			}
			kept = append(kept, line)
		}
		if err := os.WriteFile(s, []byte(strings.Join(kept, "")), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if !removed {
		t.Fatalf("record %s not found in the evidence copy", deleted)
	}
	out, code := reconcile()
	if code != 1 || !strings.Contains(out, "missing: decision "+deleted+" (create namespaces reconcile-e2e,") || !strings.Contains(out, " 1 missing;") {
		t.Errorf("reconcile after deleting record %s: exit %d, want 1 and it named missing:\n%s", deleted, code, out)
	}
}
