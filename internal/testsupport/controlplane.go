package testsupport

import (
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ControlPlane starts a real etcd and kube-apiserver from KUBEBUILDER_ASSETS (built by
// hack/build-control-plane.sh) for the test and stops it at cleanup. The test is skipped when
// the assets are not set, so `go test ./...` works on a machine without them; `make test`
// always sets them.
func ControlPlane(t testing.TB) (*envtest.Environment, *rest.Config) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS not set: no local control plane")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	return env, cfg
}
