package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govhook/govhook/scan"
)

const unownedService = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 80}]}
`

// privilegedWorkload violates POD-001 on line 13.
const privilegedWorkload = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {owner: payments}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, owner: payments}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: app
        image: nginx:1.27
        securityContext: {privileged: true}
`

// stable selects the policies these tests are about, so they hold as the catalog grows.
var stable = []string{"--only", "POD-001,OWN-002"}

const ownedConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {owner: payments}}
`

func TestTestCommandInputs(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"ok/config.yaml":        ownedConfigMap,
		"bad/privileged.yaml":   privilegedWorkload,
		"bad/nested/svc.yaml":   unownedService,
		"broken/two-docs.yaml":  ownedConfigMap + "---\nkind: [\n---\n" + privilegedWorkload,
		"kinds/unknown.yaml":    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n",
		"kinds/no-kind.yaml":    "apiVersion: v1\nmetadata: {name: x}\n",
		"kinds/widget-crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: [{name: v1}]}\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOut    []string
		wantErr    []string
		wantNotOut []string
	}{
		{name: "a compliant file", args: append([]string{"-f", in("ok/config.yaml")}, stable...), wantCode: 0, wantOut: []string{"1 objects: 1 allowed"}},
		{name: "a directory, recursively", args: []string{"-f", in("bad")}, wantCode: 1, wantOut: []string{"bad/nested/svc.yaml:3", "[OWN-002] Service \"api\"", "bad/privileged.yaml:13", "[POD-001]", "2 objects: 0 allowed, 0 warned, 2 denied"}},
		{name: "a glob", args: []string{"-f", in("*/*.yaml"), "--allow-unknown-kinds"}, wantCode: 2, wantOut: []string{"ok/config.yaml", "bad/privileged.yaml", "kinds/no-kind.yaml"}, wantNotOut: []string{"nested/svc.yaml"}},
		{name: "a recursive glob", args: []string{"-f", in("bad/**/*.yaml")}, wantCode: 1, wantOut: []string{"bad/nested/svc.yaml", "bad/privileged.yaml"}},
		{name: "stdin with several documents", stdin: ownedConfigMap + "---\n" + unownedService, args: append([]string{"-f", "-"}, stable...), wantCode: 1, wantOut: []string{"-:7", "[OWN-002]", "2 objects: 1 allowed, 0 warned, 1 denied"}},
		{name: "empty stdin judges nothing and says so", stdin: "# nothing rendered\n", args: []string{"-f", "-"}, wantCode: 0, wantOut: []string{"0 objects"}, wantErr: []string{"the input holds no Kubernetes objects"}},
		{name: "stdin and a file", stdin: ownedConfigMap, args: append([]string{"-f", "-", "-f", in("ok/config.yaml")}, stable...), wantCode: 0, wantOut: []string{"2 objects: 2 allowed"}},
		{name: "malformed YAML: exit 2, file and document named, the other documents still reported", args: []string{"-f", in("broken/two-docs.yaml"), "-o", "json"}, wantCode: 2,
			wantOut: []string{`"name": "settings"`, `"policy": "POD-001"`, `"index": 2`},
			wantErr: []string{"two-docs.yaml: document 2 (line 5): not valid YAML"}},
		{name: "an unknown kind is an input error", args: []string{"-f", in("kinds/unknown.yaml")}, wantCode: 2, wantOut: []string{`document 1: unknown kind "Widget" of apiVersion "example.com/v1"`}},
		{name: "a kind defined by a CRD among the manifests is known", args: append([]string{"-f", in("kinds/unknown.yaml"), "-f", in("kinds/widget-crd.yaml")}, stable...), wantCode: 0, wantOut: []string{"Widget/shop/w", "CustomResourceDefinition/widgets.example.com"}},
		{name: "--allow-unknown-kinds judges unknown kinds", args: append([]string{"-f", in("kinds/unknown.yaml"), "--allow-unknown-kinds"}, stable...), wantCode: 0, wantOut: []string{"allow     Widget/shop/w"}},
		{name: "a document without kind", args: []string{"-f", in("kinds/no-kind.yaml")}, wantCode: 2, wantOut: []string{"document 1: document of apiVersion v1 has no kind"}},
		{name: "a missing file", args: []string{"-f", in("nope.yaml")}, wantCode: 2, wantOut: []string{"no such file or directory"}},
		{name: "--skip by id", args: append([]string{"-f", in("bad/privileged.yaml"), "--skip", "POD-001"}, stable...), wantCode: 0, wantOut: []string{"1 allowed"}},
		{name: "--skip by group", args: []string{"-f", in("bad"), "--skip", "ownership"}, wantCode: 1, wantOut: []string{"[POD-001]"}, wantNotOut: []string{"OWN-002"}},
		{name: "--only a group", args: []string{"-f", in("bad"), "--only", "pss-baseline"}, wantCode: 1, wantOut: []string{"[POD-001]", "1 allowed"}},
		{name: "--skip everything --only selects", args: []string{"-f", in("bad"), "--only", "POD-001", "--skip", "pss-baseline"}, wantCode: 2, wantErr: []string{"--skip leaves no policy to evaluate"}},
		{name: "--skip of an unknown name", args: []string{"-f", in("bad"), "--skip", "NOPE-001"}, wantCode: 2, wantErr: []string{`no policy id or group "NOPE-001"`}},
		{name: "objects without namespace land in --namespace", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", args: append([]string{"-f", "-", "-n", "team-a", "--namespace-labels", "environment=prod,owner=team-a"}, stable...), wantCode: 0, wantOut: []string{"ConfigMap/team-a/c"}},
		{name: "objects without namespace land in default", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", args: append([]string{"-f", "-"}, stable...), wantCode: 0, wantOut: []string{"ConfigMap/default/c"}},
		{name: "--operation UPDATE", args: []string{"-f", in("bad/privileged.yaml"), "--operation", "update"}, wantCode: 1, wantOut: []string{"[POD-001]"}},
		{name: "a bad --operation", args: []string{"-f", in("ok"), "--operation", "DELETE"}, wantCode: 2, wantErr: []string{`operation "DELETE" is not CREATE or UPDATE`}},
		{name: "a bad --namespace-labels", args: []string{"-f", in("ok"), "--namespace-labels", "novalue"}, wantCode: 2},
		{name: "a bad output format", args: []string{"-f", in("ok"), "-o", "xml"}, wantCode: 2, wantErr: []string{`output format "xml" is not one of table, json, junit, sarif`}},
		{name: "an unreadable config", args: []string{"-f", in("ok"), "--config", in("nope.yaml")}, wantCode: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, tc.stdin, append([]string{"test"}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d", code, tc.wantCode)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			for _, w := range tc.wantNotOut {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q", w)
				}
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}

// TestTestCommandMachineFormats checks that junit and sarif output parse and carry the
// verdicts and the exit status stays that of the verdicts.
func TestTestCommandMachineFormats(t *testing.T) {
	stdin := ownedConfigMap + "---\n" + privilegedWorkload
	t.Run("junit", func(t *testing.T) {
		out, errOut, code := govhook(t, stdin, append([]string{"test", "-f", "-", "-o", "junit"}, stable...)...)
		var suites struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testsuite>testcase"`
		}
		if err := xml.Unmarshal([]byte(out), &suites); err != nil {
			t.Fatalf("junit does not parse: %v\n%s\n%s", err, out, errOut)
		}
		if code != 1 || suites.Tests != 2 || suites.Failures != 1 || len(suites.Cases) != 2 || suites.Cases[1].Failure == nil || !strings.Contains(suites.Cases[1].Failure.Text, "[POD-001]") {
			t.Errorf("exit %d, junit %+v", code, suites)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		out, errOut, code := govhook(t, stdin, append([]string{"test", "-f", "-", "-o", "sarif"}, stable...)...)
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatalf("sarif does not parse: %v\n%s\n%s", err, out, errOut)
		}
		if code != 1 || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 || log.Runs[0].Results[0].RuleID != "POD-001" {
			t.Errorf("exit %d, sarif %+v", code, log)
		}
	})
}

