package deploy

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/metrics"
)

// awaitedMetrics are referenced by the alerts and the dashboard but registered by work in
// flight. The test fails as soon as one of them is registered, so the list can only shrink.
var awaitedMetrics = map[string]string{
	"govhook_exception_expiry_timestamp_seconds": "gauge of each live exception's end, labels {exception, policy}, next to govhook_exceptions_active",
}

// grafanaVariables stand in for the variables Grafana substitutes before querying.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1d")

// prometheusRule is the part of a monitoring.coreos.com/v1 PrometheusRule govhook uses,
// decoded strictly so that a misspelt rule field fails.
type prometheusRule struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Record      string            `json:"record"`
				Alert       string            `json:"alert"`
				Expr        string            `json:"expr"`
				For         string            `json:"for"`
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups"`
	} `json:"spec"`
}

type dashboard struct {
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestMonitoring parses every alerting and recording rule and every dashboard query, and
// checks that they only read series govhook exports (or that the rules record).
func TestMonitoring(t *testing.T) {
	objs := renderAll(t).variants["monitoring"]
	rule := find[prometheusRule](t, objs, "PrometheusRule", "govhook")
	exported := exportedSeries(t)

	p := parser.NewParser(parser.Options{})
	referenced := map[string]bool{}
	check := func(where, expr string) parser.Expr {
		t.Helper()
		e, err := p.ParseExpr(expr)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return nil
		}
		for _, name := range seriesNames(e) {
			referenced[name] = true
			if !exported[name] && awaitedMetrics[name] == "" {
				t.Errorf("%s reads %s, which govhook does not export", where, name)
			}
		}
		return e
	}

	alerts := map[string]parser.Expr{}
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				exported[r.Record] = true
			}
		}
	}
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				check("record "+r.Record, r.Expr)
				continue
			}
			alerts[r.Alert] = check("alert "+r.Alert, r.Expr)
			if r.For != "" {
				if _, err := model.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for: %v", r.Alert, err)
				}
			}
			if !slices.Contains([]string{"critical", "warning", "info"}, r.Labels["severity"]) {
				t.Errorf("alert %s: severity %q, want critical, warning or info", r.Alert, r.Labels["severity"])
			}
			for _, key := range []string{"summary", "description"} {
				if r.Annotations[key] == "" {
					t.Errorf("alert %s has no %s", r.Alert, key)
				}
				if err := parseAlertTemplate(r.Annotations[key]); err != nil {
					t.Errorf("alert %s %s: %v", r.Alert, key, err)
				}
			}
		}
	}
	for _, name := range []string{"GovhookPolicyDenialRateHigh", "GovhookEvidenceWriteErrors", "GovhookAdmissionLatencyHigh",
		"GovhookCertificateExpiringSoon", "GovhookExceptionExpiringSoon", "GovhookConfigReloadFailed", "GovhookAuditNotCompleted",
		"GovhookEvidenceArchiveBacklogOld", "GovhookEvidenceLocalDiskFilling"} {
		if _, ok := alerts[name]; !ok {
			t.Errorf("alert %s is missing", name)
		}
	}

	cm := find[corev1.ConfigMap](t, objs, "ConfigMap", "govhook-dashboard")
	var d dashboard
	if err := json.Unmarshal([]byte(cm.Data["govhook-dashboard.json"]), &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	queries := 0
	for _, panel := range d.Panels {
		for _, target := range panel.Targets {
			expr := grafanaVariables.Replace(target.Expr)
			if strings.Contains(expr, "$") {
				t.Errorf("panel %q: unknown Grafana variable in %s", panel.Title, target.Expr)
			}
			check("panel "+panel.Title, expr)
			queries++
		}
	}
	if queries == 0 {
		t.Error("the dashboard has no queries")
	}

	for name, by := range awaitedMetrics {
		if exported[name] {
			t.Errorf("%s is registered now (%s): remove it from awaitedMetrics", name, by)
		}
		if !referenced[name] {
			t.Errorf("awaited metric %s is no longer used: remove it from awaitedMetrics", name)
		}
	}
}

// TestLatencyAlertThreshold ties the latency alert to the webhook's timeout: it fires at half
// of timeoutSeconds, while the apiserver still waits.
func TestLatencyAlertThreshold(t *testing.T) {
	r := renderAll(t)
	vwc := find[admissionregistrationv1.ValidatingWebhookConfiguration](t, r.variants["base"], "ValidatingWebhookConfiguration", "govhook")
	rule := find[prometheusRule](t, r.variants["monitoring"], "PrometheusRule", "govhook")
	for _, g := range rule.Spec.Groups {
		for _, rl := range g.Rules {
			if rl.Alert != "GovhookAdmissionLatencyHigh" {
				continue
			}
			e, err := parser.NewParser(parser.Options{}).ParseExpr(rl.Expr)
			if err != nil {
				t.Fatal(err)
			}
			b, ok := e.(*parser.BinaryExpr)
			n, isNum := b.RHS.(*parser.NumberLiteral)
			if !ok || b.Op != parser.GTR || !isNum {
				t.Fatalf("want `... > seconds`, got %s", rl.Expr)
			}
			if want := float64(*vwc.Webhooks[0].TimeoutSeconds) / 2; n.Val != want {
				t.Errorf("latency alert threshold %v s, want half the webhook timeout: %v s", n.Val, want)
			}
			return
		}
	}
	t.Fatal("no alert GovhookAdmissionLatencyHigh")
}

