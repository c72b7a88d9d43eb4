package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/scan"
)

func newAuditCommand() *cobra.Command {
	var only, skip []string
	var kubeconfig, kubeContext, configPath, format, evidenceDir, replica string
	var pageSize int64
	var showAllowed bool
	cmd := &cobra.Command{
		Use:   "audit [--kubeconfig F] [--context C]",
		Short: "Judge the objects already in a cluster with the webhook's own engine",
		Long: `List every kind the policy catalog covers (Namespaces first, then workloads, services,
access and storage objects), page by page, and judge each object as if it were created now:
drift that predates govhook, or that got in while the webhook was not registered. Secret
values are never read into the report or the evidence.

With --evidence-dir, each judged object gets an evidence record of type "audit" in the
replica chain --replica, so an auditor sees periodic drift checks next to admissions.

Exit status: 0 nothing would be denied, 1 some object would be denied, 2 usage error or an
object or kind that could not be judged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := output.ParseFormat(format, output.Formats...); err != nil {
				return usageError(err)
			}
			reviewer, err := loadReviewer(cmd.Context(), configPath, policies.Selection{Only: only, Skip: skip})
			if err != nil {
				return err
			}
			rules := clientcmd.NewDefaultClientConfigLoadingRules()
			rules.ExplicitPath = kubeconfig
			cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
			if err != nil {
				return usageError(fmt.Errorf("load kubeconfig: %w", err))
			}
			scanner, err := newScanner(cfg, reviewer)
			if err != nil {
				return usageError(err)
			}
			scanner.PageSize = pageSize
			if evidenceDir != "" {
				writer, err := evidence.Open(cmd.Context(), evidence.Options{Dir: evidenceDir, Replica: replica})
				if err != nil {
					return usageError(err)
				}
				defer writer.Close()
				scanner.Evidence = writer
				// Each review then waits for its record's fsync: more of them in flight share
				// each fsync (group commit) while the cores keep judging.
				scanner.Workers = 8 * runtime.GOMAXPROCS(0)
			}
			out := cmd.OutOrStdout()
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				scanner.Progress = func(p scan.Progress) { drawProgress(f, p) }
				defer fmt.Fprint(f, clearLine)
				if o, ok := out.(*os.File); ok && term.IsTerminal(int(o.Fd())) {
					out = &belowProgress{out: o, progress: f}
				}
			}
			rw, err := newReport(format, out, reviewer, !showAllowed)
			if err != nil {
				return err
			}
			scanErr := scanner.Scan(cmd.Context(), rw)
			if err := errors.Join(scanErr, rw.Close()); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			return reportExit(rw.Summary())
		},
	}
	f := cmd.Flags()
	f.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&kubeContext, "context", "", "kubeconfig context to use (default: the current context)")
	f.StringVar(&configPath, "config", "", "govhook config file (enforcement actions, exemptions, exceptions, parameters)")
	f.StringSliceVar(&only, "only", nil, "evaluate only these policy ids or groups (comma separated)")
	f.StringSliceVar(&skip, "skip", nil, "do not evaluate these policy ids or groups (comma separated)")
	f.StringVarP(&format, "output", "o", "table", outputFlagHelp)
	f.BoolVar(&showAllowed, "show-allowed", false, "table output: also list objects without findings")
	f.StringVar(&evidenceDir, "evidence-dir", "", "append an evidence record of type audit per object to this directory")
	f.StringVar(&replica, "replica", "audit", "name of the evidence chain the audit records go to")
	f.Int64Var(&pageSize, "page-size", scan.DefaultPageSize, "objects per list call")
	return cmd
}

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\033[K"

// belowProgress clears the progress line before report output goes to the same terminal.
type belowProgress struct {
	out, progress io.Writer
}

func (b *belowProgress) Write(p []byte) (int, error) {
	fmt.Fprint(b.progress, clearLine)
	return b.out.Write(p)
}

// drawProgress redraws one status line: which kind, how many of its objects are judged.
func drawProgress(w io.Writer, p scan.Progress) {
	const width = 24
	filled := width
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	fmt.Fprintf(w, clearLine+"[%d/%d] %-24s [%s%s] %d/%d", p.Kind, p.Kinds, p.Resource,
		strings.Repeat("#", filled), strings.Repeat(" ", width-filled), p.Done, p.Total)
}

// newScanner returns a scanner of the cluster cfg reaches, judging with reviewer.
func newScanner(cfg *rest.Config, reviewer *review.Reviewer) (*scan.Scanner, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 50, 100
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &scan.Scanner{
		Client:   client,
		Mapper:   restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco)),
		Reviewer: reviewer,
	}, nil
}
