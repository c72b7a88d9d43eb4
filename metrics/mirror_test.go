package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/metrics"
)

func TestEvidenceMirrorDropped(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	dropped := uint64(3)
	if err := metrics.RegisterEvidenceMirror(reg, func() uint64 { return dropped }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP govhook_evidence_mirror_dropped_total Evidence and anchor lines the stdout mirror dropped because its reader was slow or stuck; the records stay in the evidence files and a mirror-loss record names them.
# TYPE govhook_evidence_mirror_dropped_total counter
govhook_evidence_mirror_dropped_total 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_evidence_mirror_dropped_total"); err != nil {
		t.Error(err)
	}
}
