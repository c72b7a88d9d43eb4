package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/govhook/govhook/policies"
)

// CatalogFormats lists the formats WriteCatalog accepts.
var CatalogFormats = []string{"table", "json", "markdown"}

// WriteCatalog lists the policy catalog (`govhook policies`) as a table, JSON or the markdown
// table of the README.
func WriteCatalog(w io.Writer, format string, ps []policies.Policy) error {
	switch format {
	case "json":
		return writeIndentedJSON(w, ps)
	case "markdown":
		return writePolicyMarkdown(w, ps)
	}
	return writePolicyTable(w, ps)
}

func writePolicyTable(w io.Writer, ps []policies.Policy) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tACTION\tCONTROLS\tGROUPS\tTITLE")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Severity, p.DefaultAction(), strings.Join(p.Controls, ","), strings.Join(p.Groups, ","), p.Title)
	}
	return tw.Flush()
}

func writePolicyMarkdown(w io.Writer, ps []policies.Policy) error {
	_, err := io.WriteString(w, policies.MarkdownTable(ps))
	return err
}

// writeIndentedJSON writes v as JSON indented by two spaces, as every listing command does.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
