package output_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/output"
)

// The JUnit XML shape CI systems (Jenkins, GitLab, GitHub test reporters) read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitMessage `xml:"failure"`
	Error     *junitMessage `xml:"error"`
	SystemOut string        `xml:"system-out"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func TestJUnit(t *testing.T) {
	out := render(t, "junit", output.Options{ToolVersion: "v1.2.3"})
	if !strings.HasPrefix(string(out), xml.Header) {
		t.Errorf("no XML header:\n%s", out)
	}
	var got junitSuites
	if err := xml.Unmarshal(out, &got); err != nil {
		t.Fatalf("parse: %v\n%s", err, out)
	}
	want := junitSuites{
		XMLName: xml.Name{Local: "testsuites"}, Name: "govhook", Tests: 6, Failures: 2, Errors: 2,
		Suites: []junitSuite{{
			Name: "govhook", Tests: 6, Failures: 2, Errors: 2,
			Properties: []junitProperty{{Name: "govhook.version", Value: "v1.2.3"}},
			Cases: []junitCase{
				{ClassName: "deploy/bad.yaml", Name: "document 2", Error: &junitMessage{Type: "input", Message: "not valid YAML"}},
				{ClassName: "deploy/web.yaml", Name: "Deployment/shop/web", Failure: &junitMessage{
					Type: "deny", Message: "Deployment/shop/web is denied by OWN-002, POD-001",
					Text: `[OWN-002] Deployment "web" must carry label "owner" (deny, metadata.labels["owner"] at deploy/web.yaml:4)` + "\n" +
						`[POD-001] container "app" must not set securityContext.privileged=true (deny, spec.template.spec.containers[0].securityContext.privileged at deploy/web.yaml:12)`,
				}},
				{ClassName: "deploy/web.yaml", Name: "Pod/shop/debug", SystemOut: `[POD-030] container "app" should set securityContext.readOnlyRootFilesystem=true (warn at deploy/web.yaml:20)`},
				{ClassName: "deploy/web.yaml", Name: "Service/shop/web"},
				{ClassName: "-", Name: "Pod/shop/broken", Error: &junitMessage{Type: "evaluation", Message: "build policy input: bad object"}},
				{ClassName: "rbac.authorization.k8s.io/v1/ClusterRoleBinding", Name: "ClusterRoleBinding/anonymous", Failure: &junitMessage{
					Type: "deny", Message: "ClusterRoleBinding/anonymous is denied by OWN-002",
					Text: `[OWN-002] ClusterRoleBinding "anonymous" must carry label "owner" (deny)`,
				}},
			},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("junit (-want +got):\n%s", diff)
	}
}
