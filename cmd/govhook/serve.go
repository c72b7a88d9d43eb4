package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/govhook/govhook/certs"
	"github.com/govhook/govhook/compliance"
	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
	"github.com/govhook/govhook/webhook"
)

// ValidatePath is where the webhook answers AdmissionReviews.
const ValidatePath = "/validate"

// certPollInterval bounds how long a rotated serving certificate can go unnoticed when no file
// event arrives (Secret volume updates are symlink swaps).
const certPollInterval = 10 * time.Second

// limitOptions are the handler's bounds on work, from flags.
type limitOptions struct {
	MaxInFlight, MaxLargeInFlight int
	Deadline                      time.Duration
}

type serveOptions struct {
	configPath     string
	certDir        string
	host           string
	port           int
	evidenceDir    string
	evidenceStdout bool
	stdoutBuffer   int
	signingKey     string
	evidence       evidence.Options // segment limits and checkpoint interval
	replica        string
	metricsAddr    string
	dev            bool
	kubeconfig     string
	logLevel       string
	audit          continuousOptions
	clientCA       string
	limits         limitOptions
	drainTimeout   time.Duration
}

func newServeCommand() *cobra.Command {
	o := serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the validating admission webhook over HTTPS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.configPath, "config", "", "govhook config file, reloaded when it changes (default: catalog actions, system namespaces exempt)")
	f.StringVar(&o.certDir, "cert-dir", "", "directory with tls.crt and tls.key (reloaded when they change)")
	f.StringVar(&o.host, "host", "", "address the webhook listens on (default: all interfaces)")
	f.IntVar(&o.port, "port", 9443, "HTTPS port of the webhook")
	f.StringVar(&o.evidenceDir, "evidence-dir", "govhook-evidence", "directory of the evidence segments")
	f.BoolVar(&o.evidenceStdout, "evidence-stdout", false, "also write every evidence record to stdout, for log shippers")
	f.IntVar(&o.stdoutBuffer, "evidence-stdout-buffer", evidence.DefaultMirrorBytes, "bytes of evidence and anchor lines held for a slow stdout reader; past it lines are dropped, counted (govhook_evidence_mirror_dropped_total) and named in a mirror-loss record")
	f.StringVar(&o.signingKey, "evidence-signing-key", "", "Ed25519 private key file (from govhook evidence keygen, mounted from a Secret) that signs every evidence checkpoint")
	f.Int64Var(&o.evidence.MaxSegmentBytes, "evidence-segment-bytes", evidence.DefaultMaxSegmentBytes, "start a new evidence segment before one grows past this size")
	f.DurationVar(&o.evidence.MaxSegmentAge, "evidence-segment-age", 0, "seal an evidence segment once its first record is this old (default: the config's evidence.segmentAge, else 1m)")
	f.DurationVar(&o.evidence.CheckpointInterval, "evidence-checkpoint-interval", evidence.DefaultCheckpointInterval, "write a checkpoint record this often, even when idle, so a stopped webhook shows as a gap")
	f.StringVar(&o.replica, "replica", defaultReplica(), "name of this replica's evidence chain (default: $POD_NAME or the host name)")
	f.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "address of /metrics, /healthz and /readyz (plain HTTP); 0 disables")
	f.BoolVar(&o.dev, "dev", false, "generate a throw-away CA and serving certificate for localhost (into --cert-dir, or a temporary directory)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster whose namespaces and ServiceAccounts policies see (default: $KUBECONFIG, else in-cluster)")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.DurationVar(&o.audit.interval, "audit-interval", compliance.DefaultInterval, "judge every object in the cluster this often, in the replica holding the audit Lease, and publish OpenReports; 0 turns the audit off")
	f.StringVar(&o.audit.leaseNamespace, "audit-lease-namespace", "", "namespace of the audit Lease (default: $POD_NAMESPACE, else the pod's own namespace, else govhook-system)")
	f.StringVar(&o.clientCA, "client-ca", "", "PEM file of the CAs whose client certificates callers must present (default: no client certificate asked)")
	f.IntVar(&o.limits.MaxInFlight, "max-in-flight", webhook.DefaultMaxInFlight, "reviews handled at once; past it a request waits briefly, then is refused (429)")
	f.IntVar(&o.limits.MaxLargeInFlight, "max-large-in-flight", webhook.DefaultMaxLargeInFlight, "reviews larger than 256 KiB handled at once")
	f.DurationVar(&o.limits.Deadline, "review-deadline", webhook.DefaultDeadline, "time one review may take before it is refused; keep it under the webhook's timeoutSeconds")
	f.DurationVar(&o.drainTimeout, "drain-timeout", webhook.DefaultDrainTimeout, "on SIGTERM, how long requests in flight may take to finish")
	return cmd
}

