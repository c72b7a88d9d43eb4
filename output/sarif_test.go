package output_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/output"
)

// The SARIF 2.1.0 objects govhook writes, with the property names of the OASIS
// specification (sections 3.13 sarifLog, 3.14 run, 3.35 suppression, 3.19 toolComponent, 3.49
// reportingDescriptor, 3.27 result, 3.28 location, 3.29 physicalLocation, 3.4
// artifactLocation, 3.30 region, 3.33 logicalLocation, 3.20 invocation, 3.58 notification).
// Decoding with DisallowUnknownFields fails on any name the specification does not define;
// free-form data may only sit in property bags. The schema file itself could not be fetched
// here, so this test checks the schema's structural requirements it can name.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        struct{ Driver sarifToolComponent } `json:"tool"`
	Results     []sarifResult                       `json:"results"`
	Invocations []sarifInvocation                   `json:"invocations"`
}

type sarifToolComponent struct {
	Name           string                     `json:"name"`
	Version        string                     `json:"version"`
	InformationURI string                     `json:"informationUri"`
	Rules          []sarifReportingDescriptor `json:"rules"`
}

type sarifMultiformatMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifReportingDescriptor struct {
	ID                   string                   `json:"id"`
	Name                 string                   `json:"name"`
	ShortDescription     *sarifMultiformatMessage `json:"shortDescription"`
	FullDescription      *sarifMultiformatMessage `json:"fullDescription"`
	Help                 *sarifMultiformatMessage `json:"help"`
	HelpURI              string                   `json:"helpUri"`
	DefaultConfiguration *struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties map[string]any `json:"properties"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string          `json:"ruleId"`
	RuleIndex    *int            `json:"ruleIndex"`
	Level        string          `json:"level"`
	Message      *sarifMessage   `json:"message"`
	Locations    []sarifLocation `json:"locations"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
	Properties map[string]any `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *struct {
		ArtifactLocation *struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
}

type sarifInvocation struct {
	ExecutionSuccessful        *bool `json:"executionSuccessful"`
	ToolExecutionNotifications []struct {
		Level     string          `json:"level"`
		Message   *sarifMessage   `json:"message"`
		Locations []sarifLocation `json:"locations"`
	} `json:"toolExecutionNotifications"`
}

var sarifLevels = []string{"none", "note", "warning", "error"}

// decodeSARIF decodes strictly and checks what the 2.1.0 schema requires.
func decodeSARIF(t *testing.T, data []byte) sarifLog {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var log sarifLog
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("not SARIF 2.1.0 as specified: %v\n%s", err, data)
	}
	if log.Version != "2.1.0" || log.Schema != output.SARIFSchema || len(log.Runs) != 1 {
		t.Fatalf("version %q, $schema %q, %d runs", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name == "" {
		t.Error("tool.driver.name is required")
	}
	for i, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription == nil || r.ShortDescription.Text == "" || r.DefaultConfiguration == nil || !slices.Contains(sarifLevels, r.DefaultConfiguration.Level) {
			t.Errorf("rule %d lacks id, shortDescription.text or a valid defaultConfiguration.level: %+v", i, r)
		}
	}
	for i, res := range run.Results {
		if res.Message == nil || res.Message.Text == "" {
			t.Errorf("result %d: message.text is required", i)
		}
		for _, sup := range res.Suppressions {
			if !slices.Contains([]string{"inSource", "external"}, sup.Kind) {
				t.Errorf("result %d: suppression kind %q", i, sup.Kind)
			}
		}
		if !slices.Contains(sarifLevels, res.Level) {
			t.Errorf("result %d: level %q", i, res.Level)
		}
		if res.RuleIndex != nil && (*res.RuleIndex < 0 || *res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[*res.RuleIndex].ID != res.RuleID) {
			t.Errorf("result %d: ruleIndex %d does not point at rule %s", i, *res.RuleIndex, res.RuleID)
		}
		for _, loc := range res.Locations {
			if p := loc.PhysicalLocation; p != nil {
				if p.ArtifactLocation == nil {
					t.Errorf("result %d: physicalLocation without artifactLocation", i)
				} else if _, err := url.Parse(p.ArtifactLocation.URI); err != nil || p.ArtifactLocation.URI == "" {
					t.Errorf("result %d: uri %q is not a URI reference", i, p.ArtifactLocation.URI)
				}
				if p.Region != nil && p.Region.StartLine < 1 {
					t.Errorf("result %d: startLine %d", i, p.Region.StartLine)
				}
			}
		}
	}
	for _, inv := range run.Invocations {
		if inv.ExecutionSuccessful == nil {
			t.Error("invocation.executionSuccessful is required")
		}
		for _, n := range inv.ToolExecutionNotifications {
			if n.Message == nil || n.Message.Text == "" || !slices.Contains(sarifLevels, n.Level) {
				t.Errorf("notification lacks message.text or a valid level: %+v", n)
			}
		}
	}
	return log
}

// finding is what GitHub code scanning shows of a result.
type finding struct {
	Rule, Level, Message, URI string
	Line                      int
	Object                    string
}

func TestSARIF(t *testing.T) {
	log := decodeSARIF(t, render(t, "sarif", output.Options{Policies: testPolicies, ToolVersion: "v1.2.3"}))
	run := log.Runs[0]
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"OWN-002", "POD-001", "POD-030"}, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	pod := run.Tool.Driver.Rules[1]
	if pod.Name != "PrivilegedContainers" || pod.HelpURI != "https://kubernetes.io/docs/concepts/security/pod-security-standards/" || pod.DefaultConfiguration.Level != "error" || pod.Properties["security-severity"] != "9.5" {
		t.Errorf("rule POD-001 = %+v", pod)
	}
	if run.Tool.Driver.Rules[2].DefaultConfiguration.Level != "warning" {
		t.Errorf("a warn policy is a warning rule, got %+v", run.Tool.Driver.Rules[2].DefaultConfiguration)
	}
	var got []finding
	for _, r := range run.Results {
		f := finding{Rule: r.RuleID, Level: r.Level, Message: r.Message.Text, Object: r.Locations[0].LogicalLocations[0].FullyQualifiedName}
		if p := r.Locations[0].PhysicalLocation; p != nil {
			f.URI, f.Line = p.ArtifactLocation.URI, p.Region.StartLine
		}
		got = append(got, f)
	}
	want := []finding{
		{"OWN-002", "error", `Deployment/shop/web: Deployment "web" must carry label "owner"`, "deploy/web.yaml", 4, "Deployment/shop/web"},
		{"POD-001", "error", `Deployment/shop/web: container "app" must not set securityContext.privileged=true`, "deploy/web.yaml", 12, "Deployment/shop/web"},
		{"POD-030", "warning", `Pod/shop/debug: container "app" should set securityContext.readOnlyRootFilesystem=true`, "deploy/web.yaml", 20, "Pod/shop/debug"},
		{"OWN-002", "error", `ClusterRoleBinding/anonymous: ClusterRoleBinding "anonymous" must carry label "owner"`, "", 0, "ClusterRoleBinding/anonymous"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	inv := run.Invocations[0]
	var notes []string
	for _, n := range inv.ToolExecutionNotifications {
		notes = append(notes, n.Message.Text)
	}
	if diff := cmp.Diff([]string{"document 2: not valid YAML", "Pod/shop/broken: build policy input: bad object"}, notes); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	if *inv.ExecutionSuccessful {
		t.Error("a run with problems is not successful")
	}
}

func TestSARIFPaths(t *testing.T) {
	tests := []struct{ source, want string }{
		{"deploy/web.yaml", "deploy/web.yaml"},
		{"./deploy/../deploy/web app.yaml", "deploy/web%20app.yaml"},
		{"/abs/web.yaml", "file:///abs/web.yaml"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		w, _ := output.New("sarif", &buf, output.Options{Policies: testPolicies})
		results, _ := sample()
		r := results[0]
		r.Source = tc.source
		if err := w.Result(r); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		log := decodeSARIF(t, buf.Bytes())
		if got := log.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != tc.want {
			t.Errorf("source %q: uri %q, want %q", tc.source, got, tc.want)
		}
		if !*log.Runs[0].Invocations[0].ExecutionSuccessful {
			t.Error("a run without problems is successful")
		}
	}
}
