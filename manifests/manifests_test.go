package manifests

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docID is what the parse tests compare of a document.
type docID struct {
	Index int
	Line  int
	Kind  string
	Name  string
}

func idsOf(docs []Document) []docID {
	var out []docID
	for _, d := range docs {
		out = append(out, docID{d.Index, d.Line, d.Meta.Kind, d.Meta.Metadata.Name})
	}
	return out
}

func errorTexts(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		want     []docID
		wantErrs []string
	}{
		{
			name: "documents keep their index and first content line",
			data: "# leading comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n# about b\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n",
			want: []docID{{1, 2, "ConfigMap", "a"}, {2, 8, "Secret", "b"}},
		},
		{
			name: "empty and comment-only documents do not count",
			data: "---\n# nothing\n---\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n...\n",
			want: []docID{{1, 6, "ConfigMap", "a"}},
		},
		{
			name: "a List expands to its items, each at its own line",
			data: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d}\n",
			want: []docID{{1, 4, "Service", "s"}, {1, 7, "Deployment", "d"}},
		},
		{
			name: "JSON document",
			data: `{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}`,
			want: []docID{{1, 1, "Namespace", "shop"}},
		},
		{
			name:     "malformed YAML names file, document and file line; the others still load",
			data:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			want:     []docID{{1, 1, "ConfigMap", "a"}, {3, 8, "ConfigMap", "c"}},
			wantErrs: []string{"m.yaml: document 2 (line 5): not valid YAML: yaml: line 6: did not find expected node content"},
		},
		{
			name:     "documents without kind or apiVersion",
			data:     "metadata: {name: a}\n---\nkind: Pod\n---\napiVersion: v1\n---\nplain scalar\n",
			wantErrs: []string{"m.yaml: document 1 (line 1): document has no apiVersion and no kind", "m.yaml: document 2 (line 3): Pod has no apiVersion", "m.yaml: document 3 (line 5): document of apiVersion v1 has no kind", "m.yaml: document 4 (line 7): not a Kubernetes object: json: cannot unmarshal string into Go value of type manifests.ObjectMeta"},
		},
		{
			name:     "a List item without kind",
			data:     "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: s}\n",
			wantErrs: []string{"m.yaml: document 1 (line 1): List item 0: document of apiVersion v1 has no kind"},
		},
		{
			name: "kustomization files configure a build tool and are skipped",
			data: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, errs := Parse("m.yaml", []byte(tc.data))
			if diff := cmp.Diff(tc.want, idsOf(docs)); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantErrs, errorTexts(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, e := range errs {
				var ie *InputError
				if !errors.As(e, &ie) || ie.Source != "m.yaml" || ie.Index == 0 {
					t.Errorf("error %v is not an InputError naming source and document", e)
				}
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n"
}

func TestLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml":                 configMap("a"),
		"b.json":                 `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}`,
		"notes.txt":              "not a manifest",
		"apps/web/deploy.yml":    configMap("web"),
		"apps/web/extra/x.yaml":  configMap("x"),
		".github/workflows.yaml": "on: push\n",
	})
	tests := []struct {
		name     string
		paths    []string
		stdin    string
		want     []string
		wantErrs []string
	}{
		{name: "a file", paths: []string{"a.yaml"}, want: []string{"a"}},
		{name: "a directory, recursively, skipping hidden directories and other extensions", paths: []string{"."}, want: []string{"a", "web", "x", "b"}},
		{name: "a glob", paths: []string{"*.yaml"}, want: []string{"a"}},
		{name: "a glob matching a directory", paths: []string{"app*"}, want: []string{"web", "x"}},
		{name: "a recursive glob", paths: []string{"apps/**/*.yaml"}, want: []string{"x"}},
		{name: "a recursive glob from the start", paths: []string{"**/*.yml"}, want: []string{"web"}},
		{name: "stdin", paths: []string{"-"}, stdin: configMap("in"), want: []string{"in"}},
		{name: "a missing file", paths: []string{"missing.yaml", "a.yaml"}, want: []string{"a"}, wantErrs: []string{"missing.yaml: stat missing.yaml: no such file or directory"}},
		{name: "a glob matching nothing", paths: []string{"*.yamll"}, wantErrs: []string{`*.yamll: no files match "*.yamll"`}},
	}
	t.Chdir(dir)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, errs := Load(tc.paths, strings.NewReader(tc.stdin))
			var names []string
			for _, d := range docs {
				names = append(names, d.Meta.Metadata.Name)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantErrs, errorTexts(errs)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		path string
		want []any
	}{
		{"spec.template.spec.containers[0].securityContext.privileged", []any{"spec", "template", "spec", "containers", 0, "securityContext", "privileged"}},
		{`metadata.labels["app.kubernetes.io/name"]`, []any{"metadata", "labels", "app.kubernetes.io/name"}},
		{`metadata.annotations["a\"b"].x`, []any{"metadata", "annotations", `a"b`, "x"}},
		{"subjects[12]", []any{"subjects", 12}},
		{"rules[name]", []any{"rules", "name"}},
		{"spec[", []any{"spec"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, parsePath(tc.path)); diff != "" {
			t.Errorf("parsePath(%q) (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestFieldLines(t *testing.T) {
	const stream = `apiVersion: v1
kind: ConfigMap
metadata: {name: first}
---
# the deployment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  template:
    spec:
      containers:
      - name: app
        securityContext:
          privileged: true
      - &sidecar
        name: proxy
        securityContext: {privileged: true}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a}
- apiVersion: v1
  kind: Service
  metadata:
    name: b
    labels: {team: x}
`
	docs, errs := Parse("f.yaml", []byte(stream))
	if len(errs) > 0 || len(docs) != 4 {
		t.Fatalf("parse: %d docs, %v", len(docs), errs)
	}
	tests := []struct {
		name   string
		doc    Document
		fields []string
		want   []int
	}{
		{"fields of a deployment", docs[1], []string{
			"spec.template.spec.containers[0].securityContext.privileged",
			"spec.template.spec.containers[1].securityContext.privileged",
			`metadata.labels["app.kubernetes.io/name"]`,
			`metadata.labels["owner"]`,
			"spec.template.metadata.labels",
			"",
		}, []int{18, 21, 11, 10, 13, 0}},
		{"fields of list items", docs[3], []string{`metadata.labels["owner"]`, "metadata.name"}, []int{33, 32}},
		{"the first item of a list", docs[2], []string{`metadata.labels["owner"]`}, []int{28}},
		{"an object without YAML text", Document{Item: -1}, []string{"metadata"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.doc.FieldLines(tc.fields)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}
