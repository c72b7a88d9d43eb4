// Command govhook is the governance admission webhook for Kubernetes and its tools: serve the
// webhook, test manifests offline, list the policy catalog. This package only wires the other
// packages together; it is the one place that exits the process.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes of govhook test (and of every command on bad usage or input).
const (
	exitOK     = 0
	exitDenied = 1
	exitUsage  = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "govhook:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "govhook:", err)
	return exitUsage
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "govhook",
		Short:         "Governance admission webhook for Kubernetes, with audit evidence for SOC 2",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.AddCommand(newServeCommand(), newTestCommand(), newAuditCommand(), newPoliciesCommand(), newExceptionsCommand(), newCertsCommand(), newEvidenceCommand(), newVersionCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print govhook's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "govhook", version)
			return err
		},
	}
}
