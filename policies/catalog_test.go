package policies_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/policies"
)

// TestCatalogContract walks the catalog: every policy has complete METADATA, a
// policy_test.rego with at least one failing and one passing case, and fixtures in both
// testdata/allow and testdata/deny.
func TestCatalogContract(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range catalog.Policies {
		t.Run(p.ID, func(t *testing.T) {
			if p.Description == "" || len(p.Controls) == 0 || len(p.Groups) == 0 {
				t.Errorf("%s: METADATA needs description, controls and groups: %+v", p.File, p)
			}
			for _, c := range p.Controls {
				if !strings.HasPrefix(c, "CC") && !strings.HasPrefix(c, "A1") && !strings.HasPrefix(c, "C1") && !strings.HasPrefix(c, "PI1") {
					t.Errorf("control %q is not a SOC 2 Trust Services Criteria id", c)
				}
			}
			dir := filepath.Dir(p.File)
			family, _, _ := strings.Cut(p.ID, "-")
			if want := strings.ToLower(family) + "/"; !strings.HasPrefix(dir+"/", want) {
				t.Errorf("%s lives in %s/, want %s: one folder per id family", p.ID, dir, want)
			}
			if strings.HasPrefix(p.ID, "RBAC-") && !slices.Contains(p.Groups, "rbac") {
				t.Errorf("%s is not in group rbac, so --only rbac would skip it", p.ID)
			}
			tests, err := os.ReadFile(filepath.Join(dir, "policy_test.rego"))
			if err != nil {
				t.Fatalf("policy_test.rego missing: %v", err)
			}
			if !strings.Contains(string(tests), "test_fail_") || !strings.Contains(string(tests), "test_success_") {
				t.Errorf("%s/policy_test.rego needs test_fail_* and test_success_* cases", dir)
			}
			for _, kind := range []string{"allow", "deny"} {
				files, _ := filepath.Glob(filepath.Join(dir, "testdata", kind, "*.yaml"))
				if len(files) == 0 {
					t.Errorf("%s/testdata/%s has no fixtures", dir, kind)
				}
			}
		})
	}
}

