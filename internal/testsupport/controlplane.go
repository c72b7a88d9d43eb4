package testsupport

import (
	"os"
	"path/filepath"
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

// Kubeconfig writes a kubeconfig file for a user of env (its name and groups, e.g.
// system:masters for a cluster admin), as kubectl, helm or `govhook serve --kubeconfig` read
// one, and returns its path.
func Kubeconfig(t testing.TB, env *envtest.Environment, user envtest.User) string {
	t.Helper()
	u, err := env.AddUser(user, nil)
	if err != nil {
		t.Fatalf("add user %s: %v", user.Name, err)
	}
	data, err := u.KubeConfig()
	if err != nil {
		t.Fatalf("kubeconfig of %s: %v", user.Name, err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
