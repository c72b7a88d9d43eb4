// Command archivefill measures verify on a large archive: it writes N records of about a
// kilobyte (a denied Deployment with two findings) into a replica's chain, with a checkpoint
// every 10,000, and moves every segment into the archive as govhook serve would. Endpoint,
// region and credentials come from the AWS SDK's environment (AWS_ENDPOINT_URL, ...).
//
//	archivefill -records 1000000 -dir /tmp/fill -archive s3://govhook-evidence/measure
//	/usr/bin/time -v bin/govhook evidence verify s3://govhook-evidence/measure
//
// Without -archive it only writes the chain into -dir, for measuring on a local directory:
//
//	archivefill -records 200000 -dir /tmp/fill
//	/usr/bin/time -v bin/govhook evidence report -o json /tmp/fill
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-logr/logr"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "archivefill:", err)
		os.Exit(1)
	}
}

func run() error {
	records := flag.Int("records", 1_000_000, "admission records to write")
	dir := flag.String("dir", "", "evidence directory (empty: a temporary one)")
	url := flag.String("archive", "", "archive s3://BUCKET/PREFIX (empty: leave the chain in -dir)")
	replica := flag.String("replica", "fill", "replica name")
	flag.Parse()
	ctx := context.Background()
	if *dir == "" {
		if *url == "" {
			return fmt.Errorf("give -dir, -archive or both")
		}
		d, err := os.MkdirTemp("", "archivefill-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	var archive *evidence.Archive
	var archiver *evidence.Archiver
	if *url != "" {
		var err error
		if archive, err = evidence.OpenArchive(ctx, evidence.ArchiveOptions{URL: *url}); err != nil {
			return err
		}
		if archiver, err = evidence.NewArchiver(evidence.ArchiverOptions{Dir: *dir, Replica: *replica, Archive: archive, Log: logr.Discard()}); err != nil {
			return err
		}
	}
	// Batches are fsynced by the file system's own schedule: this fills an archive, it does
	// not measure the writer.
	w, err := evidence.Open(ctx, evidence.Options{Dir: *dir, Replica: *replica, CheckpointInterval: -1, SealOnClose: true,
		MaxSegmentAge: 24 * time.Hour, OpenFile: func(path string) (evidence.File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			return noSync{f}, err
		}})
	if err != nil {
		return err
	}
	start, t0 := time.Now(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range *records {
		r := record(i, t0.Add(time.Duration(i)*50*time.Millisecond))
		if err := w.Record(ctx, r); err != nil {
			return err
		}
		if (i+1)%10_000 == 0 {
			if err := w.Checkpoint(ctx); err != nil {
				return err
			}
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d records in %v\n", *records, time.Since(start).Round(time.Millisecond))
	if archiver == nil {
		return nil
	}
	start = time.Now()
	if err := archiver.Drain(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "archived %d bytes to %s in %v\n", sizeOf(archive, ctx), *url, time.Since(start).Round(time.Millisecond))
	return nil
}

type noSync struct{ *os.File }

func (noSync) Sync() error { return nil }

func sizeOf(a *evidence.Archive, ctx context.Context) int64 {
	var n int64
	_ = a.List(ctx, "", func(o evidence.ArchivedObject) error { n += o.Size; return nil })
	return n
}

func record(i int, t time.Time) *evidence.Record {
	return &evidence.Record{
		Type: evidence.TypeAdmission, ID: fmt.Sprintf("5f0c3e1a-8a52-4c4e-9d7b-%012d", i), UID: fmt.Sprintf("0b9f7a4e-2c1d-4f3b-8e6a-%012d", i),
		Operation: "CREATE", Kind: "apps/v1/Deployment", Resource: "deployments", Namespace: "payments", Name: fmt.Sprintf("api-%d", i%500),
		User:     evidence.User{Username: "system:serviceaccount:ci:deployer", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"}},
		Decision: decision.OutcomeDeny, Time: t,
		Violations: []decision.Finding{
			{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny",
				Message: `container "app" must not set securityContext.privileged=true`, Field: "spec.template.spec.containers[0].securityContext.privileged"},
			{Policy: "POD-021", Severity: "high", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny",
				Message: `container "app" must set securityContext.allowPrivilegeEscalation=false`, Field: "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
		},
		ObjectSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		PolicyDigest: "sha256:3708380e2a2818efde51b5c4558f71e2f20aba5acf0970b68c1150ca2bd9305e",
		ConfigDigest: "sha256:37a0b4fb4d2b8fa1d2b0c5a3dd0c2c0c7b3a5f1b6a0f8e2d4c9b7a1e3f5d6c8b",
	}
}
