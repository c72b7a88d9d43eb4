package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/policydiff"
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
	cmd.AddCommand(newPoliciesExplainCommand(), newPoliciesReviewsCommand(), newPoliciesDiffCommand())
	return cmd
}

func newPoliciesReviewsCommand() *cobra.Command {
	var configPath, format string
	var failOverdue bool
	cmd := &cobra.Command{
		Use:   "reviews",
		Short: "List each policy's last review from the config's review register, flagging overdue ones",
		Long: `List each policy of the catalog with its last review in the config's reviews register
(who, when, ticket) and flag the policies never reviewed or reviewed longer ago than
reviewIntervalDays (default 365). With --fail-overdue the command exits 1 when any is overdue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := output.ParseFormat(format, output.ReviewFormats...); err != nil {
				return usageError(err)
			}
			catalog, cfg, err := loadCatalogAndConfig(configPath)
			if err != nil {
				return err
			}
			statuses := cfg.ReviewStatuses(policyRefs(catalog), time.Now())
			if err := output.WriteReviews(cmd.OutOrStdout(), format, statuses, int(cfg.ReviewInterval().Hours()/24)); err != nil {
				return err
			}
			if failOverdue && slices.ContainsFunc(statuses, func(s config.ReviewStatus) bool { return s.Overdue }) {
				return &exitError{code: exitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "govhook config file holding the reviews register")
	cmd.Flags().StringVarP(&format, "output", "o", "table", "output format: table or json")
	cmd.Flags().BoolVar(&failOverdue, "fail-overdue", false, "exit 1 when a policy's review is overdue")
	return cmd
}

func newPoliciesDiffCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "What changed between two policy catalogs (policies -o json) or two config files, as Markdown for a pull request",
		Long: `Compare two versions of what govhook enforces and print the change-history entry a
reviewer signs off: either two catalogs, as two govhook binaries print them with
"govhook policies -o json" (policies added, removed, changed in action, tiering, parameters,
severity, controls, groups or kinds), or two config files (per-policy enforcement, exceptions
added, removed, changed or expired, exemptions, parameters, reviews and settings).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := output.ParseFormat(format, output.DiffFormats...); err != nil {
				return usageError(err)
			}
			var versions [2]policydiff.Version
			for i, path := range args {
				data, err := os.ReadFile(path)
				if err != nil {
					return usageError(err)
				}
				if versions[i], err = policydiff.Parse(path, data); err != nil {
					return usageError(err)
				}
			}
			report, err := policydiff.Diff(versions[0], versions[1], time.Now())
			if err != nil {
				return usageError(err)
			}
			return output.WriteDiff(cmd.OutOrStdout(), format, report)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "markdown", "output format: markdown or json")
	return cmd
}

// policyRefs names the catalog's policies with their groups, as the review register selects them.
func policyRefs(catalog *policies.Catalog) []config.PolicyRef {
	refs := make([]config.PolicyRef, len(catalog.Policies))
	for i, p := range catalog.Policies {
		refs[i] = config.PolicyRef{ID: p.ID, Groups: p.Groups}
	}
	return refs
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
