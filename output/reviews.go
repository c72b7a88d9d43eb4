package output

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/govhook/govhook/config"
)

// ReviewFormats lists the formats WriteReviews accepts.
var ReviewFormats = []string{"table", "json"}

// WriteReviews prints the policy review register (`govhook policies reviews`): each policy's
// last review and whether it is overdue after intervalDays.
func WriteReviews(w io.Writer, format string, statuses []config.ReviewStatus, intervalDays int) error {
	overdue := 0
	for _, s := range statuses {
		if s.Overdue {
			overdue++
		}
	}
	if format == "json" {
		return writeIndentedJSON(w, struct {
			IntervalDays int                   `json:"reviewIntervalDays"`
			Overdue      int                   `json:"overdue"`
			Policies     []config.ReviewStatus `json:"policies"`
		}{intervalDays, overdue, statuses})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POLICY\tLAST REVIEW\tAGE\tREVIEWED BY\tTICKET\tSTATUS")
	for _, s := range statuses {
		date, age, by, ticket, status := "-", "-", "-", "-", "ok"
		if s.Last != nil {
			date, age, by = s.Last.ReviewedAt, strconv.Itoa(s.AgeDays)+"d", s.Last.ReviewedBy
			if s.Last.Ticket != "" {
				ticket = s.Last.Ticket
			}
		}
		switch {
		case s.Last == nil:
			status = "OVERDUE: never reviewed"
		case s.Overdue:
			status = fmt.Sprintf("OVERDUE: older than %d days", intervalDays)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Policy, date, age, by, ticket, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d policies: %d reviewed within %d days, %d overdue\n", len(statuses), len(statuses)-overdue, intervalDays, overdue)
	return err
}
