package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	t.Run("every policy, in process", func(t *testing.T) {
		pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "policies", "*-*.md"))
		if err != nil || len(pages) == 0 {
			t.Fatalf("no pages in docs/policies: %v", err)
		}
		for _, page := range pages {
			want, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSuffix(filepath.Base(page), ".md")
			var out bytes.Buffer
			root := newRootCommand()
			root.SetOut(&out)
			root.SetArgs([]string{"policies", "explain", id})
			if err := root.Execute(); err != nil {
				t.Fatalf("explain %s: %v", id, err)
			}
			if out.String() != string(want) {
				t.Errorf("explain %s differs from %s; run make generate", id, page)
			}
		}
	})
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

// TestPoliciesReviews: the register lists each policy's last review, flags overdue ones (and
// with --fail-overdue exits 1), and a review dated in the future or naming an unknown policy
// is refused with its line (exit 2).
func TestPoliciesReviews(t *testing.T) {
	day := func(daysAgo int) string { return time.Now().UTC().AddDate(0, 0, -daysAgo).Format("2006-01-02") }
	write := func(reviews string) string {
		path := filepath.Join(t.TempDir(), "config.yaml")
		src := "apiVersion: govhook.io/v1alpha1\nkind: Config\nreviews:\n" + reviews
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	all := write(`  - {policies: ["*"], reviewedBy: carol@example.com, reviewedAt: "` + day(400) + `", ticket: GRC-1}
  - {policies: [pod-security, RBAC-002], reviewedBy: dave@example.com, reviewedAt: "` + day(30) + `", ticket: GRC-2}
`)
	stdout, stderr, code := govhook(t, "", "policies", "reviews", "--config", all)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = strings.Join(f, " ")
		}
	}
	for id, want := range map[string]string{
		"POD-001":  "POD-001 " + day(30) + " 30d dave@example.com GRC-2 ok",
		"RBAC-001": "RBAC-001 " + day(400) + " 400d carol@example.com GRC-1 OVERDUE: older than 365 days",
		"RBAC-002": "RBAC-002 " + day(30) + " 30d dave@example.com GRC-2 ok",
	} {
		if rows[id] != want {
			t.Errorf("row %q, want %q", rows[id], want)
		}
	}
	if _, _, code := govhook(t, "", "policies", "reviews", "--config", all, "--fail-overdue"); code != 1 {
		t.Errorf("--fail-overdue with overdue reviews: exit %d, want 1", code)
	}
	stdout, _, code = govhook(t, "", "policies", "reviews", "--config", all, "-o", "json")
	var got struct {
		Overdue  int `json:"overdue"`
		Policies []struct {
			Policy  string `json:"policy"`
			AgeDays int    `json:"ageDays"`
		} `json:"policies"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 || got.Overdue == 0 || len(got.Policies) == 0 {
		t.Errorf("json: exit %d, err %v, %+v", code, err, got)
	}
	for _, tc := range []struct{ name, reviews, want string }{
		{"future date", `  - {policies: ["*"], reviewedBy: carol@example.com, reviewedAt: "` + day(-3) + `"}` + "\n", "line 4: reviews[0].reviewedAt: " + day(-3) + " is in the future"},
		{"unknown id", `  - {policies: [POD-999], reviewedBy: carol@example.com, reviewedAt: "` + day(3) + `"}` + "\n", `line 4: reviews[0].policies[0]: unknown policy id or group "POD-999"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := govhook(t, "", "policies", "reviews", "--config", write(tc.reviews))
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// TestPoliciesDiff: two `policies -o json` outputs give the Markdown change entry of a pull
// request; bad input and a catalog against a config are usage errors (exit 2).
func TestPoliciesDiff(t *testing.T) {
	dir := t.TempDir()
	catalog, stderr, code := govhook(t, "", "policies", "-o", "json")
	if code != 0 {
		t.Fatalf("policies -o json: exit %d, %s", code, stderr)
	}
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	old := write("old.json", catalog)
	// The new catalog makes POD-030 deny: its first "action" after its id.
	i := strings.Index(catalog, `"id": "POD-030"`)
	j := i + strings.Index(catalog[i:], `"action": "warn"`)
	newer := write("new.json", catalog[:j]+`"action": "deny"`+catalog[j+len(`"action": "warn"`):])
	stdout, stderr, code := govhook(t, "", "policies", "diff", old, newer)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"## govhook policy catalog change", "### Policies changed (1)", "| POD-030 | action | warn | deny |", "Reviewed and approved by:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff lacks %q:\n%s", want, stdout)
		}
	}
	if stdout, _, _ := govhook(t, "", "policies", "diff", old, old); !strings.Contains(stdout, "No change.") {
		t.Errorf("diff of a catalog with itself:\n%s", stdout)
	}
	cfg := write("config.yaml", "apiVersion: govhook.io/v1alpha1\nkind: Config\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"catalog against config", []string{old, cfg}, "both versions must be policy catalogs or both config files"},
		{"missing file", []string{old, filepath.Join(dir, "nope.json")}, "nope.json: no such file"},
		{"not a catalog or config", []string{old, write("bad.yaml", "- 1\n")}, "bad.yaml: neither a policy catalog"},
		{"one argument", []string{old}, "accepts 2 arg(s), received 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := govhook(t, "", append([]string{"policies", "diff"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}