func TestCatalogIsSortedAndSelectable(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(catalog.Policies))
	for i, p := range catalog.Policies {
		ids[i] = p.ID
	}
	if !slices.IsSorted(ids) {
		t.Errorf("catalog not sorted by id: %v", ids)
	}
	got, err := catalog.Select([]string{"pss-baseline"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range got {
		if !slices.Contains(p.Groups, "pss-baseline") {
			t.Errorf("--only pss-baseline selected %s (groups %v)", p.ID, p.Groups)
		}
	}
	if _, err := catalog.Select([]string{"NOPE-999"}); err == nil {
		t.Error("selecting an unknown id must fail")
	}
}

const goodPolicy = `# METADATA
# title: T
# description: D
# custom:
#   id: %ID%
#   severity: high
#   controls: [CC6.1]
#   groups: [g]
#   action: deny
#   kinds: [Pod]
#   remediation: R
package %PKG%

deny contains {"msg": "m"} if false
`

func policyFile(id, pkg string) *fstest.MapFile {
	src := strings.NewReplacer("%ID%", id, "%PKG%", pkg).Replace(goodPolicy)
	return &fstest.MapFile{Data: []byte(src)}
}

// withCustom adds lines to a policy's METADATA custom block, then applies old/new replacements.
func withCustom(f *fstest.MapFile, lines string, oldNew ...string) *fstest.MapFile {
	src := strings.Replace(string(f.Data), "#   action: deny\n", "#   action: deny\n"+lines, 1)
	return &fstest.MapFile{Data: []byte(strings.NewReplacer(oldNew...).Replace(src))}
}

func TestLoadCatalogReadsTiered(t *testing.T) {
	catalog, err := policies.LoadCatalog(fstest.MapFS{
		"a/flat/policy.rego":   policyFile("POD-001", "a.flat"),
		"a/tiered/policy.rego": withCustom(policyFile("POD-002", "a.tiered"), "#   tiered: true\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range catalog.Policies {
		got[p.ID] = p.Tiered
	}
	if diff := cmp.Diff(map[string]bool{"POD-001": false, "POD-002": true}, got); diff != "" {
		t.Errorf("Tiered by id (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"POD-001", "POD-002"}, catalog.IDs()); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
}

func TestLoadCatalogRejectsBadMetadata(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{
			name:  "duplicate id",
			files: fstest.MapFS{"a/one/policy.rego": policyFile("POD-001", "a.one"), "a/two/policy.rego": policyFile("POD-001", "a.two")},
			want:  "id POD-001 used by both a/one/policy.rego and a/two/policy.rego",
		},
		{
			name:  "missing id",
			files: fstest.MapFS{"a/one/policy.rego": {Data: []byte(strings.Replace(string(policyFile("X", "a.one").Data), "#   id: X\n", "", 1))}},
			want:  "custom.id must be a non-empty string",
		},
		{
			name:  "malformed id",
			files: fstest.MapFS{"a/one/policy.rego": policyFile("pod1", "a.one")},
			want:  `custom.id "pod1" must look like POD-001`,
		},
		{
			name:  "package does not match directory",
			files: fstest.MapFS{"a/one/policy.rego": policyFile("POD-001", "a.other")},
			want:  "declares package a.other, want a.one",
		},
		{
			name:  "tiered is not a boolean",
			files: fstest.MapFS{"a/one/policy.rego": withCustom(policyFile("POD-001", "a.one"), "#   tiered: yes please\n")},
			want:  "custom.tiered must be true or false",
		},
		{
			name:  "tiered policy that does not deny",
			files: fstest.MapFS{"a/one/policy.rego": withCustom(policyFile("POD-001", "a.one"), "#   tiered: true\n", "action: deny", "action: warn")},
			want:  `custom.action of a tiered policy must be deny`,
		},
		{
			name:  "no remediation",
			files: fstest.MapFS{"a/one/policy.rego": withCustom(policyFile("POD-001", "a.one"), "", "#   remediation: R\n", "")},
			want:  "custom.remediation must be a non-empty string",
		},
		{
			name:  "empty rationale",
			files: fstest.MapFS{"a/one/policy.rego": withCustom(policyFile("POD-001", "a.one"), "#   rationale: \"\"\n")},
			want:  "custom.rationale must be a non-empty string when set",
		},
		{
			name:  "undeclared parameter",
			files: fstest.MapFS{"a/one/policy.rego": withCustom(policyFile("POD-001", "a.one"), "#   parameters: [ownerLable]\n")},
			want:  `custom.parameters names "ownerLable", which lib/params.rego does not declare`,
		},
		{
			name:  "no metadata",
			files: fstest.MapFS{"a/one/policy.rego": {Data: []byte("package a.one\n\ndeny contains 1 if false\n")}},
			want:  "has no package METADATA",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.LoadCatalog(tc.files)
			if !errors.Is(err, policies.ErrBadMetadata) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadCatalog error = %v, want ErrBadMetadata containing %q", err, tc.want)
			}
		})
	}
}

// TestPodBearingKindsMatchLib keeps the Go list behind the "pod-bearing" token and the table
// in lib/pods.rego the same.
func TestPodBearingKindsMatchLib(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	got, err := policies.LibPodKinds(t.Context(), catalog)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(policies.PodBearingKinds)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lib/pods.rego kinds differ from PodBearingKinds (-want +got):\n%s", diff)
	}
}

// TestNoPolicyReadsOmittedMetadata holds every policy and library to what input.Build leaves
// out of the objects: a policy that read metadata.managedFields would never see it.
func TestNoPolicyReadsOmittedMetadata(t *testing.T) {
	files := 0
	err := fs.WalkDir(policies.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		files++
		src, err := fs.ReadFile(policies.Files, path)
		if err != nil {
			return err
		}
		for _, field := range input.OmittedMetadata {
			if strings.Contains(string(src), field) {
				t.Errorf("%s reads %s, which the input leaves out of objects (input.OmittedMetadata)", path, field)
			}
		}
		return nil
	})
	if err != nil || files < 40 {
		t.Fatalf("walked %d policy files: %v", files, err)
	}
}
