package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

func newPoliciesCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "policies",
		Short: "List the policy catalog: ids, titles, groups, SOC 2 controls and default actions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			catalog, err := policies.LoadCatalog(policies.Files)
			if err != nil {
				return err
			}
			if _, err := output.ParseFormat(format, output.CatalogFormats...); err != nil {
				return usageError(err)
			}
			return output.WriteCatalog(cmd.OutOrStdout(), format, catalog.Policies)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "table", "output format: table, json or markdown")
	cmd.AddCommand(newPoliciesExplainCommand())
	return cmd
}

func newPoliciesExplainCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain ID",
		Short: "Print a policy's page: what it checks and why, examples, messages, how to fix and waive it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := output.ParseFormat(format, output.PageFormats...); err != nil {
				return usageError(err)
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
			return output.WritePage(cmd.OutOrStdout(), format, page)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "markdown", "output format: markdown or json")
	return cmd
}
