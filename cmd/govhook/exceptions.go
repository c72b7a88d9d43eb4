package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/output"
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
	var configPath, expiring, format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the exceptions register, soonest expiry first",
		Long: `List every exception of the config file with its policies, match, paper trail and
expiry, soonest expiry first. --expiring D keeps only exceptions that expire within D
(e.g. 14d, 36h) or have already expired: expired exceptions waive nothing, anywhere.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := output.ParseFormat(format, output.RegisterFormats...); err != nil {
				return usageError(err)
			}
			var within *time.Duration
			if expiring != "" {
				d, err := config.ParseWindow(expiring)
				if err != nil {
					return usageError(fmt.Errorf("--expiring: %w", err))
				}
				within = &d
			}
			catalog, err := policies.LoadCatalog(policies.Files)
			if err != nil {
				return err
			}
			cfg, err := loadConfig(configPath, catalog)
			if err != nil {
				return err
			}
			return output.WriteRegister(cmd.OutOrStdout(), format, cfg.Register(time.Now(), within), len(cfg.Exceptions))
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "govhook config file")
	cmd.Flags().StringVar(&expiring, "expiring", "", "only exceptions expiring within this window (e.g. 14d, 36h) or already expired")
	cmd.Flags().StringVarP(&format, "output", "o", "table", "output format: table or json")
	return cmd
}