func TestDrawProgress(t *testing.T) {
	var b strings.Builder
	drawProgress(&b, scan.Progress{Resource: "deployments", Kind: 3, Kinds: 22, Done: 500, Total: 2000})
	want := "\r\033[K[3/22] deployments              [######                  ] 500/2000"
	if b.String() != want {
		t.Errorf("progress line %q, want %q", b.String(), want)
	}
}

// TestTestCommandReadsServiceAccounts: `govhook test` judges a pod with the ServiceAccount it
// will run as when that account is among the manifests, in any file and in any order.
func TestTestCommandReadsServiceAccounts(t *testing.T) {
	const quietDefault = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nautomountServiceAccountToken: false\n"
	const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: app, image: nginx:1.27}]}\n"
	dir := t.TempDir()
	accounts := filepath.Join(dir, "accounts.yaml")
	if err := os.WriteFile(accounts, []byte(quietDefault), 0o644); err != nil {
		t.Fatal(err)
	}
	only := []string{"--only", "SA-001"}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantOut  string
	}{
		{name: "the pod alone", stdin: pod, args: []string{"-f", "-"}, wantCode: 1, wantOut: `[SA-001] Pod "web" must not run as ServiceAccount "default"`},
		{name: "its default ServiceAccount without token, after the pod", stdin: pod + "---\n" + quietDefault, args: []string{"-f", "-"}, wantCode: 0, wantOut: "2 objects: 2 allowed"},
		{name: "its default ServiceAccount in another file", stdin: pod, args: []string{"-f", "-", "-f", accounts}, wantCode: 0, wantOut: "2 objects: 2 allowed"},
		{
			name:  "both without namespace land in --namespace",
			stdin: strings.ReplaceAll(pod+"---\n"+quietDefault, ", namespace: shop", ""), args: []string{"-f", "-", "-n", "team-a"},
			wantCode: 0, wantOut: "Pod/team-a/web",
		},
		{
			name:  "the pod turns the token back on",
			stdin: strings.Replace(pod, "spec: {", "spec: {automountServiceAccountToken: true, ", 1) + "---\n" + quietDefault, args: []string{"-f", "-"},
			wantCode: 1, wantOut: `[SA-001] Pod "web"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := govhook(t, tc.stdin, append(append([]string{"test"}, tc.args...), only...)...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) {
				t.Errorf("exit %d, want %d with %q; stdout:\n%s\nstderr:\n%s", code, tc.wantCode, tc.wantOut, out, errOut)
			}
		})
	}
}
