package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govhook/govhook/internal/testsupport"
	admissionv1 "k8s.io/api/admission/v1"
)

// TestMain lets tests run this binary's main as a subprocess (GOVHOOK_RUN_MAIN=1), so serve
// is tested as a real process with its own global state.
func TestMain(m *testing.M) {
	if os.Getenv("GOVHOOK_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func govhook(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "GOVHOOK_RUN_MAIN=1"), noCluster...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// privilegedDeployment breaks POD-001 and no other policy.
const privilegedDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {owner: payments}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, owner: payments}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: public.ecr.aws/nginx/nginx:1.27@sha256:e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3
        securityContext: {privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 128Mi}}
`

func TestTestCommandExitCodes(t *testing.T) {
	compliant := strings.Replace(privilegedDeployment, "privileged: true", "privileged: false", 1)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"privileged deployment is denied", privilegedDeployment, []string{"test", "-f", "-"}, 1, `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`},
		{"compliant deployment is admitted", compliant, []string{"test", "-f", "-"}, 0, "1 objects: 1 allowed, 0 warned, 0 denied"},
		{"only selects policies", privilegedDeployment, []string{"test", "-f", "-", "--only", "RBAC-002"}, 0, "1 allowed"},
		{"unknown policy in --only is a usage error", privilegedDeployment, []string{"test", "-f", "-", "--only", "NOPE-001"}, 2, ""},
		{"malformed YAML is an input error", "kind: [", []string{"test", "-f", "-"}, 2, ""},
		{"no input is a usage error", "", []string{"test"}, 2, ""},
		{"json output", privilegedDeployment, []string{"test", "-f", "-", "-o", "json"}, 1, `"policy": "POD-001"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, tc.stdin, tc.args...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) {
				t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d and stdout containing %q", code, out, errOut, tc.wantCode, tc.wantOut)
			}
		})
	}
}

// noCluster is the environment of a process that finds no cluster configuration, so that no
// test ever reaches the cluster of whoever runs it.
var noCluster = []string{"KUBECONFIG=", "KUBERNETES_SERVICE_HOST="}

func TestServeWithoutClusterNeedsDev(t *testing.T) {
	_, errOut, code := govhook(t, "", "serve", "--cert-dir", t.TempDir(), "--metrics-bind-address", "0")
	if code != 2 || !strings.Contains(errOut, "serve needs the cluster's namespaces") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 asking for a cluster", code, errOut)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestServeDev starts `govhook serve --dev` as a process and posts a review over HTTPS; the
// evidence goes to the segment and, with --evidence-stdout, to stdout as well.
func TestServeDev(t *testing.T) {
	dir := t.TempDir()
	port, metricsPort := freePort(t), freePort(t)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", metricsPort)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "serve", "--dev", "--cert-dir", filepath.Join(dir, "certs"),
		"--port", fmt.Sprint(port), "--metrics-bind-address", metricsAddr, "--evidence-dir", filepath.Join(dir, "evidence"), "--replica", "r1", "--evidence-stdout")
	cmd.Env = append(append(os.Environ(), "GOVHOOK_RUN_MAIN=1"), noCluster...)
	var logs bytes.Buffer
	var mirror testsupport.Buffer
	cmd.Stderr, cmd.Stdout = &logs, &mirror
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	ready := false
	for i := 0; i < 100 && !ready; i++ {
		resp, err := http.Get("http://" + metricsAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			ready = resp.StatusCode == http.StatusOK
		}
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		t.Fatalf("serve never became ready; logs:\n%s", logs.String())
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "certs", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}

	obj := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","labels":{"owner":"p"}},
"spec":{"template":{"metadata":{"labels":{"owner":"p"}},"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}}`
	body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"serve-uid-1",
"kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},
"name":"web","namespace":"shop","operation":"CREATE","userInfo":{"username":"alice"},"object":` + obj + `}}`
	resp, err := client.Post(fmt.Sprintf("https://localhost:%d/validate", port), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("post review: %v", err)
	}
	defer resp.Body.Close()
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		t.Fatal(err)
	}
	if review.Response.UID != "serve-uid-1" || review.Response.Allowed || !strings.Contains(review.Response.Result.Message, "[POD-001]") {
		t.Fatalf("want a POD-001 denial for serve-uid-1, got %+v", review.Response)
	}

	// TLS below 1.2 is refused.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS11}}}
	if _, err := old.Post(fmt.Sprintf("https://localhost:%d/validate", port), "application/json", strings.NewReader(body)); err == nil {
		t.Error("a TLS 1.1 client must be refused")
	}

	segments, _ := filepath.Glob(filepath.Join(dir, "evidence", "r1", "*.jsonl"))
	if len(segments) != 1 {
		t.Fatalf("evidence segments = %v", segments)
	}
	data, _ := os.ReadFile(segments[0])
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"type":"start"`) || !strings.Contains(lines[1], `"uid":"serve-uid-1"`) || !strings.Contains(lines[1], `"decision":"deny"`) {
		t.Fatalf("want the start record and one deny evidence line for serve-uid-1, got:\n%s", data)
	}
	checkMirror(t, &mirror, segments[0])

	mresp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer mresp.Body.Close()
	metrics, _ := io.ReadAll(mresp.Body)
	want := `govhook_policy_violations_total{action="deny",policy="POD-001",severity="critical"} 1`
	if !strings.Contains(string(metrics), want) {
		t.Errorf("metrics lack %q", want)
	}

	// A graceful stop drains the evidence and closes the chain with a checkpoint.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	data, _ = os.ReadFile(segments[0])
	if !strings.Contains(lastLine(string(data)), `"type":"checkpoint"`) {
		t.Errorf("last evidence line after SIGTERM is not a checkpoint:\n%s", data)
	}
	checkMirror(t, &mirror, segments[0])
}
