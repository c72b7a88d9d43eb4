package output_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/policydiff"
)

// TestPolicyIndexOrdersCriteria: the index lists criteria as the TSC numbers them (CC6.10
// after CC6.9, the A series after CC) and links each policy under each of its criteria and groups.
func TestPolicyIndexOrdersCriteria(t *testing.T) {
	ps := []policies.Policy{
		{ID: "POD-001", Title: "P", Severity: "high", Action: "deny", Controls: []string{"CC6.10", "A1.1"}, Groups: []string{"pod-security"}},
		{ID: "RBAC-001", Title: "R", Severity: "critical", Action: "deny", Tiered: true, Controls: []string{"CC6.9", "CC1.3"}, Groups: []string{"rbac"}},
	}
	var b bytes.Buffer
	if err := output.WritePolicyIndex(&b, ps); err != nil {
		t.Fatal(err)
	}
	var headings []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(l, "### ") {
			headings = append(headings, strings.SplitN(strings.TrimPrefix(l, "### "), ":", 2)[0])
		}
	}
	if diff := cmp.Diff([]string{"CC1.3", "CC6.9", "CC6.10", "A1.1", "pod-security", "rbac"}, headings); diff != "" {
		t.Errorf("headings (-want +got):\n%s", diff)
	}
	if !strings.Contains(b.String(), "- [RBAC-001](RBAC-001.md) R (critical, tiered)") {
		t.Errorf("index lacks the RBAC-001 link:\n%s", b.String())
	}
}

// TestWriteDiff: the Markdown groups changes by section, in the diff's order, escapes table
// cells and ends with a sign-off line.
func TestWriteDiff(t *testing.T) {
	r := policydiff.Report{
		Old: policydiff.Version{Name: "old.json", Kind: policydiff.KindCatalog, Digest: "sha256:a"},
		New: policydiff.Version{Name: "new.json", Kind: policydiff.KindCatalog, Digest: "sha256:b"},
		Changes: []policydiff.Change{
			{Section: policydiff.PoliciesChanged, Subject: "POD-030", Field: "action", Old: "warn", New: "deny"},
			{Section: policydiff.PoliciesAdded, Subject: "NET-004", New: "a | b (low, warn)"},
		},
	}
	var b bytes.Buffer
	if err := output.WriteDiff(&b, "markdown", r); err != nil {
		t.Fatal(err)
	}
	want := "## govhook policy catalog change\n\n" +
		"| | file | SHA-256 |\n|---|---|---|\n| old | `old.json` | `sha256:a` |\n| new | `new.json` | `sha256:b` |\n\n" +
		"### Policies added (1)\n\n| subject | field | old | new |\n|---|---|---|---|\n| NET-004 | - | - | a \\| b (low, warn) |\n\n" +
		"### Policies changed (1)\n\n| subject | field | old | new |\n|---|---|---|---|\n| POD-030 | action | warn | deny |\n\n" +
		"Reviewed and approved by: ______________________  Date: __________  Ticket: __________\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("markdown (-want +got):\n%s", diff)
	}
}
