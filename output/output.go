// Package output writes the results of `govhook test` and `govhook audit` as a table, JSON,
// JUnit XML or SARIF 2.1.0. Writers stream: each result goes out as it arrives, so a cluster
// scan never holds its whole population in memory.
package output

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
)

// Result is the judged object a Writer renders: the domain result of offline.Run and of the
// cluster scan.
type Result = offline.Result

// Problem is input that could not be judged at all: an unreadable file, malformed YAML, a
// document without kind, a list that failed.
type Problem struct {
	Source string `json:"source,omitempty"`
	// Index is the document's 1-based position in Source (0 when the problem is the whole source).
	Index   int    `json:"index,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Text is the problem's message, naming the document when it is about one.
func (p Problem) Text() string {
	if p.Index > 0 {
		return fmt.Sprintf("document %d: %s", p.Index, p.Message)
	}
	return p.Message
}

// Summary counts results by outcome; Errors counts objects that could not be evaluated and
// problems.
type Summary struct {
	Total   int `json:"total"`
	Allowed int `json:"allowed"`
	Warned  int `json:"warned"`
	Denied  int `json:"denied"`
	Errors  int `json:"errors"`
}

func (s *Summary) addResult(r Result) {
	s.Total++
	switch r.Decision.Outcome {
	case decision.OutcomeDeny:
		s.Denied++
	case decision.OutcomeWarn:
		s.Warned++
	case decision.OutcomeAllow:
		s.Allowed++
	default:
		s.Errors++
	}
}

func (s *Summary) addProblem() {
	s.Total++
	s.Errors++
}

// String reads "12 objects: 9 allowed, 1 warned, 2 denied, 0 errors".
func (s Summary) String() string {
	return fmt.Sprintf("%d objects: %d allowed, %d warned, %d denied, %d errors", s.Total, s.Allowed, s.Warned, s.Denied, s.Errors)
}

// Writer writes one report. Result and Problem may be called in any interleaving; Close
// completes the document. A Writer is not safe for concurrent use.
type Writer interface {
	Result(Result) error
	Problem(Problem) error
	Close() error
	// Summary counts what was written so far.
	Summary() Summary
}

// Formats lists the output formats New accepts.
var Formats = []string{"table", "json", "junit", "sarif"}

// Options shape a report.
type Options struct {
	// Policies are the policies evaluated: SARIF lists them as rules.
	Policies []policies.Policy
	// ToolVersion is govhook's version, named by JUnit and SARIF.
	ToolVersion string
	// FindingsOnly leaves objects without findings out of the table (a cluster has many).
	FindingsOnly bool
}

// New returns a Writer of the given format on w.
func New(format string, w io.Writer, o Options) (Writer, error) {
	switch format {
	case "table":
		return newTable(w, o), nil
	case "json":
		return newJSON(w), nil
	case "junit":
		return newJUnit(w, o)
	case "sarif":
		return newSARIF(w, o), nil
	}
	return nil, errFormat(format, Formats)
}

// ParseFormat checks a command's -o value against the formats it allows: the one check of
// -o for every command.
func ParseFormat(value string, allowed ...string) (string, error) {
	if !slices.Contains(allowed, value) {
		return "", errFormat(value, allowed)
	}
	return value, nil
}

func errFormat(value string, allowed []string) error {
	return fmt.Errorf("output format %q is not one of %s", value, strings.Join(allowed, ", "))
}
