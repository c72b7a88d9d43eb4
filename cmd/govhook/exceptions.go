package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

func newExceptionsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exceptions",
		Short: "Inspect the exceptions register of a config file",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newExceptionsListCommand())
	return cmd
}

func newExceptionsListCommand() *cobra.Command {
	var configPath, expiring, output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the exceptions register, soonest expiry first",
		Long: `List every exception of the config file with its policies, match, paper trail and
expiry, soonest expiry first. --expiring D keeps only exceptions that expire within D
(e.g. 14d, 36h) or have already expired: expired exceptions waive nothing, anywhere.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return usageError(fmt.Errorf("output format %q is not one of table, json", output))
			}
			var within time.Duration
			if expiring != "" {
				var err error
				if within, err = parseWindow(expiring); err != nil {
					return usageError(fmt.Errorf("--expiring: %w", err))
				}
			}
			catalog, err := policies.LoadCatalog(policies.Files)
			if err != nil {
				return err
			}
			cfg, err := loadConfig(configPath, catalog)
			if err != nil {
				return err
			}
			entries := registerAt(cfg, time.Now(), expiring != "", within)
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Exceptions []registerEntry `json:"exceptions"`
				}{entries})
			}
			return writeRegister(cmd.OutOrStdout(), entries, len(cfg.Exceptions))
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "govhook config file")
	cmd.Flags().StringVar(&expiring, "expiring", "", "only exceptions expiring within this window (e.g. 14d, 36h) or already expired")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

// registerEntry is one exception as the register lists it.
type registerEntry struct {
	config.Exception
	// End is the instant the exception stops applying (RFC 3339, UTC).
	End    time.Time `json:"end"`
	Active bool      `json:"active"`
	// Status says how long is left, or that it expired.
	Status string `json:"status"`
}

// registerAt lists cfg's exceptions at now, soonest end first; with filter, only those ending
// within the window (or already ended).
func registerAt(cfg *config.Config, now time.Time, filter bool, within time.Duration) []registerEntry {
	entries := []registerEntry{}
	for _, e := range cfg.Exceptions {
		end := e.End()
		if filter && end.Sub(now) > within {
			continue
		}
		entries = append(entries, registerEntry{Exception: e, End: end, Active: e.ActiveAt(now), Status: status(end.Sub(now))})
	}
	slices.SortStableFunc(entries, func(a, b registerEntry) int { return a.End.Compare(b.End) })
	return entries
}

func status(left time.Duration) string {
	switch {
	case left <= 0:
		return "expired " + span(-left) + " ago"
	default:
		return "active, " + span(left) + " left"
	}
}

// span renders a duration in whole days, or hours under two days.
func span(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return strconv.Itoa(int(d/time.Hour)) + "h"
}

// parseWindow reads a window as whole days ("14d") or a Go duration ("36h").
func parseWindow(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days like 14d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is neither days (14d) nor a duration (36h)", s)
	}
	return d, nil
}

func writeRegister(w io.Writer, entries []registerEntry, total int) error {
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
