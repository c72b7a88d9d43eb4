package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/metrics"
)

func TestEvidenceArchiveMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	status := evidence.ArchiveStatus{BacklogSegments: 3, OldestUnarchived: 90 * time.Second, LocalBytes: 4096, UploadErrors: 2, AnchorErrors: 5}
	if err := metrics.RegisterEvidenceArchive(reg, func() evidence.ArchiveStatus { return status }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP govhook_evidence_archive_anchor_errors_total Failed attempts to archive a checkpoint's anchor, and anchors dropped from a full queue (each anchor is tried a bounded number of times; the next one covers the chain).
# TYPE govhook_evidence_archive_anchor_errors_total counter
govhook_evidence_archive_anchor_errors_total 5
# HELP govhook_evidence_archive_backlog_segments Sealed evidence segments kept locally because the archive has not confirmed them yet.
# TYPE govhook_evidence_archive_backlog_segments gauge
govhook_evidence_archive_backlog_segments 3
# HELP govhook_evidence_archive_oldest_unarchived_seconds Age of the oldest sealed evidence segment not archived yet (0 when none).
# TYPE govhook_evidence_archive_oldest_unarchived_seconds gauge
govhook_evidence_archive_oldest_unarchived_seconds 90
# HELP govhook_evidence_archive_upload_errors_total Failed attempts to archive an evidence segment.
# TYPE govhook_evidence_archive_upload_errors_total counter
govhook_evidence_archive_upload_errors_total 2
# HELP govhook_evidence_local_bytes Bytes in this replica's local evidence directory (bounded by evidence.archive.maxLocalBytes).
# TYPE govhook_evidence_local_bytes gauge
govhook_evidence_local_bytes 4096
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
