package deploy

import (
	"errors"
	"fmt"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
)

// ChartDir is the Helm chart, relative to deploy/.
const ChartDir = "chart/govhook"

// ChartRelease is the release name the README installs the chart as; the chart's object names
// do not depend on it.
const ChartRelease = "govhook"

// ChartKubeVersion is the Kubernetes version charts are rendered for without a cluster: the
// version of the control plane the tests run (hack/versions.env).
const ChartKubeVersion = "v1.37.2"

// RenderChart renders the chart in dir as `helm template` would, for release ChartRelease in
// namespace with values over the chart's defaults (checked against values.schema.json). It
// returns the objects as a multi-document YAML stream in Helm's install order.
func RenderChart(dir, namespace string, values map[string]any) ([]byte, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", dir, err)
	}
	kube, err := common.ParseKubeVersion(ChartKubeVersion)
	if err != nil {
		return nil, fmt.Errorf("parse kubernetes version: %w", err)
	}
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = ChartRelease
	install.Namespace = namespace
	install.KubeVersion = kube
	install.Replace = true
	rel, err := install.Run(ch, values)
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", dir, err)
	}
	r, ok := rel.(*releasev1.Release)
	if !ok {
		return nil, errors.New("render chart: helm returned no v1 release")
	}
	return []byte(r.Manifest), nil
}
