package webhook_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/internal/evidencetest"
	"github.com/govhook/govhook/metrics"
)

// TestMetricLabelsComeFromFixedSets reproduces issue 16 row 6: 5,000 requests with made-up
// kinds and operations grew govhook_admission_requests_total by 5,000 series. Here 200 such
// requests (and a few real ones) must leave only the series of real kinds, the four
// operations and "other".
func TestMetricLabelsComeFromFixedSets(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.NewPrometheus(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, &evidencetest.Memory{})
	h.Metrics = m
	for i := range 100 {
		body := strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"kind":"Pod"},"resource"`, fmt.Sprintf(`"kind":"Made%d"},"resource"`, i), 1)
		post(h, "application/json", body)
		post(h, "application/json", reviewBody(fmt.Sprintf("OP%d", i), compliantPod, "null"))
	}
	post(h, "application/json", reviewBody("CREATE", compliantPod, "null"))
	post(h, "application/json", reviewBody("CREATE", privilegedPod, "null"))
	// Pod CREATE allow and deny, "other" CREATE error, Pod "" error (the unknown operations).
	if got := testutil.CollectAndCount(reg, "govhook_admission_requests_total"); got != 4 {
		t.Errorf("series = %d, want 4", got)
	}
}
