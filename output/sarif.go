package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/policies"
)

// SARIF 2.1.0 identifiers.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemata/sarif-schema-2.1.0.json"
	toolURI      = "https://github.com/govhook/govhook"
)

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags     []string `json:"tags"`
	Severity string   `json:"severity"`
	// SecuritySeverity is the CVSS-like score GitHub code scanning ranks alerts by.
	SecuritySeverity string   `json:"security-severity"`
	Controls         []string `json:"controls"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    *int               `json:"ruleIndex,omitempty"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   sarifResultProps   `json:"properties"`
}

// sarifSuppression records that an approved exception waives a result: code scanning shows
// it as dismissed, not as an open alert.
type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifResultProps struct {
	Action   string           `json:"action"`
	Field    string           `json:"field,omitempty"`
	Decision decision.Outcome `json:"decision"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogicalLocation struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// sarif streams one run: the rules (the evaluated policies) first, then a result per
// finding as objects arrive, then one invocation whose notifications are the objects that
// could not be evaluated and the problems.
type sarif struct {
	w             *bufio.Writer
	o             Options
	rules         map[string]int
	summary       Summary
	notifications []sarifNotification
	started       bool
	count         int
}

func newSARIF(w io.Writer, o Options) *sarif {
	s := &sarif{w: bufio.NewWriter(w), o: o, rules: map[string]int{}}
	for i, p := range o.Policies {
		s.rules[p.ID] = i
	}
	return s
}

func (s *sarif) Summary() Summary { return s.summary }

func (s *sarif) start() error {
	if s.started {
		return nil
	}
	s.started = true
	rules := make([]sarifRule, len(s.o.Policies))
	for i, p := range s.o.Policies {
		rules[i] = sarifRuleOf(p)
	}
	tool, err := json.MarshalIndent(sarifTool{Driver: sarifDriver{Name: "govhook", Version: s.o.ToolVersion, InformationURI: toolURI, Rules: rules}}, "      ", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.w, "{\n  \"$schema\": %q,\n  \"version\": %q,\n  \"runs\": [\n    {\n      \"tool\": %s,\n      \"results\": [", SARIFSchema, SARIFVersion, tool)
	return err
}

func (s *sarif) Result(r Result) error {
	s.summary.addResult(r)
	if err := s.start(); err != nil {
		return err
	}
	if r.Error != "" || r.Decision.Outcome == decision.OutcomeError {
		s.notifications = append(s.notifications, sarifNotification{Level: "error", Message: sarifText{Text: r.Object() + ": " + r.Error}, Locations: locationsOf(r, r.Line)})
		return nil
	}
	for i, f := range r.Decision.Findings {
		res := sarifResult{
			RuleID:     f.Policy,
			Level:      levelOf(f.Action),
			Message:    sarifText{Text: fmt.Sprintf("%s: %s", r.Object(), f.Message)},
			Locations:  locationsOf(r, r.FieldLine(i)),
			Properties: sarifResultProps{Action: f.Action, Field: f.Field, Decision: r.Decision.Outcome},
		}
		if f.Exception != "" {
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: "waived by govhook exception " + f.Exception}}
		}
		if idx, ok := s.rules[f.Policy]; ok {
			res.RuleIndex = &idx
		}
		data, err := json.MarshalIndent(res, "        ", "  ")
		if err != nil {
			return err
		}
		if s.count > 0 {
			s.w.WriteByte(',')
		}
		s.count++
		s.w.WriteString("\n        ")
		if _, err := s.w.Write(data); err != nil {
			return err
		}
	}
	return nil
}

func (s *sarif) Problem(p Problem) error {
	s.summary.addProblem()
	n := sarifNotification{Level: "error", Message: sarifText{Text: p.Text()}}
	if loc := physical(p.Source, p.Line); loc != nil {
		n.Locations = []sarifLocation{{PhysicalLocation: loc}}
	}
	s.notifications = append(s.notifications, n)
	return nil
}

func (s *sarif) Close() error {
	if err := s.start(); err != nil {
		return err
	}
	if s.count > 0 {
		s.w.WriteString("\n      ")
	}
	notes := s.notifications
	if notes == nil {
		notes = []sarifNotification{}
	}
	inv, err := json.MarshalIndent([]sarifInvocation{{ExecutionSuccessful: len(notes) == 0, ToolExecutionNotifications: notes}}, "      ", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "],\n      \"invocations\": %s\n    }\n  ]\n}\n", inv)
	return s.w.Flush()
}

func sarifRuleOf(p policies.Policy) sarifRule {
	help := p.Description
	if len(p.References) > 0 {
		help += "\n\nReferences:\n- " + strings.Join(p.References, "\n- ")
	}
	help += fmt.Sprintf("\n\nSOC 2 controls: %s. Default action: %s.", strings.Join(p.Controls, ", "), p.Action)
	r := sarifRule{
		ID:                   p.ID,
		Name:                 pascalCase(p.Title),
		ShortDescription:     sarifText{Text: p.Title},
		FullDescription:      sarifText{Text: strings.TrimSpace(p.Description)},
		Help:                 sarifText{Text: strings.TrimSpace(help), Markdown: strings.TrimSpace(help)},
		DefaultConfiguration: sarifConfiguration{Level: levelOf(p.Action)},
		Properties: sarifRuleProps{
			Tags:             append([]string{"security", "kubernetes"}, p.Groups...),
			Severity:         p.Severity,
			SecuritySeverity: securitySeverity[p.Severity],
			Controls:         p.Controls,
		},
	}
	for _, ref := range p.References {
		if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
			r.HelpURI = ref
			break
		}
	}
	return r
}

// securitySeverity maps catalog severities onto the scores GitHub code scanning bands as
// low (0.1-3.9), medium (4-6.9), high (7-8.9) and critical (9-10).
var securitySeverity = map[string]string{"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}

// levelOf maps an action to a SARIF level: what blocks is an error, what warns a warning.
func levelOf(action string) string {
	switch action {
	case policies.ActionDeny:
		return "error"
	case policies.ActionWarn:
		return "warning"
	}
	return "note"
}

// locationsOf points at the file and line when the object came from a file, and always names
// the object itself.
func locationsOf(r Result, line int) []sarifLocation {
	return []sarifLocation{{
		PhysicalLocation: physical(r.Source, line),
		LogicalLocations: []sarifLogicalLocation{{FullyQualifiedName: r.Object(), Kind: "object"}},
	}}
}

// physical is the file location of a source, nil for stdin and cluster objects.
func physical(source string, line int) *sarifPhysicalLocation {
	if source == "" || source == "-" {
		return nil
	}
	u := url.URL{Path: filepath.ToSlash(filepath.Clean(source))}
	if filepath.IsAbs(source) {
		u.Scheme = "file"
	}
	loc := &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: u.String()}}
	if line > 0 {
		loc.Region = &sarifRegion{StartLine: line}
	}
	return loc
}

// pascalCase turns a title into a rule name: "Privileged containers" → "PrivilegedContainers".
func pascalCase(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		runes := []rune(word)
		b.WriteRune(unicode.ToUpper(runes[0]))
		b.WriteString(string(runes[1:]))
	}
	return b.String()
}
