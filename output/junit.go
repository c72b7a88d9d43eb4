package output

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/policies"
)

// junit writes one testcase per object (a denial is a failure, an evaluation error or a
// problem an error; warnings go to system-out) in one testsuite. The suite's counts come
// first in the XML but are known only at the end, so testcases are spooled to a temporary
// file and copied after the header.
type junit struct {
	out     io.Writer
	spool   *os.File
	buf     *bufio.Writer
	enc     *xml.Encoder
	o       Options
	summary Summary
}

type junitCase struct {
	XMLName   xml.Name      `xml:"testcase"`
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func newJUnit(w io.Writer, o Options) (*junit, error) {
	f, err := os.CreateTemp("", "govhook-junit-*.xml")
	if err != nil {
		return nil, fmt.Errorf("create junit spool file: %w", err)
	}
	buf := bufio.NewWriter(f)
	enc := xml.NewEncoder(buf)
	enc.Indent("    ", "  ")
	return &junit{out: w, spool: f, buf: buf, enc: enc, o: o}, nil
}

func (j *junit) Summary() Summary { return j.summary }

func (j *junit) Result(r Result) error {
	j.summary.addResult(r)
	c := junitCase{ClassName: r.Source, Name: r.Object()}
	if c.ClassName == "" {
		c.ClassName = r.APIVersion + "/" + r.Kind
	}
	var denied, other, ids []string
	for i, f := range r.Decision.Findings {
		line := findingLine(r, i, f)
		if f.Action == policies.ActionDeny {
			denied = append(denied, line)
			if !slices.Contains(ids, f.Policy) {
				ids = append(ids, f.Policy)
			}
		} else {
			other = append(other, line)
		}
	}
	switch r.Decision.Outcome {
	case decision.OutcomeDeny:
		c.Failure = &junitMessage{Type: "deny", Message: fmt.Sprintf("%s is denied by %s", r.Object(), strings.Join(ids, ", ")), Text: strings.Join(denied, "\n")}
	case decision.OutcomeAllow, decision.OutcomeWarn:
	default:
		c.Error = &junitMessage{Type: "evaluation", Message: r.Error}
	}
	c.SystemOut = strings.Join(other, "\n")
	return j.enc.Encode(c)
}

// findingLine reads "[POD-001] message (deny, spec...privileged at file.yaml:12)".
func findingLine(r Result, i int, f decision.Finding) string {
	where := f.Action
	if f.Exception != "" {
		where += " by exception " + f.Exception
	}
	if f.Field != "" {
		where += ", " + f.Field
	}
	if loc := location(r.Source, r.FieldLine(i)); loc != "" {
		where += " at " + loc
	}
	return fmt.Sprintf("[%s] %s (%s)", f.Policy, f.Message, where)
}

func (j *junit) Problem(p Problem) error {
	j.summary.addProblem()
	name := p.Source
	if p.Index > 0 {
		name = fmt.Sprintf("document %d", p.Index)
	}
	return j.enc.Encode(junitCase{ClassName: p.Source, Name: name, Error: &junitMessage{Type: "input", Message: p.Message}})
}

func (j *junit) Close() error {
	defer os.Remove(j.spool.Name())
	defer j.spool.Close()
	if err := errors.Join(j.enc.Close(), j.buf.Flush()); err != nil {
		return fmt.Errorf("write junit spool file: %w", err)
	}
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	s := j.summary
	counts := fmt.Sprintf(`tests="%d" failures="%d" errors="%d" skipped="0"`, s.Total, s.Denied, s.Errors)
	w := bufio.NewWriter(j.out)
	fmt.Fprintf(w, "%s<testsuites name=\"govhook\" %s>\n  <testsuite name=\"govhook\" %s>\n", xml.Header, counts, counts)
	fmt.Fprintf(w, "    <properties>\n      <property name=\"govhook.version\" value=\"%s\"></property>\n    </properties>\n", xmlEscape(j.o.ToolVersion))
	if _, err := io.Copy(w, j.spool); err != nil {
		return err
	}
	w.WriteString("\n  </testsuite>\n</testsuites>\n")
	return w.Flush()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
