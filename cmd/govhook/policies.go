package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/report"
)

func newPoliciesCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "policies",
		Short: "List the policy catalog: ids, titles, groups, SOC 2 controls and default actions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			catalog, err := policies.LoadCatalog(policies.Files)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch output {
			case "table":
				return writePolicyTable(out, catalog.Policies)
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(catalog.Policies)
			case "markdown":
				return writePolicyMarkdown(out, catalog.Policies)
			}
			return usageError(fmt.Errorf("output format %q is not one of table, json, markdown", output))
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or markdown")
	cmd.AddCommand(newPoliciesExplainCommand())
	return cmd
}

func newPoliciesExplainCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "Print a policy's page: what it checks and why, examples, messages, how to fix and waive it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "markdown" && output != "json" {
				return usageError(fmt.Errorf("output format %q is not one of markdown, json", output))
			}
			catalog, err := policies.LoadCatalog(policies.Files)
			if err != nil {
				return err
			}
			page, err := catalog.Page(policies.Fixtures, args[0])
			if errors.Is(err, policies.ErrUnknownPolicy) {
				return usageError(fmt.Errorf("%w (govhook policies lists the ids)", err))
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(page)
			}
			return report.WritePolicyPage(out, page)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "markdown", "output format: markdown or json")
	return cmd
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
