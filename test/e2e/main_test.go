//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/govhook/govhook/test/e2e/cluster"
)

// user is who kubectl acts as; evidence records name it.
const user = "e2e-user"

// webhookConfig is the registration under test, as deployed.
const webhookConfig = "../../deploy/base/validatingwebhookconfiguration.yaml"

// local is the cluster every test drives; TestMain starts it once (it takes seconds).
var local *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	assets, govhook := os.Getenv("KUBEBUILDER_ASSETS"), os.Getenv("GOVHOOK_BIN")
	if assets == "" || govhook == "" {
		fmt.Fprintln(os.Stderr, "e2e: KUBEBUILDER_ASSETS (hack/build-control-plane.sh) and GOVHOOK_BIN (make build) must be set; run `make e2e`")
		return 2
	}
	state, err := os.MkdirTemp("", "govhook-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	local, err = cluster.Start(context.Background(), cluster.Options{
		BinaryDir:     assets,
		Govhook:       govhook,
		WebhookConfig: filepath.FromSlash(webhookConfig),
		StateDir:      state,
		User:          user,
		Replica:       "e2e-1",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v (state kept in %s)\n", err, state)
		return 1
	}
	code := m.Run()
	if err := local.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop cluster:", err)
		code = max(code, 1)
	}
	if code == 0 {
		os.RemoveAll(state)
	} else {
		fmt.Fprintf(os.Stderr, "e2e: state kept in %s (kubeconfig, evidence, audit.log, govhook logs)\n", state)
	}
	return code
}
