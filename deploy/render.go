// Package deploy renders govhook's kustomize variants (deploy/base, the overlays and
// deploy/monitoring) in process, the way `kubectl apply -k` would, without network or plugins:
// for the manifest tests here and for the e2e suite that applies them to a real apiserver.
package deploy

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/govhook/govhook/certs"
)

// SelfSignedOverlay is the variant whose certificate `govhook certs` makes.
const SelfSignedOverlay = "overlays/self-signed"

// Build renders the kustomization in dir and returns the objects as a multi-document YAML
// stream in kustomize's apply order (namespaces and RBAC first, webhook configurations last).
func Build(dir string) ([]byte, error) {
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // the kustomization's sortOptions decide
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return out, nil
}

// Variants lists every directory under root that holds a kustomization.yaml, relative to root
// and sorted.
func Variants(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "kustomization.yaml" {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			dirs = append(dirs, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find kustomizations under %s: %w", root, err)
	}
	slices.Sort(dirs)
	return dirs, nil
}

// BuildAll copies the deploy tree src into dst (a fresh directory), prepares the self-signed
// overlay there as its kustomization says (`govhook certs --inject`, with a throw-away CA valid
// for a day), and builds every variant. It returns each variant's YAML stream by its path
// relative to the tree.
func BuildAll(src, dst string) (map[string][]byte, error) {
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return nil, fmt.Errorf("copy %s: %w", src, err)
	}
	overlay := filepath.Join(dst, filepath.FromSlash(SelfSignedOverlay))
	if _, err := certs.WriteServiceFiles(certs.ServiceFiles{
		Service: "govhook", Namespace: "govhook-system", SecretName: "govhook-tls",
		Dir: filepath.Join(overlay, "certs"), Inject: filepath.Join(overlay, "webhook-cabundle.yaml"),
		Validity: 24 * time.Hour, Now: time.Now(),
	}); err != nil {
		return nil, fmt.Errorf("prepare %s: %w", SelfSignedOverlay, err)
	}
	variants, err := Variants(dst)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(variants))
	for _, v := range variants {
		if out[v], err = Build(filepath.Join(dst, filepath.FromSlash(v))); err != nil {
			return nil, err
		}
	}
	return out, nil
}
