//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// auditSecretValue must never leave the cluster: not in the report, not in evidence.
const auditSecretValue = "correct-horse-battery-staple"

// TestAuditFindsDrift starts its own control plane with no webhook registered, creates
// violating and compliant objects (the drift a webhook outage lets in), and expects
// `govhook audit` to find exactly the violating ones, page through a kind larger than a page,
// keep Secret values out of its output and evidence, and leave one audit record per object.
func TestAuditFindsDrift(t *testing.T) {
	kubeconfig, client := auditCluster(t)
	auditCreateObjects(t, client)
	bin := auditBinary(t)
	evidenceDir := t.TempDir()

	// Three policies, so the expectations hold as the catalog grows.
	stdout, stderr, code := auditRun(t, bin, "audit", "--kubeconfig", kubeconfig, "--only", "POD-001,OWN-002,RBAC-002",
		"-o", "json", "--page-size", "50", "--evidence-dir", evidenceDir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (denials found)\nstderr:\n%s", code, stderr)
	}
	var rep struct {
		Results []struct {
			Kind, Namespace, Name, Decision string
			Violations                      []struct{ Policy string }
		}
		Errors  []any
		Summary struct{ Total, Denied, Errors int }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout)
	}
	denied := map[string][]string{}
	configMaps := 0
	for _, r := range rep.Results {
		// Only the objects this test made: how the catalog judges the apiserver's own
		// bootstrap objects is the policies' business, not the scan's.
		mine := r.Namespace == "shop" || r.Name == "anonymous-view"
		if r.Decision == "deny" && mine {
			for _, v := range r.Violations {
				denied[r.Kind+"/"+r.Namespace+"/"+r.Name] = append(denied[r.Kind+"/"+r.Namespace+"/"+r.Name], v.Policy)
			}
		}
		if r.Kind == "ConfigMap" && r.Namespace == "shop" {
			configMaps++
		}
	}
	want := map[string][]string{
		"Deployment/shop/privileged":         {"POD-001"},
		"ClusterRoleBinding//anonymous-view": {"RBAC-002"},
		"Service/shop/unowned":               {"OWN-002"},
	}
	if fmt.Sprint(want) != fmt.Sprint(denied) {
		t.Errorf("denied objects = %v, want %v", denied, want)
	}
	if configMaps != 120 {
		t.Errorf("%d ConfigMaps of shop judged, want 120 (paging at 50)", configMaps)
	}
	if len(rep.Errors) > 0 || rep.Summary.Errors > 0 {
		t.Errorf("errors: %v", rep.Errors)
	}

	records := 0
	segments, _ := filepath.Glob(filepath.Join(evidenceDir, "audit", "*.jsonl"))
	for _, s := range segments {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(auditSecretValue)) {
			t.Error("evidence holds a Secret value")
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var rec struct{ Type, UID string }
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("evidence line %q: %v", line, err)
			}
			switch {
			case rec.Type == "checkpoint" || rec.Type == "start": // the writer's own: the chain's start, the checkpoint at close
			case rec.Type != "audit" || rec.UID == "":
				t.Errorf("evidence line %q is not an audit record naming its object", line)
			default:
				records++
			}
		}
	}
	if records != rep.Summary.Total {
		t.Errorf("%d audit records for %d objects judged", records, rep.Summary.Total)
	}
	if strings.Contains(stdout, auditSecretValue) || strings.Contains(stderr, auditSecretValue) {
		t.Error("the report shows a Secret value")
	}
	if out, stderr, code := auditRun(t, bin, "evidence", "verify", evidenceDir); code != 0 {
		t.Errorf("evidence verify of the audit chain: exit %d\n%s%s", code, out, stderr)
	}

	// The table lists only what has findings and keeps the exit status.
	table, _, code := auditRun(t, bin, "audit", "--kubeconfig", kubeconfig, "--only", "POD-001")
	if code != 1 || !strings.Contains(table, "[POD-001]") || strings.Contains(table, "ConfigMap/") {
		t.Errorf("table (exit %d):\n%s", code, table)
	}
	// A context the kubeconfig does not have is a usage error.
	if _, stderr, code := auditRun(t, bin, "audit", "--kubeconfig", kubeconfig, "--context", "nope"); code != 2 {
		t.Errorf("unknown context: exit %d, want 2\n%s", code, stderr)
	}
}

// auditCluster starts etcd and kube-apiserver (no webhook) with the CRDs of crdDirs and
// returns an admin kubeconfig.
func auditCluster(t *testing.T, crdDirs ...string) (string, *kubernetes.Clientset) {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set; run make e2e")
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDDirectoryPaths: crdDirs, ErrorIfCRDPathMissing: true}
	if _, err := env.Start(); err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	admin, err := env.AddUser(envtest.User{Name: "audit-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := admin.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(admin.Config())
	if err != nil {
		t.Fatal(err)
	}
	return path, client
}

// auditCreateObjects creates the drift: violating objects next to compliant ones.
func auditCreateObjects(t *testing.T, c *kubernetes.Clientset) {
	t.Helper()
	ctx := t.Context()
	owned := map[string]string{"owner": "payments"}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop", Labels: map[string]string{"owner": "payments", "environment": "prod"}}}, metav1.CreateOptions{}))
	deployment := func(name string, privileged bool) *appsv1.Deployment {
		labels := map[string]string{"app": name, "owner": "payments"}
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: owned},
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
	must(c.AppsV1().Deployments("shop").Create(ctx, deployment("privileged", true), metav1.CreateOptions{}))
	must(c.AppsV1().Deployments("shop").Create(ctx, deployment("compliant", false), metav1.CreateOptions{}))
	must(c.CoreV1().Services("shop").Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "unowned", Namespace: "shop"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}))
	must(c.CoreV1().Secrets("shop").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "shop", Labels: owned},
		StringData: map[string]string{"password": auditSecretValue}}, metav1.CreateOptions{}))
	must(c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "anonymous-view", Labels: owned},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "system:anonymous"}},
	}, metav1.CreateOptions{}))
	for i := range 120 {
		must(c.CoreV1().ConfigMaps("shop").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("settings-%03d", i), Namespace: "shop", Labels: owned}}, metav1.CreateOptions{}))
	}
}

// auditBinary is the govhook binary under test: $GOVHOOK_BIN, or one built now.
func auditBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("GOVHOOK_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "govhook")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "../../cmd/govhook")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build govhook: %v\n%s", err, out)
	}
	return bin
}

// auditRun runs the binary and returns its output and exit status.
func auditRun(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}
