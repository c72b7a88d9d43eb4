//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/decision"
)

// TestClusterAdminBindingIsRefused: a user binding cluster-admin to a group the config does
// not allowlist sees govhook's refusal through kubectl, and the auditor gets the record.
func TestClusterAdminBindingIsRefused(t *testing.T) {
	step{
		args: []string{"apply", "-f", testdata + "cluster-admin-binding.yaml"},
		exit: 1,
		says: []string{denied() + `[RBAC-001] ClusterRoleBinding "developers-admin" must not bind ClusterRole "cluster-admin" to Group "developers" (subject 0): bind a narrower role, or list "Group:developers" in parameters.clusterAdminSubjects (see: govhook policies explain RBAC-001)`},
		record: record("CREATE", "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "clusterrolebindings", "", "developers-admin",
			decision.OutcomeDeny, "RBAC-001"),
		absent: []string{"clusterrolebinding", "developers-admin"},
	}.run(t)
}

// TestBootstrapRBACIsAdmitted sends the apiserver's own RBAC objects back through the webhook
// as the apiserver's reconciler does after an upgrade (UPDATEs, here server-side dry runs): every
// one outside kube-system reaches govhook and is admitted without a finding, and no evidence
// record holds a denial of a bootstrap object.
func TestBootstrapRBACIsAdmitted(t *testing.T) {
	list := bootstrapRBAC(t)
	file := filepath.Join(t.TempDir(), "bootstrap-rbac.yaml")
	if err := os.WriteFile(file, list.raw, 0o600); err != nil {
		t.Fatal(err)
	}
	o := observe(t, "replace", "--dry-run=server", "-f", file)
	if o.exit != 0 {
		t.Fatalf("kubectl replace --dry-run=server of the bootstrap RBAC exited %d:\n%s", o.exit, o.output)
	}
	judged := 0
	for _, item := range list.Items {
		if item.Metadata.Namespace != "kube-system" { // excluded by the webhook's namespaceSelector
			judged++
		}
	}
	if len(o.records) != judged || judged < 100 {
		t.Errorf("%d evidence records for %d bootstrap objects outside kube-system, want one each (and over 100 objects)", len(o.records), judged)
	}
	for _, r := range o.records {
		if r.Operation != "UPDATE" || !r.DryRun || r.Decision != decision.OutcomeAllow || len(r.Violations) > 0 {
			t.Errorf("bootstrap %s %s/%s: %s dryRun=%v decision %s, violations %+v; want an admitted dry-run UPDATE without findings",
				r.Kind, r.Namespace, r.Name, r.Operation, r.DryRun, r.Decision, r.Violations)
		}
	}
	bootstrap := map[string]bool{}
	for _, item := range list.Items {
		bootstrap[item.Metadata.Namespace+"/"+item.Metadata.Name] = true
	}
	for _, r := range readEvidence(t) {
		if bootstrap[r.Namespace+"/"+r.Name] && r.Decision == decision.OutcomeDeny {
			t.Errorf("evidence record %s denies bootstrap object %s %s/%s: %+v", r.ID, r.Kind, r.Namespace, r.Name, r.Violations)
		}
	}
}

// rbacList is a kubectl List of RBAC objects, as YAML and as far as the test reads it.
type rbacList struct {
	raw   []byte
	Items []struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	} `json:"items"`
}

// bootstrapRBAC lists the objects the apiserver created from its RBAC defaults.
func bootstrapRBAC(t *testing.T) rbacList {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), local.Kubectl, "--kubeconfig", local.Kubeconfig, "get",
		"clusterroles,clusterrolebindings,roles,rolebindings", "--all-namespaces",
		"--selector", "kubernetes.io/bootstrapping=rbac-defaults", "--output", "yaml")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl get bootstrap RBAC: %v\n%s", err, stderr.String())
	}
	list := rbacList{raw: stdout.Bytes()}
	if err := yaml.Unmarshal(list.raw, &list); err != nil {
		t.Fatalf("decode bootstrap RBAC list: %v", err)
	}
	return list
}
