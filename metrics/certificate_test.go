package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSetCertificateExpiry(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	p, err := NewPrometheus(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, notAfter := range []time.Time{time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)} {
		p.SetCertificateExpiry(notAfter)
		if got, want := testutil.ToFloat64(p.certExpiry), float64(notAfter.Unix()); got != want {
			t.Errorf("after SetCertificateExpiry(%v): gauge = %v, want %v", notAfter, got, want)
		}
	}
	if n, err := testutil.GatherAndCount(reg, "govhook_certificate_expiry_timestamp_seconds"); err != nil || n != 1 {
		t.Errorf("gathered %d series (%v), want 1", n, err)
	}
}
