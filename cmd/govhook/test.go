package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/offline"
)

func newTestCommand() *cobra.Command {
	var files, only []string
	var configPath, output string
	cmd := &cobra.Command{
		Use:   "test -f PATH [-f PATH]...",
		Short: "Check manifests offline with the webhook's own engine",
		Long: `Check Kubernetes manifests against the policy catalog, as the webhook would judge
creating them. PATH is a file, a directory (searched recursively) or - for stdin.
Exit status: 0 all admitted (warnings allowed), 1 any denial, 2 usage or input error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return usageError(errors.New("test needs at least one -f PATH (or -f - for stdin)"))
			}
			if output != "table" && output != "json" {
				return usageError(fmt.Errorf("output format %q is not one of table, json", output))
			}
			reviewer, err := loadReviewer(cmd.Context(), configPath, only)
			if err != nil {
				return err
			}
			docs, loadErrs := offline.Load(files, cmd.InOrStdin())
			for _, e := range loadErrs {
				fmt.Fprintln(cmd.ErrOrStderr(), "govhook: error:", e)
			}
			results, err := offline.Run(cmd.Context(), reviewer, docs, offline.Options{})
			if err != nil {
				return usageError(err)
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				err = offline.WriteJSON(out, results)
			} else {
				err = offline.WriteTable(out, results)
			}
			if err != nil {
				return err
			}
			switch {
			case len(loadErrs) > 0:
				return &exitError{code: exitUsage}
			case offline.Summarize(results).Denied > 0:
				return &exitError{code: exitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest file, directory or - for stdin (repeatable)")
	cmd.Flags().StringSliceVar(&only, "only", nil, "evaluate only these policy ids or groups (comma separated)")
	cmd.Flags().StringVar(&configPath, "config", "", "govhook config file (enforcement actions, exemptions, exceptions, parameters)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}
