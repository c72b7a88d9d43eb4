package main

import (
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
	return cmd
}
