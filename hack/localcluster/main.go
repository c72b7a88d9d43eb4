// Command localcluster keeps a local control plane with govhook running for `make demo`: it
// starts etcd, kube-apiserver and govhook (package test/e2e/cluster), writes the connection
// details to <state>/cluster.env once everything answers, and stops it all on SIGINT or
// SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/govhook/govhook/test/e2e/cluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "localcluster:", err)
		os.Exit(1)
	}
}

func run() error {
	var opts cluster.Options
	flag.StringVar(&opts.BinaryDir, "assets", os.Getenv("KUBEBUILDER_ASSETS"), "directory of kube-apiserver, etcd and kubectl")
	flag.StringVar(&opts.Govhook, "govhook", "bin/govhook", "govhook binary")
	flag.StringVar(&opts.WebhookConfig, "webhook-config", "deploy/base/validatingwebhookconfiguration.yaml", "ValidatingWebhookConfiguration to register")
	flag.StringVar(&opts.StateDir, "state", filepath.Join(os.TempDir(), "govhook-demo"), "state directory (kubeconfig, evidence, logs)")
	flag.StringVar(&opts.User, "user", "demo-user", "kubeconfig user (member of system:masters)")
	flag.StringVar(&opts.Replica, "replica", "demo", "name of govhook's evidence chain")
	flag.DurationVar(&opts.AuditInterval, "audit-interval", 0, "run govhook's continuous audit this often (0: off)")
	crds := flag.String("crds", "", "directory of CustomResourceDefinitions to install first (e.g. deploy/base/openreports)")
	flag.StringVar(&opts.GovhookConfig, "govhook-config", "", "govhook config file (e.g. with evidence.archive)")
	flag.Parse()
	if *crds != "" {
		opts.CRDDirs = []string{*crds}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := cluster.Start(ctx, opts)
	if err != nil {
		return err
	}
	env := fmt.Sprintf("KUBECONFIG=%s\nKUBECTL=%s\nEVIDENCE_DIR=%s\nAUDIT_LOG=%s\nMETRICS_URL=%s\nGOVHOOK_LOG=%s\n",
		c.Kubeconfig, c.Kubectl, filepath.Join(c.EvidenceDir, opts.Replica), c.AuditLog, c.Govhook().MetricsURL, c.Govhook().Log)
	envFile := filepath.Join(opts.StateDir, "cluster.env")
	if err = os.WriteFile(envFile+".tmp", []byte(env), 0o600); err == nil {
		err = os.Rename(envFile+".tmp", envFile) // appears whole: its presence means ready
	}
	if err != nil {
		return fmt.Errorf("write %s: %w (stopping: %w)", envFile, err, c.Stop())
	}
	fmt.Println("local cluster ready; details in", envFile)
	<-ctx.Done()
	fmt.Println("stopping govhook and the control plane")
	return c.Stop()
}
