package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/govhook/govhook/policydiff"
)

// DiffFormats lists the formats WriteDiff accepts.
var DiffFormats = []string{"markdown", "json"}

// WriteDiff prints a policy change (`govhook policies diff`): Markdown ready for a pull
// request, with a sign-off line for the reviewer, or JSON.
func WriteDiff(w io.Writer, format string, r policydiff.Report) error {
	if format == "json" {
		return writeIndentedJSON(w, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## govhook %s change\n\n", r.New.Kind)
	fmt.Fprintf(&b, "| | file | SHA-256 |\n|---|---|---|\n| old | `%s` | `%s` |\n| new | `%s` | `%s` |\n\n", r.Old.Name, r.Old.Digest, r.New.Name, r.New.Digest)
	if len(r.Changes) == 0 {
		b.WriteString("No change.\n")
	}
	for _, section := range policydiff.SectionOrder {
		var rows []policydiff.Change
		for _, c := range r.Changes {
			if c.Section == section {
				rows = append(rows, c)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "### %s (%d)\n\n| subject | field | old | new |\n|---|---|---|---|\n", section, len(rows))
		for _, c := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(c.Subject), cell(c.Field), cell(c.Old), cell(c.New))
		}
		b.WriteString("\n")
	}
	b.WriteString("Reviewed and approved by: ______________________  Date: __________  Ticket: __________\n")
	_, err := io.WriteString(w, b.String())
	return err
}

var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ")

func cell(s string) string {
	if s == "" {
		return "-"
	}
	return cellEscaper.Replace(s)
}
