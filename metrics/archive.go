package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govhook/govhook/evidence"
)

// archiveCollector exports the evidence archive's state, read at each scrape.
type archiveCollector struct {
	backlog, oldest, errors, anchorErrors, local *prometheus.Desc
	status                                       func() evidence.ArchiveStatus
}

// RegisterEvidenceArchive registers the archive's metrics on reg:
// govhook_evidence_archive_backlog_segments, govhook_evidence_archive_oldest_unarchived_seconds,
// govhook_evidence_archive_upload_errors_total, govhook_evidence_archive_anchor_errors_total
// and govhook_evidence_local_bytes. status is the
// archiver's (evidence.Archiver.Status).
func RegisterEvidenceArchive(reg prometheus.Registerer, status func() evidence.ArchiveStatus) error {
	return reg.Register(&archiveCollector{
		backlog: prometheus.NewDesc("govhook_evidence_archive_backlog_segments",
			"Sealed evidence segments kept locally because the archive has not confirmed them yet.", nil, nil),
		oldest: prometheus.NewDesc("govhook_evidence_archive_oldest_unarchived_seconds",
			"Age of the oldest sealed evidence segment not archived yet (0 when none).", nil, nil),
		errors: prometheus.NewDesc("govhook_evidence_archive_upload_errors_total",
			"Failed attempts to archive an evidence segment.", nil, nil),
		anchorErrors: prometheus.NewDesc("govhook_evidence_archive_anchor_errors_total",
			"Failed attempts to archive a checkpoint's anchor, and anchors dropped from a full queue (each anchor is tried a bounded number of times; the next one covers the chain).", nil, nil),
		local: prometheus.NewDesc("govhook_evidence_local_bytes",
			"Bytes in this replica's local evidence directory (bounded by evidence.archive.maxLocalBytes).", nil, nil),
		status: status,
	})
}

// Describe implements prometheus.Collector.
func (c *archiveCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.backlog
	ch <- c.oldest
	ch <- c.errors
	ch <- c.anchorErrors
	ch <- c.local
}

// Collect implements prometheus.Collector.
func (c *archiveCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.status()
	ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(s.BacklogSegments))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, s.OldestUnarchived.Seconds())
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(s.UploadErrors))
	ch <- prometheus.MustNewConstMetric(c.anchorErrors, prometheus.CounterValue, float64(s.AnchorErrors))
	ch <- prometheus.MustNewConstMetric(c.local, prometheus.GaugeValue, float64(s.LocalBytes))
}
