package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPoliciesExplain: explain prints exactly the generated page of the policy (so the
// terminal and docs/policies never disagree), JSON on request, and refuses unknown ids and
// formats with exit 2 and a message naming the problem.
func TestPoliciesExplain(t *testing.T) {
	for _, id := range []string{"POD-021", "RBAC-006", "CHG-002"} {
		t.Run(id, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("..", "..", "docs", "policies", id+".md"))
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := govhook(t, "", "policies", "explain", id)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			if diff := cmp.Diff(string(want), stdout); diff != "" {
				t.Errorf("explain %s differs from docs/policies/%s.md (-want +got):\n%s", id, id, diff)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := govhook(t, "", "policies", "explain", "POD-021", "-o", "json")
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, stderr)
		}
		var page struct {
			ID          string `json:"id"`
			Remediation string `json:"remediation"`
			Failing     struct {
				File     string   `json:"file"`
				Findings []string `json:"findings"`
			} `json:"failingExample"`
			Messages []string `json:"messages"`
		}
		if err := json.Unmarshal([]byte(stdout), &page); err != nil {
			t.Fatal(err)
		}
		if page.ID != "POD-021" || page.Remediation == "" || len(page.Messages) == 0 ||
			!strings.HasPrefix(page.Failing.File, "policies/pod/privilege_escalation/testdata/deny/") || len(page.Failing.Findings) == 0 {
			t.Errorf("page = %+v, want POD-021 with remediation, messages and a failing fixture", page)
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown id", args: []string{"POD-999"}, want: `no such policy in the catalog: "POD-999" (govhook policies lists the ids)`},
		{name: "bad format", args: []string{"POD-021", "-o", "yaml"}, want: `output format "yaml" is not one of markdown, json`},
		{name: "no id", args: nil, want: "accepts 1 arg(s), received 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := govhook(t, "", append([]string{"policies", "explain"}, tc.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

// TestTestLinesPointToDocsBaseURL: with docsBaseURL in the config, govhook test's lines point
// to the published page instead of the explain command.
func TestTestLinesPointToDocsBaseURL(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("apiVersion: govhook.io/v1alpha1\nkind: Config\ndocsBaseURL: https://docs.example.com/govhook/policies\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := govhook(t, privilegedDeployment, "test", "-f", "-", "--config", cfg)
	want := `[POD-001] container "app" must not set securityContext.privileged=true (see: https://docs.example.com/govhook/policies/POD-001.md)`
	if code != 1 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s\nwant exit 1 and %q", code, stdout, stderr, want)
	}
}
