//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
)

// TestOwnership follows ownership through kubectl: a namespace must name its owner, a workload
// must belong to its namespace's team (refused in prod, a warning elsewhere), and exec into a
// prod pod is refused with evidence that keeps the container but never the command.
func TestOwnership(t *testing.T) {
	const (
		deploy  = "apps/v1/Deployment"
		foreign = `[OWN-002] Deployment "reports" has label "owner"="search" but namespace "%s" belongs to "payments": set it to "payments", or list "search" in the namespace's "shared-with" annotation (see: govhook policies explain OWN-002)`
	)
	steps := []step{{
		name: "namespace without owner labels is refused",
		args: []string{"create", "namespace", "bare"},
		exit: 1,
		says: []string{
			denied(),
			`[OWN-001] namespace "bare" must carry label "owner" naming its owning team (a lower-case DNS label such as "payments") (see: govhook policies explain OWN-001)`,
			`[OWN-001] namespace "bare" must carry label "environment" set to one of: prod, staging, dev, sandbox (see: govhook policies explain OWN-001)`,
			`[NS-002] namespace "bare" must carry label "pod-security.kubernetes.io/enforce" set to baseline or restricted (see: govhook policies explain NS-002)`,
		},
		record: record("CREATE", "v1/Namespace", "namespaces", "bare", "bare", decision.OutcomeDeny, "NS-002", "OWN-001", "OWN-001", "OWN-001", "OWN-001"),
		absent: []string{"namespace", "bare"},
	}, {
		name:   "prod namespace with its owner is created",
		args:   []string{"apply", "-f", testdata + "ledger-namespace.yaml"},
		says:   []string{"namespace/ledger created"},
		record: record("CREATE", "v1/Namespace", "namespaces", "ledger", "ledger", decision.OutcomeAllow),
	}, {
		name:   "dev namespace with its owner is created",
		args:   []string{"apply", "-f", testdata + "lab-namespace.yaml"},
		says:   []string{"namespace/lab created"},
		record: record("CREATE", "v1/Namespace", "namespaces", "lab", "lab", decision.OutcomeAllow),
	}, {
		name:   "another team's deployment is refused in the prod namespace",
		args:   []string{"apply", "-n", "ledger", "-f", testdata + "foreign-owner-deployment.yaml"},
		exit:   1,
		says:   []string{denied() + strings.Replace(foreign, "%s", "ledger", 1)},
		record: record("CREATE", deploy, "deployments", "ledger", "reports", decision.OutcomeDeny, "OWN-002", "OWN-002"),
		absent: []string{"deployment", "reports", "-n", "ledger"},
	}, {
		name:   "another team's deployment is admitted with a warning in the dev namespace",
		args:   []string{"apply", "-n", "lab", "-f", testdata + "foreign-owner-deployment.yaml"},
		says:   []string{"Warning: " + strings.Replace(foreign, "%s", "lab", 1), "deployment.apps/reports created"},
		record: record("CREATE", deploy, "deployments", "lab", "reports", decision.OutcomeWarn, "OWN-002", "OWN-002"),
		exists: []string{"deployment", "reports", "-n", "lab"},
	}, {
		name:   "pod of the owning team is created in the prod namespace",
		args:   []string{"apply", "-f", testdata + "console-pod.yaml"},
		says:   []string{"pod/console created"},
		record: record("CREATE", "v1/Pod", "pods", "ledger", "console", decision.OutcomeAllow),
	}}
	for _, s := range steps {
		t.Run(s.name, s.run)
	}
	t.Run("kubectl exec into a prod pod is refused; evidence keeps the container, never the command", testExecRefused)
}

func testExecRefused(t *testing.T) {
	const canary = "e2e-canary-token-7f3a" // part of the command: must never reach the evidence
	o := observe(t, "exec", "-n", "ledger", "console", "-c", "app", "--", "cat", "/run/secrets/"+canary)
	want := denied() + `[CHG-002] exec into pod "console" (container "app") is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception (see: govhook policies explain CHG-002)`
	if o.exit == 0 || !strings.Contains(o.output, want) {
		t.Errorf("kubectl exec exited %d and printed:\n%s\nwant a refusal containing %q", o.exit, o.output, want)
	}
	// kubectl tries the websocket protocol, then SPDY: one CONNECT, and one record, each. The
	// audit policy logs only the POST (SPDY) one; it must name one of the records.
	if len(o.records) == 0 {
		t.Fatal("no evidence record for the exec")
	}
	ids := map[string]bool{}
	for _, r := range o.records {
		ids[r.ID] = true
		got := decidedOf(r)
		wantRecord := decided{Operation: "CONNECT", Kind: "v1/PodExecOptions", Resource: "pods", SubResource: "exec",
			Namespace: "ledger", Name: "console", User: user, Decision: decision.OutcomeDeny, Policies: []string{"CHG-002"}}
		if diff := cmp.Diff(wantRecord, got); diff != "" {
			t.Errorf("evidence record (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&evidence.Connect{Container: "app"}, r.Connect); diff != "" {
			t.Errorf("evidence connect (-want +got):\n%s", diff)
		}
	}
	for _, e := range o.audit {
		if !ids[annotation(e, "decision-id")] || e.ObjectRef.Subresource != "exec" || e.ResponseStatus.Code != 403 {
			t.Errorf("audit event %s (decision %s, subresource %s, code %d) does not match the exec's evidence", e.AuditID, annotation(e, "decision-id"), e.ObjectRef.Subresource, e.ResponseStatus.Code)
		}
	}
	files, err := filepath.Glob(filepath.Join(local.EvidenceDir, "*", "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(canary)) {
			t.Errorf("%s holds the exec command", f)
		}
	}
}
