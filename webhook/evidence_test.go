package webhook_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/webhook"
)

// fillingDisk is a segment whose writes go to /dev/full, failing with ENOSPC as on a full
// disk, once full is set (the writer's start record still reaches the real file). Tests run
// as root, so a read-only directory would not stop them.
type fillingDisk struct {
	*os.File
	dev  *os.File
	full *atomic.Bool
}

func (f *fillingDisk) Write(p []byte) (int, error) {
	if f.full.Load() {
		return f.dev.Write(p)
	}
	return f.File.Write(p)
}

func fillingDevice(t *testing.T, full *atomic.Bool) func(string) (evidence.File, error) {
	t.Helper()
	dev, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full on this system")
	}
	t.Cleanup(func() { dev.Close() })
	return func(path string) (evidence.File, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		return &fillingDisk{File: f, dev: dev, full: full}, err
	}
}

func TestHandlerOnEvidenceFailure(t *testing.T) {
	tests := []struct {
		name        string
		mode        string
		body        string
		wantAllowed bool
		wantCode    int32
		wantMessage string
	}{
		{"deny refuses a compliant request", "deny", reviewBody("CREATE", compliantPod, "null"), false, 500, "govhook could not record audit evidence; refusing the request"},
		{"the default is deny", "", reviewBody("CREATE", compliantPod, "null"), false, 500, "govhook could not record audit evidence; refusing the request"},
		{"allow admits a compliant request", "allow", reviewBody("CREATE", compliantPod, "null"), true, 0, ""},
		{"allow still denies what policy denies", "allow", reviewBody("CREATE", privilegedPod, "null"), false, 403, `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var full atomic.Bool
			w, err := evidence.Open(t.Context(), evidence.Options{Dir: t.TempDir(), Replica: "r1", CheckpointInterval: -1, OpenFile: fillingDevice(t, &full)})
			if err != nil {
				t.Fatal(err)
			}
			full.Store(true)
			reg := prometheus.NewRegistry()
			prom, err := metrics.NewPrometheus(reg)
			if err != nil {
				t.Fatal(err)
			}
			h := newHandler(t, w)
			h.Metrics = prom
			cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\nonEvidenceFailure: " + tc.mode + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			h.Reviewer.SetConfig(cfg)

			resp := decodeResponse(t, post(h, "application/json", tc.body))
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("allowed = %v, want %v", resp.Allowed, tc.wantAllowed)
			}
			if !tc.wantAllowed && (resp.Result == nil || resp.Result.Code != tc.wantCode || resp.Result.Message != tc.wantMessage) {
				t.Errorf("result = %+v, want %d %q", resp.Result, tc.wantCode, tc.wantMessage)
			}
			wantAnnotation := ""
			if tc.mode == "allow" {
				wantAnnotation = webhook.EvidenceNotDurable
			}
			if got := resp.AuditAnnotations[webhook.AnnotationEvidence]; got != wantAnnotation {
				t.Errorf("evidence annotation = %q, want %q", got, wantAnnotation)
			}
			want := "# HELP govhook_evidence_write_errors_total Evidence records that could not be made durable.\n" +
				"# TYPE govhook_evidence_write_errors_total counter\ngovhook_evidence_write_errors_total 1\n"
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_evidence_write_errors_total"); err != nil {
				t.Error(err)
			}
		})
	}
}

// Markers of values that must never reach an evidence record.
const (
	envMarker       = "env-value-b7f3"
	secretMarker    = "secret-data-9c21"
	configMapMarker = "configmap-value-4e8a"
	execMarker      = "exec-command-1d6f"
)

func admissionReview(uid, op, group, version, kind, resource, subResource, name, object, oldObject string) string {
	return fmt.Sprintf(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":%q,
"kind":{"group":%q,"version":%q,"kind":%q},"resource":{"group":%q,"version":%q,"resource":%q},"subResource":%q,
"name":%q,"namespace":"shop","operation":%q,"userInfo":{"username":"alice","groups":["dev"]},
"object":%s,"oldObject":%s}}`, uid, group, version, kind, group, version, resource, subResource, name, op, object, oldObject)
}

func TestEvidenceNeverHoldsObjectContents(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(secretMarker))
	// DB_SETTING is no credential name: SEC-001 names credential-named variables (never their
	// values) in its findings, and this test wants no trace of the object at all.
	envPod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},"spec":{"containers":[{"name":"app","image":"nginx",
"securityContext":{"privileged":true},"env":[{"name":"DB_SETTING","value":"` + envMarker + `"}],"command":["sh","-c","echo ` + execMarker + `"]}]}}`
	deployment := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop"},"spec":{"template":{"metadata":{},
"spec":{"containers":[{"name":"app","image":"nginx","securityContext":{"privileged":true},"env":[{"name":"TOKEN","value":"` + envMarker + `"}]}]}}}}`
	secret := `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"shop"},"data":{"password":"` + b64 + `"},"stringData":{"token":"` + secretMarker + `"}}`
	configMap := `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"shop"},"data":{"dsn":"` + configMapMarker + `"}}`
	execOptions := `{"apiVersion":"v1","kind":"PodExecOptions","stdin":true,"tty":true,"container":"app","command":["sh","-c","cat /etc/` + execMarker + `"]}`
	attachOptions := `{"apiVersion":"v1","kind":"PodAttachOptions","stdin":true,"container":"app"}`
	reviews := []string{
		admissionReview("u1", "CREATE", "", "v1", "Pod", "pods", "", "web", envPod, "null"),
		admissionReview("u2", "UPDATE", "apps", "v1", "Deployment", "deployments", "", "api", deployment, deployment),
		admissionReview("u3", "CREATE", "", "v1", "Secret", "secrets", "", "db", secret, "null"),
		admissionReview("u4", "UPDATE", "", "v1", "Secret", "secrets", "", "db", secret, secret),
		admissionReview("u5", "DELETE", "", "v1", "Secret", "secrets", "", "db", "null", secret),
		admissionReview("u6", "CREATE", "", "v1", "ConfigMap", "configmaps", "", "settings", configMap, "null"),
		admissionReview("u7", "CONNECT", "", "v1", "PodExecOptions", "pods", "exec", "web", execOptions, "null"),
		admissionReview("u8", "CONNECT", "", "v1", "PodAttachOptions", "pods", "attach", "web", attachOptions, "null"),
		admissionReview("u9", "CREATE", "", "v1", "Secret", "secrets", "", "db", `"`+secretMarker+`"`, "null"),
	}
	dir := t.TempDir()
	w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1", CheckpointInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Exemptions = config.Exemptions{}
	h := newHandler(t, w)
	h.Reviewer.SetConfig(cfg)
	for _, body := range reviews {
		if rec := post(h, "application/json", body); rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "r1", "00000000000000000001.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")[1:] // after the start record
	if len(lines) != len(reviews)+1 {
		t.Fatalf("want the start record, one record per review and a checkpoint, got %d lines", len(lines)+1)
	}
	for _, marker := range []string{envMarker, secretMarker, b64, configMapMarker, execMarker, "DB_SETTING", "cat /etc"} {
		for i, line := range lines {
			if strings.Contains(line, marker) {
				t.Errorf("evidence line %d holds %q:\n%s", i+1, marker, line)
			}
		}
	}
	// The exec request is there, referenced by the hash of its options only.
	var exec evidence.Record
	if err := json.Unmarshal([]byte(lines[6]), &exec); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(execOptions))
	if exec.UID != "u7" || exec.SubResource != "exec" || exec.ObjectSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("exec record = %+v, want uid u7, subResource exec and the options' sha256", exec)
	}
	// Policy messages are in the records, and they are free of the values too.
	if !strings.Contains(lines[0], `"policy":"POD-001"`) {
		t.Errorf("the privileged pod's record lacks its POD-001 finding:\n%s", lines[0])
	}
}
