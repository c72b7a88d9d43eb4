package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/govhook/govhook/internal/testsupport"
	admissionv1 "k8s.io/api/admission/v1"
)

// registerConfig waives POD-001 for the Deployment "excepted" in shop until expires and sets
// OWN-002 to warn.
func registerConfig(expires string) string {
	return `apiVersion: govhook.io/v1alpha1
kind: Config
enforcement:
  policies:
    OWN-002: warn
exceptions:
  - id: EXC-1
    policies: [POD-001]
    match: {namespaces: [shop], kinds: [Deployment], names: [excepted]}
    justification: the legacy agent needs privileges until its rewrite ships
    ticket: SEC-1
    requestedBy: alice@example.com
    approvedBy: bob@example.com
    expires: "` + expires + `"
`
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// inDays is the date n days from now, as an exception's expires.
func inDays(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

func TestTestCommandAppliesConfig(t *testing.T) {
	dir := t.TempDir()
	live, expired, bad := filepath.Join(dir, "live.yaml"), filepath.Join(dir, "expired.yaml"), filepath.Join(dir, "bad.yaml")
	writeFile(t, live, registerConfig(inDays(30)))
	writeFile(t, expired, registerConfig("2026-01-01"))
	writeFile(t, bad, strings.Replace(registerConfig(inDays(30)), "bob@example.com", "alice@example.com", 1))
	excepted := strings.ReplaceAll(privilegedDeployment, "web", "excepted")
	unowned := strings.ReplaceAll(strings.ReplaceAll(privilegedDeployment, "owner: payments", "team: payments"), "privileged: true", "privileged: false")

	type result struct {
		Decision   string `json:"decision"`
		Violations []struct {
			Policy    string `json:"policy"`
			Action    string `json:"action"`
			Exception string `json:"exception"`
		} `json:"violations"`
		Exceptions        []map[string]string `json:"exceptions"`
		ExpiredExceptions []map[string]string `json:"expiredExceptions"`
	}
	tests := []struct {
		name     string
		stdin    string
		config   string
		wantCode int
		want     string // JSON of the one result, compared as a decoded value
	}{
		{"live exception waives", excepted, live, 0,
			`{"decision":"allow","violations":[{"policy":"POD-001","action":"waived","exception":"EXC-1"}],
			  "exceptions":[{"id":"EXC-1","policy":"POD-001","requestedBy":"alice@example.com","approvedBy":"bob@example.com","expires":"` + inDays(30) + `"}]}`},
		{"expired exception is ignored", excepted, expired, 1,
			`{"decision":"deny","violations":[{"policy":"POD-001","action":"deny"}],"exceptions":[],
			  "expiredExceptions":[{"id":"EXC-1","policy":"POD-001","requestedBy":"alice@example.com","approvedBy":"bob@example.com","expires":"2026-01-01"}]}`},
		{"exception does not cover other names", privilegedDeployment, live, 1,
			`{"decision":"deny","violations":[{"policy":"POD-001","action":"deny"}],"exceptions":[]}`},
		{"configured warn", unowned, live, 0,
			`{"decision":"warn","violations":[{"policy":"OWN-002","action":"warn"},{"policy":"OWN-002","action":"warn"}],"exceptions":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, tc.stdin, "test", "-f", "-", "--config", tc.config, "-o", "json")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, errOut)
			}
			var got struct{ Results []result }
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Results) != 1 {
				t.Fatalf("output %s: %v", out, err)
			}
			var want result
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got.Results[0]); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}

	_, errOut, code := govhook(t, excepted, "test", "-f", "-", "--config", bad)
	if code != exitUsage || !strings.Contains(errOut, "line 13: exceptions[0].approvedBy: must differ from requestedBy") {
		t.Errorf("self-approved exception: exit %d, stderr %q; want exit 2 naming line and field", code, errOut)
	}
}

func TestExceptionsList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	soon := strings.Replace(registerConfig(inDays(5)), "EXC-1", "EXC-SOON", 1)
	later := strings.Replace(registerConfig(inDays(90)), "EXC-1", "EXC-LATER", 1)
	gone := strings.Replace(registerConfig("2026-01-01"), "EXC-1", "EXC-GONE", 1)
	entry := func(src string) string {
		i := strings.Index(src, "  - id:")
		if i < 0 {
			t.Fatalf("no exception entry in %q", src)
		}
		return src[i:]
	}
	writeFile(t, path, later+entry(soon)+entry(gone))

	tests := []struct {
		name    string
		args    []string
		wantIDs []string
	}{
		{"all, soonest expiry first", nil, []string{"EXC-GONE", "EXC-SOON", "EXC-LATER"}},
		{"expiring within 14 days, expired included", []string{"--expiring", "14d"}, []string{"EXC-GONE", "EXC-SOON"}},
		{"expiring within a day", []string{"--expiring", "24h"}, []string{"EXC-GONE"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, "", append([]string{"exceptions", "list", "--config", path, "-o", "json"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Exceptions []struct {
					ID     string `json:"id"`
					Active bool   `json:"active"`
				} `json:"exceptions"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got.Exceptions {
				ids = append(ids, e.ID)
				if e.Active == (e.ID == "EXC-GONE") {
					t.Errorf("%s active = %v", e.ID, e.Active)
				}
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("listed (-want +got):\n%s", diff)
			}
		})
	}

	out, _, code := govhook(t, "", "exceptions", "list", "--config", path)
	if code != 0 || !strings.Contains(out, "d ago") || !strings.Contains(out, "3 of 3 exceptions listed: 2 active, 1 expired") {
		t.Errorf("table output (exit %d):\n%s", code, out)
	}
	if _, errOut, code := govhook(t, "", "exceptions", "list", "--expiring", "soon"); code != exitUsage {
		t.Errorf("--expiring soon: exit %d (%s), want 2", code, errOut)
	}
}

// servedWebhook is a `govhook serve --dev` process under test.
type servedWebhook struct {
	t           *testing.T
	url         string
	metricsAddr string
	evidenceDir string
	certDir     string
	client      *http.Client
	logs        *testsupport.Buffer
	exited      chan struct{} // closed once the process has exited
}

// startServe runs `govhook serve --dev` with extra args and waits until it is ready.
func startServe(t *testing.T, args ...string) *servedWebhook {
	t.Helper()
	s, _ := launchServe(t, filepath.Join(t.TempDir(), "evidence"), nil, args...)
	return s
}

// launchServe runs `govhook serve --dev` on evidenceDir as replica r1, with extra environment
// and args, waits until it is ready and returns it with its process (killed when the test ends).
func launchServe(t *testing.T, evidenceDir string, env []string, args ...string) (*servedWebhook, *exec.Cmd) {
	t.Helper()
	return launchServeTo(t, nil, evidenceDir, env, args...)
}

// launchServeTo is launchServe with the process's stdout going to stdout (nil: discarded).
func launchServeTo(t *testing.T, stdout io.Writer, evidenceDir string, env []string, args ...string) (*servedWebhook, *exec.Cmd) {
	t.Helper()
	dir := t.TempDir()
	port, metricsPort := freePort(t), freePort(t)
	s := &servedWebhook{t: t, url: fmt.Sprintf("https://localhost:%d/validate", port), metricsAddr: fmt.Sprintf("127.0.0.1:%d", metricsPort),
		evidenceDir: evidenceDir, certDir: filepath.Join(dir, "certs"), logs: &testsupport.Buffer{}}
	cmd := exec.CommandContext(t.Context(), os.Args[0], append([]string{"serve", "--dev", "--cert-dir", s.certDir,
		"--port", fmt.Sprint(port), "--metrics-bind-address", s.metricsAddr, "--evidence-dir", s.evidenceDir, "--replica", "r1"}, args...)...)
	cmd.Env = append(append(append(os.Environ(), "GOVHOOK_RUN_MAIN=1"), noCluster...), env...)
	cmd.Stderr, cmd.Stdout = s.logs, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	s.exited = exited
	eventually(t, "serve becomes ready", func() bool {
		resp, err := http.Get("http://" + s.metricsAddr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, s.logs)
	caPEM, err := os.ReadFile(filepath.Join(s.certDir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return s, cmd
}

// eventually polls cond every 50 ms for up to 15 s.
func eventually(t *testing.T, what string, cond func() bool, logs fmt.Stringer) {
	t.Helper()
	for range 300 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: never happened; logs:\n%s", what, logs)
}

// review posts a CREATE of a Deployment named name (privileged or not) in shop.
func (s *servedWebhook) review(uid, name string, privileged bool) *admissionv1.AdmissionResponse {
	s.t.Helper()
	return s.post(deploymentReview(uid, "shop", name, "p", privileged))
}

// deploymentReview is the AdmissionReview of creating Deployment name in namespace ns, its
// object and pod template labelled with owner; but for privileged, it meets every other policy.
func deploymentReview(uid, ns, name, owner string, privileged bool) string {
	obj := fmt.Sprintf(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":%q,"namespace":%q,"labels":{"owner":%q}},
"spec":{"template":{"metadata":{"labels":{"owner":%q}},"spec":{"automountServiceAccountToken":false,
"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"app","image":"public.ecr.aws/nginx/nginx:1.27@sha256:e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3",
"securityContext":{"privileged":%t,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
"resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"memory":"128Mi"}}}]}}}}`, name, ns, owner, owner, privileged)
	return fmt.Sprintf(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":%q,
"kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},
"name":%q,"namespace":%q,"operation":"CREATE","userInfo":{"username":"alice"},"object":%s}}`, uid, name, ns, obj)
}

// post posts an AdmissionReview body and returns the response.
func (s *servedWebhook) post(body string) *admissionv1.AdmissionResponse {
	s.t.Helper()
	resp, err := s.client.Post(s.url, "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatalf("post review: %v", err)
	}
	defer resp.Body.Close()
	var out admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Response == nil {
		s.t.Fatalf("decode review response: %v", err)
	}
	return out.Response
}

// evidence returns the evidence record of uid as a JSON object.
func (s *servedWebhook) evidence(uid string) map[string]any {
	s.t.Helper()
	segments, _ := filepath.Glob(filepath.Join(s.evidenceDir, "r1", "*.jsonl"))
	for _, seg := range segments {
		data, _ := os.ReadFile(seg)
		for line := range strings.Lines(string(data)) {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["uid"] == uid {
				return rec
			}
		}
	}
	s.t.Fatalf("no evidence record for %s", uid)
	return nil
}

func (s *servedWebhook) metrics() string {
	s.t.Helper()
	resp, err := http.Get("http://" + s.metricsAddr + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// TestServeReloadsConfig follows the acceptance path on a real serve process: a warn
// policy warns, an excepted Deployment is admitted with its exception on the record, a reload
// that expires the exception makes the same request refused, and a bad reload changes nothing.
func TestServeReloadsConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, path, registerConfig(inDays(30)))
	s := startServe(t, "--config", path)

	resp := s.review("uid-excepted-1", "excepted", true)
	if !resp.Allowed || len(resp.Warnings) != 0 {
		t.Fatalf("excepted Deployment: allowed %v, warnings %v; want admitted silently", resp.Allowed, resp.Warnings)
	}
	rec := s.evidence("uid-excepted-1")
	wantExceptions := []any{map[string]any{"id": "EXC-1", "policy": "POD-001", "requestedBy": "alice@example.com", "approvedBy": "bob@example.com", "expires": inDays(30)}}
	if diff := cmp.Diff(wantExceptions, rec["exceptions"]); diff != "" {
		t.Errorf("evidence exceptions (-want +got):\n%s", diff)
	}
	firstDigest := rec["configDigest"]
	if !strings.Contains(s.metrics(), `govhook_exceptions_active{policy="POD-001"} 1`) {
		t.Errorf("metrics lack govhook_exceptions_active{policy=\"POD-001\"} 1")
	}

	writeFile(t, path, registerConfig("2026-01-01"))
	n := 0
	eventually(t, "the reload that expires the exception takes effect", func() bool {
		n++
		return !s.review(fmt.Sprintf("uid-expired-%d", n), "excepted", true).Allowed
	}, s.logs)
	rec = s.evidence(fmt.Sprintf("uid-expired-%d", n))
	if exceptions, _ := rec["exceptions"].([]any); rec["configDigest"] == firstDigest || rec["decision"] != "deny" || len(exceptions) != 0 {
		t.Errorf("after reload: evidence %v; want a deny under a new config digest with no exceptions", rec)
	}

	writeFile(t, path, "apiVersion: govhook.io/v1alpha1\nkind: Config\nenforcement: {default: allow}\n")
	eventually(t, "the bad reload is counted", func() bool {
		return strings.Contains(s.metrics(), "govhook_config_reload_errors_total 1")
	}, s.logs)
	if resp := s.review("uid-after-bad", "excepted", true); resp.Allowed {
		t.Error("a rejected reload changed the config in force")
	}
	m := s.metrics()
	for _, want := range []string{`govhook_exceptions_active{policy="POD-001"} 0`, `govhook_exceptions_expired_total{policy="POD-001"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(s.logs.String(), "config rejected") || !strings.Contains(s.logs.String(), "enforcement.default") {
		t.Errorf("logs do not report the rejected config:\n%s", s.logs)
	}
}