// seriesNames returns the metric names an expression selects.
func seriesNames(e parser.Expr) []string {
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// parseAlertTemplate parses an annotation the way Prometheus expands it ($labels, $value and
// the humanize functions defined), to catch template syntax errors.
func parseAlertTemplate(text string) error {
	stub := func(v any) string { return "" }
	funcs := template.FuncMap{"humanize": stub, "humanizeDuration": stub, "humanizePercentage": stub, "humanizeTimestamp": stub}
	_, err := template.New("annotation").Funcs(funcs).Parse("{{$labels := .Labels}}{{$value := .Value}}" + text)
	return err
}

// exportedSeries collects the series names govhook's metrics package registers (everything
// `govhook serve` registers), from the registration itself: each collector's descriptors, with
// _bucket/_sum/_count for histograms.
func exportedSeries(t *testing.T) map[string]bool {
	t.Helper()
	reg := &recordingRegisterer{names: map[string]bool{}}
	if _, err := metrics.NewPrometheus(reg); err != nil {
		t.Fatal(err)
	}
	if err := metrics.RegisterExceptionsActive(reg, config.Default, nil); err != nil {
		t.Fatal(err)
	}
	if err := metrics.RegisterPolicyReviews(reg, config.Default, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.NewAudit(reg, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := metrics.RegisterEvidenceArchive(reg, func() evidence.ArchiveStatus { return evidence.ArchiveStatus{} }); err != nil {
		t.Fatal(err)
	}
	if err := metrics.RegisterEvidenceMirror(reg, func() uint64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	if len(reg.names) == 0 {
		t.Fatal("the metrics package registered nothing")
	}
	return reg.names
}

// recordingRegisterer is a prometheus.Registerer that records the series names of what is
// registered on it.
type recordingRegisterer struct{ names map[string]bool }

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *recordingRegisterer) Register(c prometheus.Collector) error {
	suffixes := []string{""}
	if isHistogram(c) {
		suffixes = []string{"_bucket", "_sum", "_count"}
	}
	descs := make(chan *prometheus.Desc)
	go func() { c.Describe(descs); close(descs) }()
	for d := range descs {
		m := fqName.FindStringSubmatch(d.String())
		if m == nil {
			continue
		}
		for _, s := range suffixes {
			r.names[m[1]+s] = true
		}
	}
	return nil
}

func (r *recordingRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recordingRegisterer) Unregister(prometheus.Collector) bool { return true }

// isHistogram tells histograms apart: by type for vectors (which collect nothing until used),
// by the collected sample otherwise.
func isHistogram(c prometheus.Collector) bool {
	if _, ok := c.(*prometheus.HistogramVec); ok {
		return true
	}
	ms := make(chan prometheus.Metric)
	go func() { c.Collect(ms); close(ms) }()
	histogram := false
	for m := range ms {
		var pb dto.Metric
		if m.Write(&pb) == nil && pb.Histogram != nil {
			histogram = true
		}
	}
	return histogram
}

// TestAuditAlertThreshold ties the audit alert to the configured interval: it fires when the
// last complete run is older than three intervals (or when no run ever completed).
func TestAuditAlertThreshold(t *testing.T) {
	rule := find[prometheusRule](t, renderAll(t).variants["monitoring"], "PrometheusRule", "govhook")
	for _, g := range rule.Spec.Groups {
		for _, rl := range g.Rules {
			if rl.Alert != "GovhookAuditNotCompleted" {
				continue
			}
			e, err := parser.NewParser(parser.Options{}).ParseExpr(rl.Expr)
			if err != nil {
				t.Fatal(err)
			}
			var threeIntervals, absent bool
			parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
				switch n := n.(type) {
				case *parser.BinaryExpr:
					if num, ok := n.LHS.(*parser.NumberLiteral); ok && n.Op == parser.MUL && num.Val == 3 &&
						slices.Contains(seriesNames(n.RHS), "govhook_audit_interval_seconds") {
						threeIntervals = true
					}
				case *parser.Call:
					if n.Func.Name == "absent" && slices.Contains(seriesNames(n.Args[0]), "govhook_audit_last_run_timestamp_seconds") {
						absent = true
					}
				}
				return nil
			})
			if !threeIntervals || !absent {
				t.Errorf("want `time() - last run > 3 * interval` or absent(last run), got %s", rl.Expr)
			}
			return
		}
	}
	t.Fatal("no alert GovhookAuditNotCompleted")
}
