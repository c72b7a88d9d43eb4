package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govhook/govhook/evidence"
)

// BenchmarkHandlerEvidence measures what durable evidence adds to a request: the same
// handler with records kept in memory, and with the real writer (group commit, fsync before
// the response) on this machine's disk; sequential, and with concurrent requests.
func BenchmarkHandlerEvidence(b *testing.B) {
	body := reviewBody("CREATE", privilegedPod, "null")
	for _, store := range []string{"memory", "fsync"} {
		for _, parallelism := range []int{0, 8} {
			name := store + "/sequential"
			if parallelism > 0 {
				name = store + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				var ev evidence.Recorder = discardEvidence{}
				if store == "fsync" {
					w, err := evidence.Open(b.Context(), evidence.Options{Dir: b.TempDir(), Replica: "bench", CheckpointInterval: -1})
					if err != nil {
						b.Fatal(err)
					}
					defer w.Close()
					ev = w
				}
				h := newHandler(b, ev)
				var mu sync.Mutex
				var lat []time.Duration
				one := func() time.Duration {
					req := httptest.NewRequest(http.MethodPost, "/validate", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(rec, req)
					d := time.Since(start)
					if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"code":403`) {
						b.Errorf("unexpected answer %d %s", rec.Code, rec.Body.String())
					}
					return d
				}
				if parallelism == 0 {
					for b.Loop() {
						lat = append(lat, one())
					}
				} else {
					b.SetParallelism(parallelism)
					b.RunParallel(func(pb *testing.PB) {
						var mine []time.Duration
						for pb.Next() {
							mine = append(mine, one())
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					})
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			})
		}
	}
}

// discardEvidence accepts every record and keeps none, so the memory case measures the
// handler alone.
type discardEvidence struct{}

func (discardEvidence) Record(_ context.Context, _ *evidence.Record) error { return nil }
