package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/evidence/report"
	"github.com/govhook/govhook/output"
	"github.com/govhook/govhook/policies"
)

func newEvidenceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Verify the audit evidence chains and build the auditor's report",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return usageError(errors.New("evidence needs a subcommand: keygen, verify, reconcile or report"))
		},
	}
	cmd.AddCommand(newEvidenceKeygenCommand(), newEvidenceVerifyCommand(), newEvidenceReconcileCommand(), newEvidenceReportCommand())
	return cmd
}

func newEvidenceReconcileCommand() *cobra.Command {
	var format, configPath string
	var auditLogs []string
	cmd := &cobra.Command{
		Use:   "reconcile --audit-log FILE [--audit-log FILE...] PATH...",
		Short: "Match the apiserver's audit log against the evidence: every admission through govhook must have a record",
		Long: `Reconcile reads kube-apiserver audit events (JSON lines, as the apiserver writes them and as
EKS control-plane logging exports them) and matches the decision ids govhook sent as audit
annotations (<webhook-name>/decision-id) against the admission records under PATH. It lists
the admissions with no record (missing: the target is none) and the records, within the
audit log's time span, with no apiserver event (unmatched: probes, direct callers).
PATH is read as for verify: directories, segment files, or an archive s3://BUCKET/PREFIX
(its endpoint and region from evidence.archive of --config, else the AWS SDK's environment).
-o json prints {"missing":[...],"unmatched":[...]}. Exit 0 when every decision id has a
record, 1 when any is missing, 2 on a usage or input error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if _, err := output.ParseFormat(format, output.ReconciliationFormats...); err != nil {
				return usageError(err)
			}
			if len(auditLogs) == 0 {
				return usageError(errors.New("reconcile needs --audit-log FILE"))
			}
			cfg, err := loadOptionalConfig(configPath)
			if err != nil {
				return usageError(err)
			}
			archives, err := openArchives(cmd.Context(), paths, cfg)
			if err != nil {
				return usageError(err)
			}
			r, err := evidence.Reconcile(cmd.Context(), auditLogs, paths, archives)
			if err != nil {
				return usageError(err)
			}
			if err := output.WriteReconciliation(cmd.OutOrStdout(), format, r); err != nil {
				return err
			}
			if len(r.Missing) > 0 {
				return &exitError{code: exitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringArrayVar(&auditLogs, "audit-log", nil, "a kube-apiserver audit log of JSON lines (repeatable)")
	cmd.Flags().StringVar(&configPath, "config", "", "config file whose evidence.archive gives the archive's endpoint and region")
	return cmd
}

func newEvidenceKeygenCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out DIR",
		Short: "Make an Ed25519 key pair for signing evidence checkpoints",
		Long: `Keygen writes DIR/` + evidence.PrivateKeyFile + ` (PKCS #8 PEM, mode 0600: put it in a Secret and give it to
serve with --evidence-signing-key) and DIR/` + evidence.PublicKeyFile + ` (PKIX PEM: give it to the auditor, who
pins it with evidence verify --public-key). Existing files are never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError(errors.New("keygen needs --out DIR"))
			}
			id, err := evidence.GenerateKey(out)
			if err != nil {
				return usageError(fmt.Errorf("keygen: %w", err))
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "key %s: private key %s, public key %s\n", id,
				filepath.Join(out, evidence.PrivateKeyFile), filepath.Join(out, evidence.PublicKeyFile))
			return err
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write "+evidence.PrivateKeyFile+" and "+evidence.PublicKeyFile+" into")
	return cmd
}

// verifyFlags are the flags of verify and report that say what the chains are checked against.
type verifyFlags struct {
	publicKeys []string
	anchors    []string
	grace      time.Duration
	interval   time.Duration
	missed     int
}

func (f *verifyFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.publicKeys, "public-key", nil, "a pinned public key file (repeatable, e.g. the old and new key across a rotation); every checkpoint must be signed by one")
	fs.DurationVar(&f.interval, "checkpoint-interval", evidence.DefaultCheckpointInterval, "the writers' --evidence-checkpoint-interval, for heartbeat gaps")
	fs.IntVar(&f.missed, "missed-checkpoints", evidence.DefaultMissedCheckpoints, "a silence of more than this many checkpoint intervals without a checkpoint is reported as a heartbeat gap (writer outage)")
	fs.DurationVar(&f.grace, "anchor-grace", 0, "let a chain fall short of anchors younger than this (a running replica's archive lags its anchors by the open segment, e.g. 5m); it must still reach the newest older one")
	fs.StringArrayVar(&f.anchors, "anchors", nil, "a file of log lines holding the anchors serve printed to stdout (repeatable); each chain must reach its replica's newest anchor (an archive given as PATH brings its own anchors)")
}

