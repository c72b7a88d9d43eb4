package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/govhook/govhook/certs"
)

// SecretName is the Secret the Deployment in deploy/base mounts as its serving certificate.
const SecretName = "govhook-tls"

func newCertsCommand() *cobra.Command {
	f := certs.ServiceFiles{SecretName: SecretName}
	cmd := &cobra.Command{
		Use:   "certs --service S --namespace N --out DIR [--inject FILE]",
		Short: "Generate a CA and a serving certificate for the webhook Service",
		Long: `Generate a self-signed CA and a serving certificate for the Service's DNS names
(S, S.N, S.N.svc, S.N.svc.cluster.local). DIR receives ca.crt, tls.crt, tls.key and
secret.yaml, a kubernetes.io/tls Secret manifest named ` + SecretName + ` (it holds the private key:
keep DIR out of version control). With --inject, the CA is written as the caBundle of every
webhook of the ValidatingWebhookConfiguration manifest FILE, in place; CAs already in the bundle
that are still valid stay after it, so replicas serving the previous certificate remain trusted
while they reload.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeCerts(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Service, "service", "", "name of the webhook Service (required)")
	fl.StringVar(&f.Namespace, "namespace", "", "namespace of the webhook Service and the Secret (required)")
	fl.StringVar(&f.Dir, "out", "", "directory for ca.crt, tls.crt, tls.key and secret.yaml (required)")
	fl.StringVar(&f.Inject, "inject", "", "ValidatingWebhookConfiguration manifest to write the caBundle into")
	fl.DurationVar(&f.Validity, "validity", 365*24*time.Hour, "lifetime of the CA and the serving certificate")
	return cmd
}

func writeCerts(cmd *cobra.Command, f certs.ServiceFiles) error {
	var errs []error
	for _, flag := range []struct{ name, value string }{{"--service", f.Service}, {"--namespace", f.Namespace}, {"--out", f.Dir}} {
		if flag.value == "" {
			errs = append(errs, fmt.Errorf("%s is required", flag.name))
		}
	}
	if f.Validity <= 0 {
		errs = append(errs, fmt.Errorf("--validity must be positive, got %s", f.Validity))
	}
	if len(errs) > 0 {
		return usageError(errors.Join(errs...))
	}
	f.Now = time.Now()
	webhooks, err := certs.WriteServiceFiles(f)
	if err != nil {
		return usageError(err)
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s, %s, %s and %s (Secret %s/%s) for %s.%s.svc\n",
		filepath.Join(f.Dir, certs.CAFile), filepath.Join(f.Dir, certs.CertFile), filepath.Join(f.Dir, certs.KeyFile),
		filepath.Join(f.Dir, certs.SecretFile), f.Namespace, SecretName, f.Service, f.Namespace)
	if f.Inject != "" {
		fmt.Fprintf(w, "injected the caBundle into %d webhooks of %s\n", webhooks, f.Inject)
	}
	return nil
}
