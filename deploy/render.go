// Package deploy renders govhook's kustomize variants (deploy/base, the overlays and
// deploy/monitoring) in process, the way `kubectl apply -k` would, without network or plugins:
// for the manifest tests here and for the e2e suite that applies them to a real apiserver.
package deploy

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

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
