package evidence

import (
	"context"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govhook/govhook/decision"
)

// countingFile counts the fsyncs of a real segment file.
type countingFile struct {
	*os.File
	syncs *atomic.Int64
}

func (f countingFile) Sync() error {
	f.syncs.Add(1)
	return f.File.Sync()
}

// benchRecord is a typical denied Deployment's record (about 700 bytes).
func benchRecord() *Record {
	return &Record{
		Type: TypeAdmission, ID: "5f0c3e1a-8a52-4c4e-9d7b-1f7d2b6f9a11", UID: "0b9f7a4e-2c1d-4f3b-8e6a-9d5c4b3a2f10",
		Operation: "CREATE", Kind: "apps/v1/Deployment", Resource: "deployments", Namespace: "payments", Name: "api",
		User:     User{Username: "system:serviceaccount:ci:deployer", Groups: []string{"system:serviceaccounts", "system:authenticated"}},
		Decision: decision.OutcomeDeny, Time: time.Now().UTC(),
		Violations: []decision.Finding{{Policy: "POD-001", Severity: "critical", Controls: []string{"CC6.1", "CC6.8"}, Action: "deny",
			Message: `container "app" must not set securityContext.privileged=true`, Field: "spec.template.spec.containers[0].securityContext.privileged"}},
		Exceptions:   []decision.AppliedException{},
		ObjectSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		PolicyDigest: "sha256:3708380e2a2818efde51b5c4558f71e2f20aba5acf0970b68c1150ca2bd9305e",
		ConfigDigest: "sha256:37a0b4fb4d2b8fa1d2b0c5a3dd0c2c0c7b3a5f1b6a0f8e2d4c9b7a1e3f5d6c8b",
	}
}

func openBench(b *testing.B, syncs *atomic.Int64) *Writer {
	b.Helper()
	w, err := Open(b.Context(), Options{Dir: b.TempDir(), Replica: "bench", CheckpointInterval: -1,
		OpenFile: func(path string) (File, error) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
			return countingFile{File: f, syncs: syncs}, err
		}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	return w
}

// reportLatency adds records/s, fsyncs and latency percentiles of Record calls.
func reportLatency(b *testing.B, lat []time.Duration, syncs int64, elapsed time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(len(lat))/float64(max(syncs, 1)), "records/fsync")
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// BenchmarkWriterSequential is one caller at a time: every record waits for its own fsync.
func BenchmarkWriterSequential(b *testing.B) {
	var syncs atomic.Int64
	w := openBench(b, &syncs)
	lat := make([]time.Duration, 0, b.N)
	syncs.Store(0)
	start := time.Now()
	for b.Loop() {
		t := time.Now()
		if err := w.Record(context.Background(), benchRecord()); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	reportLatency(b, lat, syncs.Load(), time.Since(start))
}

// BenchmarkWriterParallel is many concurrent admission requests, as under load: they share
// writes and fsyncs (group commit).
func BenchmarkWriterParallel(b *testing.B) {
	var syncs atomic.Int64
	w := openBench(b, &syncs)
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(32) // 32 × GOMAXPROCS callers, like concurrent webhook requests
	syncs.Store(0)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			if err := w.Record(context.Background(), benchRecord()); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	reportLatency(b, lat, syncs.Load(), time.Since(start))
}
