// Package cluster runs a local Kubernetes control plane (etcd and kube-apiserver through
// controller-runtime's envtest) with govhook registered as its validating webhook and serving
// as a real process. The end-to-end suite and `make demo` share it; everything listens on
// loopback only.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// loopback is the only address anything here listens on.
const loopback = "127.0.0.1"

// auditPolicy records every change at Metadata level, which carries the webhook's audit
// annotations (decision id, policies); reads are left out to keep the log small.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  verbs: [get, list, watch]
- level: Metadata
`

// Options say where the parts are and where the cluster keeps its state.
type Options struct {
	// BinaryDir holds kube-apiserver, etcd and kubectl (hack/build-control-plane.sh).
	BinaryDir string
	// Govhook is the govhook binary to serve the webhook.
	Govhook string
	// WebhookConfig is the ValidatingWebhookConfiguration file to register.
	WebhookConfig string
	// StateDir receives the kubeconfig, evidence, audit log and govhook's log.
	StateDir string
	// User is the kubeconfig's user name (a member of system:masters).
	User string
	// Replica names govhook's first evidence chain.
	Replica string
	// CRDDirs hold CustomResourceDefinitions installed before govhook starts (the
	// OpenReports CRDs for the demo's reports).
	CRDDirs []string
	// AuditInterval runs govhook's continuous audit this often (Lease in namespace
	// default); 0 turns it off, as the suite, which counts one evidence record per request,
	// needs.
	AuditInterval time.Duration
	// GovhookConfig, if set, is govhook's config file (--config), e.g. with an evidence archive.
	GovhookConfig string
}

// Cluster is a running control plane with govhook registered and serving.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig for Options.User.
	Kubeconfig string
	// Kubectl is the path of the kubectl binary.
	Kubectl string
	// EvidenceDir is govhook's evidence directory (one subdirectory per replica).
	EvidenceDir string
	// AuditLog is the kube-apiserver's audit log (JSON lines, audit.k8s.io/v1 Events).
	AuditLog string
	// WebhookName is the governed namespaces' webhook, the first registered.
	WebhookName string
	// WebhookNames are all registered webhooks; each prefixes the audit annotations of the
	// requests it sends.
	WebhookNames []string
	// Config reaches the apiserver as the environment's admin.
	Config *rest.Config

	opts    Options
	env     *envtest.Environment
	govhook *Govhook
}

// Start brings up etcd and kube-apiserver, registers the webhook configuration (its service
// reference rewritten to govhook's loopback URL, with envtest's CA), starts govhook and waits
// until the apiserver routes requests to it.
func Start(ctx context.Context, opts Options) (c *Cluster, err error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	c = &Cluster{
		Kubeconfig:  filepath.Join(opts.StateDir, "kubeconfig"),
		Kubectl:     filepath.Join(opts.BinaryDir, "kubectl"),
		EvidenceDir: filepath.Join(opts.StateDir, "evidence"),
		AuditLog:    filepath.Join(opts.StateDir, "audit.log"),
		opts:        opts,
	}
	policyFile := filepath.Join(opts.StateDir, "audit-policy.yaml")
	if err := os.WriteFile(policyFile, []byte(auditPolicy), 0o600); err != nil {
		return nil, fmt.Errorf("write audit policy: %w", err)
	}
	c.env = &envtest.Environment{
		BinaryAssetsDirectory: opts.BinaryDir,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			Paths:            []string{opts.WebhookConfig},
			LocalServingHost: loopback,
		},
		ControlPlaneStartTimeout: time.Minute,
		CRDDirectoryPaths:        opts.CRDDirs,
		ErrorIfCRDPathMissing:    true,
	}
	c.env.ControlPlane.GetAPIServer().Configure().
		Set("audit-log-path", c.AuditLog).
		Set("audit-policy-file", policyFile)
	if c.Config, err = c.env.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start control plane: %w", err), c.stopEnv())
	}
	started := c // the named result is nil on an error return; clean up what was started
	defer func() {
		if err != nil {
			err = errors.Join(err, started.Stop())
		}
	}()
	hooks := c.env.WebhookInstallOptions.ValidatingWebhooks
	if len(hooks) != 1 || len(hooks[0].Webhooks) == 0 {
		return nil, fmt.Errorf("%s: want one ValidatingWebhookConfiguration", opts.WebhookConfig)
	}
	// The first webhook governs the workload namespaces; its name prefixes audit annotations.
	c.WebhookName = hooks[0].Webhooks[0].Name
	for _, w := range hooks[0].Webhooks {
		c.WebhookNames = append(c.WebhookNames, w.Name)
	}
	if err := c.writeKubeconfig(); err != nil {
		return nil, err
	}
	if err := c.StartGovhook(ctx, opts.Replica); err != nil {
		return nil, err
	}
	return c, c.waitForWebhook(ctx)
}

func (o Options) check() error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"BinaryDir", o.BinaryDir}, {"Govhook", o.Govhook}, {"WebhookConfig", o.WebhookConfig},
		{"StateDir", o.StateDir}, {"User", o.User}, {"Replica", o.Replica},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cluster options missing: %s", strings.Join(missing, ", "))
	}
	for _, f := range []string{filepath.Join(o.BinaryDir, "kube-apiserver"), filepath.Join(o.BinaryDir, "etcd"), filepath.Join(o.BinaryDir, "kubectl"), o.Govhook, o.WebhookConfig} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("cluster needs %s: %w", f, err)
		}
	}
	return os.MkdirAll(o.StateDir, 0o700)
}

func (c *Cluster) writeKubeconfig() error {
	user, err := c.env.AddUser(envtest.User{Name: c.opts.User, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("add kubeconfig user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig for %s: %w", c.opts.User, err)
	}
	if err := os.WriteFile(c.Kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// StartGovhook starts govhook serving on envtest's port with envtest's serving certificate,
// writing evidence as replica, and waits until it is ready.
func (c *Cluster) StartGovhook(ctx context.Context, replica string) error {
	if c.govhook != nil {
		return errors.New("govhook is already running")
	}
	g, err := StartGovhook(ctx, GovhookOptions{
		Binary:      c.opts.Govhook,
		CertDir:     c.env.WebhookInstallOptions.LocalServingCertDir,
		Host:        loopback,
		Port:        c.env.WebhookInstallOptions.LocalServingPort,
		EvidenceDir: c.EvidenceDir,
		Replica:     replica,
		Kubeconfig:  c.Kubeconfig,
		Config:      c.opts.GovhookConfig,
		Log:         filepath.Join(c.opts.StateDir, "govhook-"+replica+".log"),
		Args:        []string{"--audit-interval", c.opts.AuditInterval.String(), "--audit-lease-namespace", "default"},
	})
	if err != nil {
		return err
	}
	c.govhook = g
	return nil
}

// StopGovhook stops govhook gracefully (it drains its evidence), leaving the webhook
// registered: the apiserver then refuses what the webhook governs (failurePolicy Fail).
func (c *Cluster) StopGovhook() error {
	if c.govhook == nil {
		return nil
	}
	err := c.govhook.Stop()
	c.govhook = nil
	return err
}

// Govhook is the running govhook process, nil while it is stopped.
func (c *Cluster) Govhook() *Govhook { return c.govhook }

// Stop stops govhook and the control plane, and removes envtest's temporary files (the state
// directory stays).
func (c *Cluster) Stop() error {
	return errors.Join(c.StopGovhook(), c.stopEnv())
}

func (c *Cluster) stopEnv() error {
	err := c.env.Stop()
	return errors.Join(err, c.env.WebhookInstallOptions.Cleanup())
}

// probeName is the pod of the readiness probe; it is only ever dry-run.
const probeName = "govhook-readiness-probe"

// waitForWebhook polls until the apiserver sends requests to govhook: the webhook
// configuration takes effect a moment after it is created. The probe is a server-side dry run
// of a privileged pod in the default namespace, so it leaves one denied dry-run evidence
// record per attempt that reached govhook and nothing in the cluster.
func (c *Cluster) waitForWebhook(ctx context.Context) error {
	cl, err := client.New(c.Config, client.Options{})
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	privileged := true
	want := fmt.Sprintf("admission webhook %q denied the request", c.WebhookName)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: probeName, Namespace: metav1.NamespaceDefault, Labels: map[string]string{"owner": "govhook"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "probe", Image: "registry.k8s.io/pause:3.10",
				SecurityContext: &corev1.SecurityContext{Privileged: &privileged},
			}}},
		}
		err := cl.Create(ctx, pod, client.DryRunAll)
		if err != nil && strings.Contains(err.Error(), want) {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("the probe pod was admitted")
			}
			return fmt.Errorf("the apiserver did not route requests to govhook (last answer: %w): %w", err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
