//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence/report"
)

// checkEvidenceTools runs the auditor's tools on the suite's evidence directory, as an
// auditor would after the period: verify finds every replica's chain intact, and the report's
// denial population is exactly the requests govhook refused.
func checkEvidenceTools(t *testing.T) {
	bin := os.Getenv("GOVHOOK_BIN")
	out, err := exec.CommandContext(t.Context(), bin, "evidence", "verify", local.EvidenceDir).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "evidence intact: ") {
		t.Fatalf("govhook evidence verify %s: %v\n%s", local.EvidenceDir, err, out)
	}

	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), bin, "evidence", "report", local.EvidenceDir, "-o", "json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("govhook evidence report: %v\n%s", err, stderr.String())
	}
	var pack report.Report
	if err := json.Unmarshal(stdout.Bytes(), &pack); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	var want, got []string
	for _, r := range readEvidence(t) {
		if r.Decision == decision.OutcomeDeny {
			want = append(want, r.ID+" "+r.Namespace+"/"+r.Name)
		}
	}
	for d, err := range pack.Denials.All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.ID+" "+d.Namespace+"/"+d.Name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 {
		t.Fatal("the suite refused nothing; the report has nothing to show")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("denials in the report against the refused requests (-want +got):\n%s", diff)
	}
}
