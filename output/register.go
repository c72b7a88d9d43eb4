package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/govhook/govhook/config"
)

// RegisterFormats lists the formats WriteRegister accepts.
var RegisterFormats = []string{"table", "json"}

// WriteRegister prints the exceptions register (`govhook exceptions list`) of a config with
// total exceptions, of which entries are listed.
func WriteRegister(w io.Writer, format string, entries []config.RegisterEntry, total int) error {
	if format == "json" {
		return writeIndentedJSON(w, struct {
			Exceptions []config.RegisterEntry `json:"exceptions"`
		}{entries})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPOLICIES\tMATCH\tEXPIRES\tSTATUS\tTICKET\tREQUESTED BY\tAPPROVED BY")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, strings.Join(e.Policies, ","), describeMatch(e.Match),
			e.Expires, e.Status, e.Ticket, e.RequestedBy, e.ApprovedBy)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	active := 0
	for _, e := range entries {
		if e.Active {
			active++
		}
	}
	_, err := fmt.Fprintf(w, "\n%d of %d exceptions listed: %d active, %d expired\n", len(entries), total, active, len(entries)-active)
	return err
}

func describeMatch(m config.ExceptionMatch) string {
	var parts []string
	for _, p := range []struct {
		name   string
		values []string
	}{{"namespaces", m.Namespaces}, {"kinds", m.Kinds}, {"names", m.Names}} {
		if len(p.values) > 0 {
			parts = append(parts, p.name+"="+strings.Join(p.values, ","))
		}
	}
	return strings.Join(parts, " ")
}
