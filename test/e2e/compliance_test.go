//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/govhook/govhook/certs"
	"github.com/govhook/govhook/test/e2e/cluster"
)

// complianceInterval is the audit interval of these tests: short, so runs follow each other.
const complianceInterval = "2s"

// complianceEnv is a control plane with no webhook registered (everything created is drift)
// and the OpenReports CRDs installed from the reports-api module.
type complianceEnv struct {
	kubeconfig string
	kubectl    string
	client     *kubernetes.Clientset
	state      string
}

func startComplianceEnv(t *testing.T, withCRDs bool) *complianceEnv {
	t.Helper()
	var crds []string
	if withCRDs {
		dir, err := cluster.ModuleDir(t.Context(), "github.com/openreports/reports-api")
		if err != nil {
			t.Fatal(err)
		}
		crds = []string{filepath.Join(dir, "config", "crd")}
	}
	kubeconfig, client := auditCluster(t, crds...)
	return &complianceEnv{kubeconfig: kubeconfig, client: client, state: t.TempDir(),
		kubectl: filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")}
}

// auditor starts `govhook serve` with the continuous audit, as replica.
func (e *complianceEnv) auditor(t *testing.T, replica string) *cluster.Govhook {
	t.Helper()
	certDir := filepath.Join(e.state, replica+"-certs")
	b, err := certs.Generate([]string{"localhost", "127.0.0.1"}, 24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(certDir); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	g, err := cluster.StartGovhook(t.Context(), cluster.GovhookOptions{
		Binary:      auditBinary(t),
		CertDir:     certDir,
		Host:        "127.0.0.1",
		Port:        port,
		EvidenceDir: filepath.Join(e.state, "evidence"),
		Replica:     replica,
		Kubeconfig:  e.kubeconfig,
		Log:         filepath.Join(e.state, replica+".log"),
		Args:        []string{"--audit-interval", complianceInterval, "--audit-lease-namespace", "default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Stop(); err != nil {
			t.Errorf("stop %s: %v", replica, err)
		}
		if t.Failed() {
			log, _ := os.ReadFile(g.Log)
			t.Logf("%s log:\n%s", replica, log)
		}
	})
	return g
}

// openReport is what these tests read of a Report or ClusterReport (as kubectl prints it).
type openReport struct {
	Metadata struct {
		Namespace, Name string
		Annotations     map[string]string
		Labels          map[string]string
	}
	Source  string
	Summary struct{ Pass, Fail, Warn, Error, Skip int }
	Results []struct {
		Policy, Rule, Result, Severity, Message string
		Properties                              map[string]string
		Resources                               []corev1.ObjectReference
	}
}

// reports runs `kubectl get reports -A` (and clusterreports) and returns what it printed.
func (e *complianceEnv) reports(t *testing.T) []openReport {
	t.Helper()
	var all []openReport
	for _, resource := range []string{"reports", "clusterreports"} {
		out, err := exec.CommandContext(t.Context(), e.kubectl, "--kubeconfig", e.kubeconfig, "get", resource, "-A", "-o", "json").CombinedOutput()
		if err != nil {
			t.Fatalf("kubectl get %s -A: %v\n%s", resource, err, out)
		}
		var list struct{ Items []openReport }
		if err := json.Unmarshal(out, &list); err != nil {
			t.Fatalf("kubectl get %s: %v", resource, err)
		}
		all = append(all, list.Items...)
	}
	return all
}

// report returns the result of policy for the object kind/namespace/name in the reports,
// "" when there is none.
func resultOf(reports []openReport, policy, kind, namespace, name string) string {
	for _, r := range reports {
		for _, res := range r.Results {
			if res.Policy == policy && len(res.Resources) == 1 && res.Resources[0].Kind == kind && res.Resources[0].Name == name &&
				res.Resources[0].Namespace == namespace && r.Metadata.Namespace == namespace {
				return res.Result
			}
		}
	}
	return ""
}

// scrapeSeries returns the samples of g's /metrics by series name.
func scrapeSeries(t *testing.T, g *cluster.Govhook) map[string]model.Vector {
	t.Helper()
	m, err := cluster.Scrape(g.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lastRunStart is when the last complete audit run of g started, zero when none completed.
func lastRunStart(t *testing.T, g *cluster.Govhook) time.Time {
	m := scrapeSeries(t, g)
	last, took := m["govhook_audit_last_run_timestamp_seconds"], m["govhook_audit_run_duration_seconds"]
	if len(last) != 1 || len(took) != 1 {
		return time.Time{}
	}
	return time.Unix(0, int64((float64(last[0].Value)-float64(took[0].Value))*1e9))
}

// awaitRun waits until g completes a run that started after since.
func awaitRun(t *testing.T, g *cluster.Govhook, since time.Time) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if lastRunStart(t, g).After(since) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s completed no audit run that started after %s", g.Replica, since.Format(time.RFC3339Nano))
}

func complianceDeployment(ns, name string, privileged bool) *appsv1.Deployment {
	labels := map[string]string{"app": name, "owner": "payments"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: "public.ecr.aws/nginx/nginx:1.27",
					SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
				}}},
			},
		},
	}
}