// options loads what the flags name.
func (f *verifyFlags) options() (evidence.VerifyOptions, error) {
	o := evidence.VerifyOptions{CheckpointInterval: f.interval, MissedCheckpoints: f.missed, AnchorGrace: f.grace}
	if len(f.publicKeys) > 0 {
		o.Keyring = evidence.Keyring{}
		for _, path := range f.publicKeys {
			pub, err := evidence.LoadPublicKey(path)
			if err != nil {
				return o, fmt.Errorf("--public-key: %w", err)
			}
			o.Keyring.Add(pub)
		}
	}
	for _, path := range f.anchors {
		anchors, err := evidence.ReadAnchorLines(path)
		if err != nil {
			return o, fmt.Errorf("--anchors: %w", err)
		}
		if len(anchors) == 0 {
			return o, fmt.Errorf("--anchors: %s holds no anchor line", path)
		}
		o.Anchors = append(o.Anchors, anchors...)
	}
	return o, nil
}

func newEvidenceVerifyCommand() *cobra.Command {
	var format, configPath string
	var vf verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [--config FILE] PATH...",
		Short: "Check every hash, seq and checkpoint of the evidence chains; exit 0 only when intact",
		Long: `Verify recomputes the hash of every record, checks seq continuity and prevHash links
within and across segments, checkpoints, recovery records and torn lines, one chain per
replica directory. PATH is an evidence directory, a replica directory, segment files, or an
archive s3://BUCKET/PREFIX, read one segment at a time; an archived replica and a local
directory of the same name (the tail not archived yet) are one chain. The archive's endpoint
and region come from evidence.archive of --config, else from the AWS SDK's environment
(AWS_ENDPOINT_URL, AWS_REGION); credentials from the SDK's default chain.
With --public-key, every checkpoint must carry a valid signature by one of the pinned keys:
a chain re-hashed by someone without the key, or with unsigned checkpoints, is broken.
Each chain must reach the newest anchor of its replica (which catches a cut tail or a deleted
newest segment) and every anchored checkpoint must be the one anchored: the anchors of an
archive given as PATH (<prefix>/<replica>/anchors/<seq>.json, the newest of each replica)
and of --anchors FILE (serve's stdout anchor lines). The output says how many records each
chain runs past its newest anchor. The archive's segments lag its anchors while a writer
runs (the open segment is archived when sealed): verify a running replica's archive together
with its evidence directory, or give --anchor-grace (e.g. 5m) to hold each chain to the
newest anchor older than that instead.
Each break is printed as FILE:LINE: message. Exit 0 when intact, 1 when broken or
unverifiable, 2 on a usage or input error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if _, err := output.ParseFormat(format, output.VerificationFormats...); err != nil {
				return usageError(err)
			}
			cfg, err := loadOptionalConfig(configPath)
			if err != nil {
				return usageError(err)
			}
			vo, err := vf.options()
			if err != nil {
				return usageError(err)
			}
			if vo.Archives, err = openArchives(cmd.Context(), paths, cfg); err != nil {
				return usageError(err)
			}
			v, err := evidence.Verify(cmd.Context(), paths, vo)
			if err != nil {
				return usageError(err)
			}
			if err := output.WriteVerification(cmd.OutOrStdout(), format, v); err != nil {
				return err
			}
			if !v.Intact() {
				return &exitError{code: exitDenied}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	vf.register(cmd.Flags())
	cmd.Flags().StringVar(&configPath, "config", "", "config file whose evidence.archive gives the archive's endpoint and region")
	return cmd
}

// loadOptionalConfig loads the config at path, nil when path is empty.
func loadOptionalConfig(path string) (*config.Config, error) {
	if path == "" {
		return nil, nil
	}
	return config.Load(path)
}

// openArchives opens a client for every s3:// path, with the endpoint and region of the
// first config that has evidence.archive, else the AWS SDK's environment.
func openArchives(ctx context.Context, paths []string, configs ...*config.Config) (map[string]*evidence.Archive, error) {
	var settings config.EvidenceArchive
	for _, c := range configs {
		if c != nil && c.Evidence.Archive != nil {
			settings = *c.Evidence.Archive
			break
		}
	}
	archives := map[string]*evidence.Archive{}
	for _, p := range paths {
		if !evidence.IsArchiveURL(p) || archives[p] != nil {
			continue
		}
		a, err := evidence.OpenArchive(ctx, evidence.ArchiveOptions{URL: p, Endpoint: settings.Endpoint, Region: settings.Region})
		if err != nil {
			return nil, err
		}
		archives[p] = a
	}
	return archives, nil
}

type reportOptions struct {
	from, to string
	output   string
	out      string
	csvDir   string
	tmpDir   string
	gap      time.Duration
	maxRows  int
	configs  []string
	verify   verifyFlags
	audit    []string
}

func newEvidenceReportCommand() *cobra.Command {
	o := reportOptions{}
	cmd := &cobra.Command{
		Use:   "report PATH...",
		Short: "Build the auditor's report of a period: controls in force, populations, exceptions, gaps, verification",
		Long: `Report verifies the evidence under PATH (directories, segment files or archives
s3://BUCKET/PREFIX, as for verify; the archive's endpoint and region come from the first
--config with evidence.archive) and summarises the period [--from, --to): the
policy bundles and configs in force and when they changed (with each policy's action under
the configs given with --config, and the built-in default), totals by decision, policy,
SOC 2 control and namespace, the denied, warned and refused requests to sample from
(all of them with --csv-dir), the exception register with every use, the checks that no
expired or self-approved exception was used, gaps and the verification result.
--from and --to take an RFC 3339 time or a date (--to 2026-03-31 includes that day).
Exit 0 when the evidence is intact, 1 when it is broken (the report is still written),
2 on a usage or input error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			return evidenceReport(cmd.Context(), cmd.OutOrStdout(), paths, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "start of the period (RFC 3339 time or YYYY-MM-DD), inclusive")
	f.StringVar(&o.to, "to", "", "end of the period (RFC 3339 time, exclusive, or YYYY-MM-DD, inclusive)")
	f.StringVarP(&o.output, "output", "o", "html", "output format: html, md or json")
	f.StringVar(&o.out, "out", "", "write the report to this file instead of stdout")
	f.StringVar(&o.csvDir, "csv-dir", "", "also write the populations as CSV files into this directory")
	f.StringVar(&o.tmpDir, "tmp-dir", "", "spool the populations here while the report is built (default $TMPDIR or /tmp; files of mode 0600, removed when done)")
	f.DurationVar(&o.gap, "gap", report.DefaultGapThreshold, "a silence longer than this, with no record at all, is reported as a gap")
	f.IntVar(&o.maxRows, "max-rows", report.DefaultMaxRows, "rows per population table in html and md (JSON and CSV hold all)")
	f.StringArrayVar(&o.configs, "config", nil, "a config file that may have been in force (repeatable); records naming its digest show its actions")
	o.verify.register(f)
	f.StringArrayVar(&o.audit, "audit-log", nil, "a kube-apiserver audit log of JSON lines to reconcile the evidence with (repeatable)")
	return cmd
}

