package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/scan"
	"github.com/govhook/govhook/test/e2e/cluster"
)

// TestComplianceAccess checks what the continuous audit may do: list and watch exactly the
// kinds the scan judges, write OpenReports, hold its Lease in govhook-system, and nothing else.
func TestComplianceAccess(t *testing.T) {
	r := renderAll(t)
	for _, variant := range webhookVariants {
		t.Run(variant, func(t *testing.T) {
			objs := r.variants[variant]
			want := map[string][]string{
				"openreports.io/reports":        {"create", "delete", "get", "list", "update"},
				"openreports.io/clusterreports": {"create", "delete", "get", "list", "update"},
			}
			for _, gk := range scan.Kinds {
				res, _ := meta.UnsafeGuessKindToResource(gk.WithVersion(""))
				want[gk.Group+"/"+res.Resource] = []string{"list", "watch"}
			}
			role := find[rbacv1.ClusterRole](t, objs, "ClusterRole", "govhook-compliance")
			if diff := cmp.Diff(want, grants(t, role)); diff != "" {
				t.Errorf("ClusterRole govhook-compliance grants (-want +got):\n%s", diff)
			}
			binding := find[rbacv1.ClusterRoleBinding](t, objs, "ClusterRoleBinding", "govhook-compliance")
			wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "govhook", Namespace: namespace}}
			if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" || binding.RoleRef.Name != role.Name {
				t.Errorf("ClusterRoleBinding govhook-compliance: roleRef %+v, subjects (-want +got):\n%s", binding.RoleRef, diff)
			}

			lease := find[rbacv1.Role](t, objs, "Role", "govhook-audit-lease")
			wantRules := []rbacv1.PolicyRule{
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
				{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{"govhook-audit"}, Verbs: []string{"get", "update"}},
			}
			if diff := cmp.Diff(wantRules, lease.Rules); diff != "" {
				t.Errorf("Role govhook-audit-lease (-want +got):\n%s", diff)
			}
			leaseBinding := find[rbacv1.RoleBinding](t, objs, "RoleBinding", "govhook-audit-lease")
			if diff := cmp.Diff(wantSubjects, leaseBinding.Subjects); diff != "" || leaseBinding.RoleRef.Name != lease.Name || leaseBinding.RoleRef.Kind != "Role" {
				t.Errorf("RoleBinding govhook-audit-lease: roleRef %+v, subjects (-want +got):\n%s", leaseBinding.RoleRef, diff)
			}

			dep := find[appsv1.Deployment](t, objs, "Deployment", "govhook")
			c := dep.Spec.Template.Spec.Containers[0]
			if !slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--audit-interval=") }) {
				t.Errorf("the Deployment does not set --audit-interval: %v", c.Args)
			}
			if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
				return e.Name == "POD_NAMESPACE" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace"
			}) {
				t.Error("the Deployment does not pass POD_NAMESPACE (the audit Lease's namespace)")
			}
		})
	}
}

// TestOpenReportsCRDs checks that deploy/ ships the CRDs of the reports-api module govhook is
// built with, unchanged but for kustomize's labels.
func TestOpenReportsCRDs(t *testing.T) {
	dir, err := cluster.ModuleDir(t.Context(), "github.com/openreports/reports-api")
	if err != nil {
		t.Fatal(err)
	}
	objs := renderAll(t).variants["base"]
	for _, name := range []string{"openreports.io_reports.yaml", "openreports.io_clusterreports.yaml"} {
		upstream, err := os.ReadFile(filepath.Join(dir, "config", "crd", name))
		if err != nil {
			t.Fatal(err)
		}
		shipped, err := os.ReadFile(filepath.Join("base", "openreports", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(upstream, shipped) {
			t.Errorf("deploy/base/openreports/%s differs from the module's config/crd/%s: copy it again", name, name)
		}
		var want apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(upstream, &want); err != nil {
			t.Fatal(err)
		}
		got := find[apiextensionsv1.CustomResourceDefinition](t, objs, "CustomResourceDefinition", want.Name)
		if diff := cmp.Diff(want.Spec, got.Spec); diff != "" {
			t.Errorf("rendered %s (-module +rendered):\n%s", want.Name, diff)
		}
	}
}