func defaultReplica() string {
	if p := os.Getenv("POD_NAME"); p != "" {
		return p
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "govhook"
}

func newLogger(level string) (logr.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return logr.Logger{}, usageError(fmt.Errorf("log level %q: %w", level, err))
	}
	return logr.FromSlogHandler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l})), nil
}

func serve(parent context.Context, o serveOptions) error {
	log, err := newLogger(o.logLevel)
	if err != nil {
		return err
	}
	ctrllog.SetLogger(log)
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	reviewer, err := loadReviewer(ctx, o.configPath, policies.Selection{})
	if err != nil {
		return err
	}
	if o.dev {
		if o.certDir, err = devCertificates(o.certDir); err != nil {
			return err
		}
		log.Info("generated development certificates for localhost", "certDir", o.certDir, "ca", o.certDir+"/"+certs.CAFile)
	}
	if o.certDir == "" {
		return usageError(errors.New("serve needs --cert-dir with tls.crt and tls.key, or --dev"))
	}
	lookup, err := namespaceLookup(o.kubeconfig, o.dev, log)
	if err != nil {
		return err
	}
	// Everything govhook writes to stdout goes through one bounded, non-blocking mirror: a
	// stdout nobody reads drops (and counts) lines, never stalls the commit or shutdown. It is
	// closed after the writer (deferred first), within its own drain bound.
	stdout := evidence.NewMirror(os.Stdout, o.stdoutBuffer)
	defer func() {
		if err := stdout.Close(evidence.DefaultMirrorDrain); err != nil {
			log.Error(err, "stdout mirror not drained at shutdown; the evidence files hold every record")
		}
	}()
	writerOpts := o.evidence
	writerOpts.Dir, writerOpts.Replica, writerOpts.Log = o.evidenceDir, o.replica, log.WithName("evidence")
	// Checkpoint heads always go to stdout as anchor lines, off the evidence files.
	writerOpts.Anchors = append(writerOpts.Anchors, evidence.NewLineAnchors(stdout))
	writerOpts.Pod, writerOpts.Version, writerOpts.ConfigDigest = os.Getenv("POD_NAME"), version, reviewer.Config().Digest()
	if o.evidenceStdout {
		writerOpts.Mirror = stdout
	}
	if o.signingKey != "" {
		if writerOpts.Signer, err = evidence.LoadSigner(o.signingKey); err != nil {
			return usageError(fmt.Errorf("--evidence-signing-key: %w", err))
		}
		log.Info("evidence checkpoints are signed", "keyId", writerOpts.Signer.KeyID())
	} else {
		log.Info("evidence checkpoints are NOT signed: without --evidence-signing-key anyone who can write the evidence files can re-hash the chain")
	}
	if writerOpts.MaxSegmentAge <= 0 {
		writerOpts.MaxSegmentAge = reviewer.Config().Evidence.SegmentAgeOrDefault()
	}
	archiver, err := newArchiver(ctx, reviewer.Config().Evidence.Archive, o, log)
	if err != nil {
		return err
	}
	if archiver != nil {
		writerOpts.OnSeal, writerOpts.Guard, writerOpts.SealOnClose = archiver.Sealed, archiver.Guard, true
		// Each checkpoint's anchor also goes to the archive, and a local chain behind the
		// newest archived anchor is not continued.
		writerOpts.Anchors = append(writerOpts.Anchors, archiver)
		writerOpts.AnchorSource = reachableAnchors{archive: archiver.Archive(), log: log.WithName("archive")}
	}
	writer, err := evidence.Open(ctx, writerOpts)
	if err != nil {
		return err
	}
	// Closing writes the last checkpoint; it runs once, before the archive drain when there is one.
	closeWriter := sync.OnceFunc(func() {
		if err := writer.Close(); err != nil {
			log.Error(err, "close evidence writer")
		}
	})
	defer closeWriter()
	prom, err := metrics.NewPrometheus(ctrlmetrics.Registry)
	if err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	if err := metrics.RegisterEvidenceMirror(ctrlmetrics.Registry, stdout.Dropped); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	if archiver != nil {
		if err := metrics.RegisterEvidenceArchive(ctrlmetrics.Registry, archiver.Status); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
		// The archiver outlives the request context: on shutdown it takes the last segment.
		archCtx, stopArchiver := context.WithCancel(context.WithoutCancel(ctx))
		archDone := make(chan struct{})
		go func() { defer close(archDone); _ = archiver.Run(archCtx) }()
		defer func() {
			stopArchiver()
			<-archDone
		}()
		defer func() {
			// After the server drained: the last checkpoint, seal, and upload before exiting.
			closeWriter()
			stopArchiver()
			<-archDone
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), archiveDrainTimeout)
			defer cancel()
			if err := archiver.Drain(dctx); err != nil {
				log.Error(err, "evidence archive not drained at shutdown; the segments stay in the evidence directory", "backlog", archiver.Status().BacklogSegments)
				return
			}
			log.Info("evidence archived at shutdown", "archive", reviewer.Config().Evidence.Archive.URL)
		}()
	}
	if err := metrics.RegisterExceptionsActive(ctrlmetrics.Registry, reviewer.Config, nil); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	if err := metrics.RegisterPolicyReviews(ctrlmetrics.Registry, reviewer.Config, policyRefs(reviewer.Engine().Catalog()), nil); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}

	// Our own watcher rather than the server's, to export the serving certificate's expiry.
	certWatcher, err := certs.NewWatcher(o.certDir, certPollInterval, func(leaf *x509.Certificate) {
		prom.SetCertificateExpiry(leaf.NotAfter)
		log.Info("serving certificate loaded", "subject", leaf.Subject.CommonName, "serial", leaf.SerialNumber.String(), "notAfter", leaf.NotAfter)
	})
	if err != nil {
		return err
	}
	setMemoryLimit(log)
	handler := &webhook.Handler{
		Reviewer:         reviewer,
		Evidence:         writer,
		Metrics:          prom,
		Log:              log.WithName("webhook"),
		MaxInFlight:      o.limits.MaxInFlight,
		MaxLargeInFlight: o.limits.MaxLargeInFlight,
		Deadline:         o.limits.Deadline,
	}
	mux := http.NewServeMux()
	mux.Handle(ValidatePath, handler)
	server := &webhook.Server{Handler: mux, GetCertificate: certWatcher.GetCertificate, DrainTimeout: o.drainTimeout, Log: log.WithName("server")}
	if o.clientCA != "" {
		pem, err := os.ReadFile(o.clientCA)
		if err != nil {
			return fmt.Errorf("client CA: %w", err)
		}
		server.ClientCAs = x509.NewCertPool()
		if !server.ClientCAs.AppendCertsFromPEM(pem) {
			return usageError(fmt.Errorf("client CA %s holds no PEM certificate", o.clientCA))
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("webhook listener: %w", err)
	}
	// Not ready while the evidence writer refuses records: every request would get an error.
	readiness := webhook.Readiness{"webhook": server.Started, "evidence": func(*http.Request) error { return writer.Healthy() }}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return certWatcher.Start(gctx) })
	if lookup != nil {
		handler.Namespaces, handler.ServiceAccounts = lookup, lookup
		readiness["namespaces"] = lookup.Ready
		g.Go(func() error { return lookup.Start(gctx) })
	}
	// The server drains on SIGTERM (ctx), not on a sibling's failure alone: gctx ends for both.
	g.Go(func() error { return server.Serve(gctx, ln) })
	if o.configPath != "" {
		g.Go(func() error { return watchConfig(gctx, o.configPath, reviewer, prom, log.WithName("config")) })
	}
	if o.audit.interval > 0 {
		if err := startContinuousAudit(gctx, g, o, reviewer, writer, log.WithName("audit")); err != nil {
			return err
		}
	}
	if o.metricsAddr != "0" {
		live := healthz.Handler{Checks: map[string]healthz.Checker{"ping": healthz.Ping}}
		ms, err := metricsserver.NewServer(metricsserver.Options{
			BindAddress:   o.metricsAddr,
			ExtraHandlers: map[string]http.Handler{"/healthz": http.StripPrefix("/healthz", &live), "/readyz": readiness},
		}, nil, nil)
		if err != nil {
			return fmt.Errorf("metrics server: %w", err)
		}
		g.Go(func() error { return ms.Start(gctx) })
	}
	log.Info("govhook serving", "version", version, "host", o.host, "port", o.port, "path", ValidatePath,
		"policies", len(reviewer.Engine().Selected()), "policyDigest", reviewer.Engine().Catalog().Digest(),
		"configDigest", reviewer.Config().Digest(), "evidenceDir", o.evidenceDir, "replica", o.replica)
	err = g.Wait()
	log.Info("govhook stopped; evidence drained")
	if archiver != nil {
		log.Info("sealing and archiving the open evidence segment")
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// startContinuousAudit runs the audit in g, in whichever replica holds the Lease. Without a
// cluster (--dev alone) there is nothing to audit.
func startContinuousAudit(ctx context.Context, g *errgroup.Group, o serveOptions, reviewer *review.Reviewer, writer evidence.Recorder, log logr.Logger) error {
	cfg, err := clusterConfig(o.kubeconfig)
	if errors.Is(err, rest.ErrNotInCluster) && o.dev {
		log.Info("no cluster configuration: the continuous audit is off")
		return nil
	}
	if err != nil {
		return usageError(fmt.Errorf("cluster configuration: %w", err))
	}
	auditor, election, err := newContinuousAudit(cfg, reviewer, writer, o.audit, o.replica, log)
	if err != nil {
		return err
	}
	g.Go(func() error { return compliance.RunElected(ctx, cfg, election, auditor, log) })
	return nil
}

// archiveDrainTimeout bounds the upload at shutdown; the Deployment's
// terminationGracePeriodSeconds leaves room for it after the request drain.
const archiveDrainTimeout = 30 * time.Second

// failpointEnv makes serve kill itself (SIGKILL) at a named point, for crash tests:
// "archive-after-upload" is once a segment is confirmed in the archive, before its local delete.
const failpointEnv = "GOVHOOK_FAILPOINT"

// anchorLookupTimeout bounds the startup's look at the newest archived anchor.
const anchorLookupTimeout = 10 * time.Second

// reachableAnchors is the archive as the writer's anchor source at startup. serve must start
// through an archive outage (the local directory holds the backlog), so when the store
// cannot be read the writer starts without comparing its chain with the newest anchor, and
// says so in its start record; verify still holds the chain against the archived anchors.
type reachableAnchors struct {
	archive *evidence.Archive
	log     logr.Logger
}

// Latest is the archive's newest anchor of replica; when it cannot be read the error wraps
// evidence.ErrAnchorsUnavailable, and the start record says the start was unchecked.
func (r reachableAnchors) Latest(ctx context.Context, replica string) (*evidence.Anchor, error) {
	ctx, cancel := context.WithTimeout(ctx, anchorLookupTimeout)
	defer cancel()
	a, err := r.archive.Latest(ctx, replica)
	if err != nil {
		r.log.Error(err, "newest evidence anchor not read: the local chain is not checked against the archive at this start")
		return nil, fmt.Errorf("%w: the archive did not answer: %w", evidence.ErrAnchorsUnavailable, err)
	}
	return a, nil
}

// newArchiver is the archiver of the config's evidence.archive, nil when there is none.
func newArchiver(ctx context.Context, c *config.EvidenceArchive, o serveOptions, log logr.Logger) (*evidence.Archiver, error) {
	if c == nil {
		return nil, nil
	}
	archive, err := evidence.OpenArchive(ctx, evidence.ArchiveOptions{
		URL: c.URL, Endpoint: c.Endpoint, Region: c.Region, LockMode: c.LockMode, RetentionDays: c.RetentionDays,
	})
	if err != nil {
		return nil, err
	}
	ao := evidence.ArchiverOptions{
		Dir: o.evidenceDir, Replica: o.replica, Archive: archive, MaxLocalBytes: c.MaxLocalBytes,
		Log: log.WithName("archive"),
	}
	if os.Getenv(failpointEnv) == "archive-after-upload" {
		ao.AfterUpload = func(segment string) {
			log.Info("failpoint: killing the process after an upload, before the local delete", "segment", segment)
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	log.Info("evidence archive configured", "archive", archive.URL(), "maxLocalBytes", c.MaxLocalBytes)
	return evidence.NewArchiver(ao)
}

// goMemoryShare is the share of the container's memory limit given to the Go runtime as its
// soft limit. The rest is for what the runtime does not count but the container's limit does:
// the mapped pages of the ~90 MB binary (about 50 MiB resident) and the kernel's socket and
// TLS buffers. Measured with `make attack` (issue 16 rows 1-2) at the Deployment's 256Mi:
// at 90% the process peaked at 268-276 MiB RSS (219 MiB anonymous), over the limit; at 60%
// it peaks under 200 MiB with every answer inside the webhook's timeout.
const goMemoryShare = 60

// goMemoryLimit is the Go soft memory limit for a container memory limit, in bytes.
func goMemoryLimit(containerLimit int64) int64 { return containerLimit / 100 * goMemoryShare }

// setMemoryLimit sets the Go runtime's soft memory limit from GOVHOOK_MEMORY_LIMIT (the
// container's memory limit in bytes, from the Deployment's resourceFieldRef), unless
// GOMEMLIMIT is set.
func setMemoryLimit(log logr.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, err := strconv.ParseInt(os.Getenv("GOVHOOK_MEMORY_LIMIT"), 10, 64)
	if err != nil || limit <= 0 {
		return
	}
	debug.SetMemoryLimit(goMemoryLimit(limit))
	log.Info("memory limit set", "containerLimitBytes", limit, "goMemLimitBytes", goMemoryLimit(limit))
}

// devCertificates writes a throw-away CA and serving certificate for localhost.
func devCertificates(dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "govhook-dev-certs-"); err != nil {
			return "", err
		}
	}
	b, err := certs.Generate([]string{"localhost", "127.0.0.1", "::1"}, 7*24*time.Hour, time.Now())
	if err != nil {
		return "", err
	}
	return dir, b.Write(dir)
}
