package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// RegisterEvidenceMirror registers govhook_evidence_mirror_dropped_total on reg: the lines the
// stdout mirror dropped because its reader was slow or stuck (evidence.Mirror.Dropped).
func RegisterEvidenceMirror(reg prometheus.Registerer, dropped func() uint64) error {
	return reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "govhook_evidence_mirror_dropped_total",
		Help: "Evidence and anchor lines the stdout mirror dropped because its reader was slow or stuck; the records stay in the evidence files and a mirror-loss record names them.",
	}, func() float64 { return float64(dropped()) }))
}
