package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	admissionv1 "k8s.io/api/admission/v1"

	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

func newTestCommand() *cobra.Command {
	var files, only, skip []string
	var configPath, format, namespace, operation string
	var namespaceLabels map[string]string
	var allowUnknown bool
	cmd := &cobra.Command{
		Use:   "test -f PATH [-f PATH]...",
		Short: "Check manifests offline with the webhook's own engine",
		Long: `Check Kubernetes manifests against the policy catalog, as the webhook would judge
creating them. PATH is a file, a directory (searched recursively), a glob (** matches any
number of directories) or - for stdin, so rendered charts can be piped in:

  helm template ./chart | govhook test -f -
  kustomize build overlays/prod | govhook test -f - -o sarif > govhook.sarif

Namespaced objects that name no namespace land in --namespace ("default", as with kubectl).
Namespace metadata (for tiered actions) comes from Namespace objects among the manifests, else
from --namespace-labels.

Exit status: 0 all admitted (warnings allowed), 1 any denial, 2 usage or input error
(unreadable file, malformed YAML, a document without kind or apiVersion, an unknown kind, an
invalid config); documents that could be read are still judged and reported.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return usageError(errors.New("test needs at least one -f PATH (or -f - for stdin)"))
			}
			if _, err := output.ParseFormat(format, output.Formats...); err != nil {
				return usageError(err)
			}
			op := admissionv1.Operation(strings.ToUpper(operation))
			if !slices.Contains([]admissionv1.Operation{admissionv1.Create, admissionv1.Update}, op) {
				return usageError(fmt.Errorf("operation %q is not CREATE or UPDATE", operation))
			}
			reviewer, err := loadReviewer(cmd.Context(), configPath, policies.Selection{Only: only, Skip: skip})
			if err != nil {
				return err
			}
			rw, err := newReport(format, cmd.OutOrStdout(), reviewer, false)
			if err != nil {
				return err
			}
			docs, problems := manifests.Load(files, cmd.InOrStdin())
			if len(docs) == 0 && len(problems) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "govhook: warning: the input holds no Kubernetes objects")
			}
			results, runErr := offline.Run(cmd.Context(), reviewer, docs, offline.Options{
				Operation:         op,
				DefaultNamespace:  namespace,
				NamespaceLabels:   namespaceLabels,
				AllowUnknownKinds: allowUnknown,
			})
			for _, p := range append(problems, joined(runErr)...) {
				if format != "table" {
					fmt.Fprintln(cmd.ErrOrStderr(), "govhook: error:", p)
				}
				if err := rw.Problem(problemOf(p)); err != nil {
					return err
				}
			}
			for _, r := range results {
				if err := rw.Result(r); err != nil {
					return err
				}
			}
			if err := rw.Close(); err != nil {
				return err
			}
			return reportExit(rw.Summary())
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&files, "filename", "f", nil, "manifest file, directory, glob or - for stdin (repeatable)")
	f.StringSliceVar(&only, "only", nil, "evaluate only these policy ids or groups (comma separated)")
	f.StringSliceVar(&skip, "skip", nil, "do not evaluate these policy ids or groups (comma separated)")
	f.StringVar(&configPath, "config", "", "govhook config file (enforcement actions, exemptions, exceptions, parameters)")
	f.StringVarP(&format, "output", "o", "table", outputFlagHelp)
	f.StringVarP(&namespace, "namespace", "n", "default", "namespace of namespaced objects that name none")
	f.StringToStringVar(&namespaceLabels, "namespace-labels", nil, "labels of namespaces not among the manifests, e.g. environment=prod,owner=payments")
	f.StringVar(&operation, "operation", "CREATE", "admission operation to judge the manifests as: CREATE or UPDATE")
	f.BoolVar(&allowUnknown, "allow-unknown-kinds", false, "judge objects of kinds no Kubernetes API serves instead of reporting them as errors")
	return cmd
}
