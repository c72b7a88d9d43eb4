package metrics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/metrics"
)

func TestExceptionsActiveFollowsTheClockAndTheConfig(t *testing.T) {
	cfg := &config.Config{Exceptions: []config.Exception{
		{ID: "A", Policies: []string{"POD-001", "OWN-002"}, Expires: "2027-01-31"},
		{ID: "B", Policies: []string{"POD-001"}, Expires: "2027-03-01"},
	}}
	now := time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC)
	reg := prometheus.NewPedanticRegistry()
	if err := metrics.RegisterExceptionsActive(reg, func() *config.Config { return cfg }, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	const head = "# HELP govhook_exceptions_active Exceptions of the register in force that have not expired, by policy.\n# TYPE govhook_exceptions_active gauge\n"
	steps := []struct {
		name string
		step func()
		want string
	}{
		{"before A expires", func() {}, `govhook_exceptions_active{policy="OWN-002"} 1` + "\n" + `govhook_exceptions_active{policy="POD-001"} 2`},
		{"after A expires", func() { now = now.Add(2 * time.Second) }, `govhook_exceptions_active{policy="OWN-002"} 0` + "\n" + `govhook_exceptions_active{policy="POD-001"} 1`},
		{"after a reload without A", func() { cfg = &config.Config{Exceptions: cfg.Exceptions[1:]} }, `govhook_exceptions_active{policy="POD-001"} 1`},
	}
	for _, s := range steps {
		s.step()
		if err := testutil.GatherAndCompare(reg, strings.NewReader(head+s.want+"\n"), "govhook_exceptions_active"); err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
	}
}

func TestExpiredExceptionsAndReloadErrorsAreCounted(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	p, err := metrics.NewPrometheus(reg)
	if err != nil {
		t.Fatal(err)
	}
	d := decision.Decision{Outcome: decision.OutcomeDeny, Expired: []decision.AppliedException{{ID: "A", Policy: "POD-001"}}}
	p.ObserveAdmission(metrics.Admission{Operation: "CREATE", Kind: "Pod", Decision: d})
	p.ObserveAdmission(metrics.Admission{Operation: "CREATE", Kind: "Pod", Decision: d})
	p.ObserveConfigReload(nil)
	p.ObserveConfigReload(errors.New("bad"))
	want := `# HELP govhook_config_reload_errors_total New versions of the config file that were rejected; the last good config stayed in force.
# TYPE govhook_config_reload_errors_total counter
govhook_config_reload_errors_total 1
# HELP govhook_exceptions_expired_total Violations an exception would have waived had it not expired, by policy.
# TYPE govhook_exceptions_expired_total counter
govhook_exceptions_expired_total{policy="POD-001"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "govhook_config_reload_errors_total", "govhook_exceptions_expired_total"); err != nil {
		t.Error(err)
	}
}