func (e *complianceEnv) createDrift(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	for _, ns := range []string{"shop", "legacy"} {
		if _, err := e.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
			Labels: map[string]string{"owner": "payments", "environment": "prod"}}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*appsv1.Deployment{
		complianceDeployment("shop", "privileged", true),
		complianceDeployment("shop", "compliant", false),
		complianceDeployment("legacy", "privileged", true),
	} {
		if _, err := e.client.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestContinuousComplianceReports: drift created while no webhook is registered shows up as
// fail results in its namespace's Report after one run; a fixed object passes in the next run;
// the Report of a deleted namespace goes away; the gauges agree with the reports.
func TestContinuousComplianceReports(t *testing.T) {
	e := startComplianceEnv(t, true)
	e.createDrift(t)
	start := time.Now()
	g := e.auditor(t, "auditor-1")
	awaitRun(t, g, start)

	reports := e.reports(t)
	for _, c := range []struct{ ns, name, want string }{
		{"shop", "privileged", "fail"},
		{"shop", "compliant", "pass"},
		{"legacy", "privileged", "fail"},
	} {
		if got := resultOf(reports, "POD-001", "Deployment", c.ns, c.name); got != c.want {
			t.Errorf("POD-001 on Deployment %s/%s: %q, want %q", c.ns, c.name, got, c.want)
		}
	}
	checkReportFields(t, reports)
	checkGauges(t, g, reports)

	// Fix the privileged Deployment: the next run passes it.
	fixed := complianceDeployment("shop", "privileged", false)
	current, err := e.client.AppsV1().Deployments("shop").Get(t.Context(), "privileged", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fixed.ResourceVersion = current.ResourceVersion
	if _, err := e.client.AppsV1().Deployments("shop").Update(t.Context(), fixed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	fixedAt := time.Now()
	awaitRun(t, g, fixedAt)
	reports = e.reports(t)
	if got := resultOf(reports, "POD-001", "Deployment", "shop", "privileged"); got != "pass" {
		t.Errorf("POD-001 on the fixed Deployment shop/privileged: %q, want pass", got)
	}
	checkGauges(t, g, reports)

	// Delete namespace legacy. No namespace controller runs here, so it stays Terminating
	// with its Deployment inside: the report goes because the namespace is being deleted.
	out, err := exec.CommandContext(t.Context(), e.kubectl, "--kubeconfig", e.kubeconfig, "delete", "namespace", "legacy", "--wait=false").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl delete namespace legacy: %v\n%s", err, out)
	}
	deletedAt := time.Now()
	awaitRun(t, g, deletedAt)
	for _, r := range e.reports(t) {
		if r.Metadata.Namespace == "legacy" {
			t.Errorf("the report of deleted namespace legacy is still there: %s", r.Metadata.Name)
		}
	}
	if resultOf(e.reports(t), "POD-001", "Deployment", "shop", "compliant") != "pass" {
		t.Error("the report of shop went away with legacy's")
	}
}

// checkReportFields checks what every result carries.
func checkReportFields(t *testing.T, reports []openReport) {
	t.Helper()
	if len(reports) < 3 { // shop, legacy, and the ClusterReport
		t.Fatalf("%d reports, want at least 3: %+v", len(reports), reports)
	}
	for _, r := range reports {
		if r.Source != "govhook" || r.Metadata.Labels["app.kubernetes.io/managed-by"] != "govhook" {
			t.Errorf("report %s/%s: source %q, labels %v", r.Metadata.Namespace, r.Metadata.Name, r.Source, r.Metadata.Labels)
		}
		for _, res := range r.Results {
			if res.Policy == "" || res.Rule == "" || res.Severity == "" || res.Properties["controls"] == "" || res.Message == "" || len(res.Resources) != 1 {
				t.Errorf("report %s/%s: incomplete result %+v", r.Metadata.Namespace, r.Metadata.Name, res)
			}
			if (res.Result == "fail" || res.Result == "warn") && res.Properties["action"] == "" {
				t.Errorf("report %s/%s: a %s result without its action: %+v", r.Metadata.Namespace, r.Metadata.Name, res.Result, res)
			}
		}
	}
}

// checkGauges compares govhook_audit_violations with the findings in the reports, and the
// objects scanned with the objects the reports name.
func checkGauges(t *testing.T, g *cluster.Govhook, reports []openReport) {
	t.Helper()
	fromReports := map[string]int{}
	objects := map[string]bool{}
	for _, r := range reports {
		// A full report leaves out pass results first; the comparison needs every other one.
		kept := 0
		for _, res := range r.Results {
			if res.Result != "pass" {
				kept++
			}
		}
		if sum := r.Summary; kept != sum.Fail+sum.Warn+sum.Skip+sum.Error {
			t.Fatalf("report %s/%s keeps %d of its %+v non-pass results", r.Metadata.Namespace, r.Metadata.Name, kept, sum)
		}
		for _, res := range r.Results {
			o := res.Resources[0]
			objects[o.Kind+"/"+o.Namespace+"/"+o.Name] = true
			if res.Result != "pass" && res.Result != "error" {
				fromReports[fmt.Sprintf("%s %s %s", res.Policy, res.Severity, res.Properties["action"])]++
			}
		}
	}
	m := scrapeSeries(t, g)
	fromGauges := map[string]int{}
	for _, s := range m["govhook_audit_violations"] {
		fromGauges[fmt.Sprintf("%s %s %s", s.Metric["policy"], s.Metric["severity"], s.Metric["action"])] = int(s.Value)
	}
	if fmt.Sprint(fromReports) != fmt.Sprint(fromGauges) {
		t.Errorf("govhook_audit_violations = %v, the reports say %v", fromGauges, fromReports)
	}
	scanned := 0
	for _, s := range m["govhook_audit_objects_scanned"] {
		scanned += int(s.Value)
	}
	// Every object judged shows in a report unless exempt (kube-system, kube-node-lease and
	// the like, which the gauge counts): at least as many scanned as reported.
	if scanned < len(objects) || len(objects) == 0 {
		t.Errorf("govhook_audit_objects_scanned sums to %d; the reports name %d objects", scanned, len(objects))
	}
}

// TestContinuousComplianceLease starts two auditors together: only the one holding the Lease
// audits and writes reports and audit evidence; when it stops, the other takes over.
func TestContinuousComplianceLease(t *testing.T) {
	e := startComplianceEnv(t, true)
	e.createDrift(t)
	start := time.Now()
	a, b := e.auditor(t, "auditor-a"), e.auditor(t, "auditor-b")
	deadline := time.Now().Add(90 * time.Second)
	var leader, follower *cluster.Govhook
	for leader == nil && time.Now().Before(deadline) {
		switch {
		case lastRunStart(t, a).After(start):
			leader, follower = a, b
		case lastRunStart(t, b).After(start):
			leader, follower = b, a
		default:
			time.Sleep(200 * time.Millisecond)
		}
	}
	if leader == nil {
		t.Fatal("neither auditor completed a run")
	}
	// Several intervals more: the follower still never audits.
	awaitRun(t, leader, time.Now().Add(2*time.Second))
	if !lastRunStart(t, follower).IsZero() {
		t.Errorf("%s audited although %s holds the Lease", follower.Replica, leader.Replica)
	}
	for _, r := range e.reports(t) {
		if got := r.Metadata.Annotations["govhook.io/auditor"]; got != leader.Replica {
			t.Errorf("report %s/%s written by %q, want the Lease holder %s", r.Metadata.Namespace, r.Metadata.Name, got, leader.Replica)
		}
	}
	lease, err := e.client.CoordinationV1().Leases("default").Get(t.Context(), "govhook-audit", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Fatalf("Lease default/govhook-audit: %v %+v", err, lease)
	}
	if n := auditRecords(t, e, follower.Replica); n != 0 {
		t.Errorf("%s wrote %d audit evidence records without the Lease", follower.Replica, n)
	}
	if n := auditRecords(t, e, leader.Replica); n == 0 {
		t.Errorf("%s wrote no audit evidence records", leader.Replica)
	}

	// The leader stops and releases the Lease: the follower takes over.
	if err := leader.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	awaitRun(t, follower, stopped)
	for _, r := range e.reports(t) {
		if got := r.Metadata.Annotations["govhook.io/auditor"]; got != follower.Replica {
			t.Errorf("after the handover, report %s/%s written by %q, want %s", r.Metadata.Namespace, r.Metadata.Name, got, follower.Replica)
		}
	}
}

// auditRecords counts the records of type audit in replica's evidence chain.
func auditRecords(t *testing.T, e *complianceEnv, replica string) int {
	t.Helper()
	segments, _ := filepath.Glob(filepath.Join(e.state, "evidence", replica, "*.jsonl"))
	n := 0
	for _, s := range segments {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(data, []byte(`"type":"audit"`))
	}
	return n
}

// TestContinuousComplianceWithoutCRDs: without the OpenReports CRDs the audit still runs
// (gauges, evidence), says once that it writes no reports, and does not fail.
func TestContinuousComplianceWithoutCRDs(t *testing.T) {
	e := startComplianceEnv(t, false)
	e.createDrift(t)
	start := time.Now()
	g := e.auditor(t, "auditor-1")
	awaitRun(t, g, start)
	awaitRun(t, g, time.Now())
	violations := 0
	for _, s := range scrapeSeries(t, g)["govhook_audit_violations"] {
		if s.Metric["policy"] == "POD-001" {
			violations += int(s.Value)
		}
	}
	if violations != 2 {
		t.Errorf("govhook_audit_violations{policy=POD-001} = %d, want 2", violations)
	}
	log, err := os.ReadFile(g.Log)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "OpenReports CRDs"); n != 1 {
		t.Errorf("the log says %d times that the CRDs are missing, want once:\n%s", n, log)
	}
	if strings.Contains(string(log), "audit run failed") {
		t.Errorf("audit runs failed without the CRDs:\n%s", log)
	}
}
