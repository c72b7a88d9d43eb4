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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Severity, defaultAction(p), strings.Join(p.Controls, ","), strings.Join(p.Groups, ","), p.Title)
	}
	return tw.Flush()
}

func writePolicyMarkdown(w io.Writer, ps []policies.Policy) error {
	var b strings.Builder
	b.WriteString("| id | title | severity | default action | SOC 2 controls | groups |\n|---|---|---|---|---|---|\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", p.ID, p.Title, p.Severity, defaultAction(p), strings.Join(p.Controls, ", "), strings.Join(p.Groups, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// defaultAction names a policy's catalog default: its action, or "tiered" (deny in prod
// namespaces, warn elsewhere).
func defaultAction(p policies.Policy) string {
	if p.Tiered {
		return "tiered"
	}
	return p.Action
}

// writeIndentedJSON writes v as JSON indented by two spaces, as every listing command does.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
