package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape reads a Prometheus text exposition (govhook's /metrics) into samples by series name.
func Scrape(url string) (map[string]model.Vector, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", url, err)
	}
	out := map[string]model.Vector{}
	for name, f := range families {
		v, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{Timestamp: model.Now()}, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", url, err)
		}
		out[name] = v
	}
	return out, nil
}

// ModuleDir is the directory of a module of the build (`go list -m -json`), e.g. where
// github.com/openreports/reports-api keeps its CRDs.
func ModuleDir(ctx context.Context, module string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-json", module).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", module, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return "", fmt.Errorf("go list -m -json %s: %w", module, err)
	}
	if mod.Dir == "" {
		return "", fmt.Errorf("go list -m -json %s: no directory", module)
	}
	return mod.Dir, nil
}
