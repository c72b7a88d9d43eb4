package manifests

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// manifestExtensions are the file extensions a directory walk reads.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// expand turns a path argument into the manifest files it names: the file itself, every
// manifest below a directory, or the matches of a glob. "**" in a glob matches any number of
// directories.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	switch {
	case err == nil && info.IsDir():
		return walk(p)
	case err == nil:
		return []string{p}, nil
	case !errors.Is(err, fs.ErrNotExist) || !strings.ContainsAny(p, `*?[`):
		return nil, err
	}
	var matches []string
	if strings.Contains(p, "**") {
		matches, err = globRecursive(p)
	} else {
		matches, err = filepath.Glob(p)
	}
	if err != nil {
		return nil, fmt.Errorf("bad glob %q: %w", p, err)
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("no files match %q", p)
	}
	var files []string
	for _, m := range matches {
		more, err := expand(m)
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	return files, nil
}

// walk lists the manifest files below dir in lexical order, skipping hidden directories (a
// repository's .git or .github holds YAML that is not Kubernetes').
func walk(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && p != dir && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case !d.IsDir() && slices.Contains(manifestExtensions, strings.ToLower(filepath.Ext(p))):
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// globRecursive matches a pattern with "**" segments against the files below the pattern's
// fixed leading directories.
func globRecursive(pattern string) ([]string, error) {
	segments := strings.Split(filepath.ToSlash(pattern), "/")
	fixed := 0
	for fixed < len(segments) && !strings.ContainsAny(segments[fixed], `*?[`) {
		fixed++
	}
	root := strings.Join(segments[:fixed], "/")
	if root == "" {
		root = "."
		if strings.HasPrefix(pattern, "/") {
			root = "/"
		}
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	var out []string
	root = filepath.FromSlash(root)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return err
		case d.IsDir() && p != root && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case d.IsDir():
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err == nil && matchSegments(segments[fixed:], strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// matchSegments matches path segments against pattern segments, "**" standing for any
// number of them.
func matchSegments(pattern, name []string) bool {
	if len(pattern) == 0 {
		return len(name) == 0
	}
	if pattern[0] == "**" {
		for i := 0; i <= len(name); i++ {
			if matchSegments(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	}
	if len(name) == 0 {
		return false
	}
	ok, _ := path.Match(pattern[0], name[0])
	return ok && matchSegments(pattern[1:], name[1:])
}