func evidenceReport(ctx context.Context, stdout io.Writer, paths []string, o reportOptions) error {
	from, to, err := report.ParsePeriod(o.from, o.to)
	if err != nil {
		return usageError(err)
	}
	format := o.output
	if format == "markdown" {
		format = "md"
	}
	if _, err := output.ParseFormat(format, report.Formats...); err != nil {
		return usageError(err)
	}
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		return fmt.Errorf("load policy catalog: %w", err)
	}
	configs := map[string]*config.Config{}
	var ordered []*config.Config
	for _, path := range o.configs {
		if configs[path], err = config.Load(path); err != nil {
			return usageError(err)
		}
		ordered = append(ordered, configs[path])
	}
	vo, err := o.verify.options()
	if err != nil {
		return usageError(err)
	}
	archives, err := openArchives(ctx, paths, ordered...)
	if err != nil {
		return usageError(err)
	}
	r, err := report.Build(paths, report.Options{From: from, To: to, GapThreshold: o.gap, Catalog: catalog, Configs: configs, Verify: vo, AuditLogs: o.audit, Archives: archives, TempDir: o.tmpDir})
	if err != nil {
		return usageError(err)
	}
	defer r.Close()
	w := stdout
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			return usageError(err)
		}
		defer f.Close()
		w = f
	}
	if err := report.Write(w, format, r, o.maxRows); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if o.csvDir != "" {
		if _, err := report.WriteCSV(o.csvDir, r); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	if !r.Verification.Intact() {
		return &exitError{code: exitDenied, err: fmt.Errorf("evidence is BROKEN: %d breaks (see the report's verification section)", len(r.Verification.Breaks))}
	}
	return nil
}
