// Package offline runs the shared review path over manifests instead of live requests: the
// engine of `govhook test`, which CI pipelines use to check manifests before they reach a
// cluster, and of the catalog's fixture tests.
package offline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Document is one Kubernetes object read from a manifest.
type Document struct {
	// Source names the file ("-" for stdin) and Index the document's position in it (from 0).
	Source string
	Index  int
	// Line is the 1-based line where the document starts.
	Line int
	// JSON is the object as JSON.
	JSON []byte
	Meta ObjectMeta
}

// ObjectMeta is what the loader reads of every object.
type ObjectMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Namespace    string            `json:"namespace"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// InputError is a document that could not be read, named by file and document index.
type InputError struct {
	Source string
	Index  int
	Line   int
	Err    error
}

func (e *InputError) Error() string {
	return fmt.Sprintf("%s: document %d (line %d): %v", e.Source, e.Index, e.Line, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// Load reads every path: a file, a directory (every .yaml, .yml and .json below it) or "-" for
// stdin. It returns every document it could read and an error for each it could not; one bad
// document does not hide the others.
func Load(paths []string, stdin io.Reader) ([]Document, []error) {
	var docs []Document
	var errs []error
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				errs = append(errs, fmt.Errorf("read stdin: %w", err))
				continue
			}
			d, e := Parse("-", data)
			docs, errs = append(docs, d...), append(errs, e...)
			continue
		}
		files, err := expand(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("read %s: %w", f, err))
				continue
			}
			d, e := Parse(f, data)
			docs, errs = append(docs, d...), append(errs, e...)
		}
	}
	return docs, errs
}

// expand turns a path into the manifest files it names.
func expand(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Parse splits a YAML stream (or one JSON document) into objects, expanding List kinds.
func Parse(source string, data []byte) ([]Document, []error) {
	var docs []Document
	var errs []error
	i := -1 // index among the non-empty documents
	for _, chunk := range split(data) {
		if len(bytes.TrimSpace(stripComments(chunk.data))) == 0 {
			continue
		}
		i++
		js, err := yaml.YAMLToJSON(chunk.data)
		if err != nil {
			errs = append(errs, &InputError{source, i, chunk.line, fmt.Errorf("not valid YAML: %w", err)})
			continue
		}
		expanded, err := expandList(js)
		if err != nil {
			errs = append(errs, &InputError{source, i, chunk.line, err})
			continue
		}
		for _, obj := range expanded {
			doc := Document{Source: source, Index: i, Line: chunk.line, JSON: obj}
			if err := json.Unmarshal(obj, &doc.Meta); err != nil {
				errs = append(errs, &InputError{source, i, chunk.line, fmt.Errorf("not a Kubernetes object: %w", err)})
				continue
			}
			if doc.Meta.APIVersion == "" || doc.Meta.Kind == "" {
				errs = append(errs, &InputError{source, i, chunk.line, fmt.Errorf("document has no apiVersion or kind")})
				continue
			}
			docs = append(docs, doc)
		}
	}
	return docs, errs
}

// expandList returns the items of a List kind, or the object itself.
func expandList(js []byte) ([][]byte, error) {
	var probe struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &probe); err != nil {
		return nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	if !strings.HasSuffix(probe.Kind, "List") || probe.Items == nil {
		return [][]byte{js}, nil
	}
	out := make([][]byte, len(probe.Items))
	for i, item := range probe.Items {
		out[i] = item
	}
	return out, nil
}

type chunk struct {
	data []byte
	line int
}

// split cuts a YAML stream at "---" separator lines, remembering where each document starts.
func split(data []byte) []chunk {
	var out []chunk
	start, startLine, line := 0, 1, 1
	for pos := 0; pos <= len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			end = len(data) - pos
		}
		text := bytes.TrimRight(data[pos:pos+end], "\r")
		if bytes.HasPrefix(text, []byte("---")) && (len(text) == 3 || text[3] == ' ' || text[3] == '\t') {
			out = append(out, chunk{data[start:pos], startLine})
			start, startLine = pos+end+1, line+1
			if start > len(data) {
				start = len(data)
			}
		}
		pos += end + 1
		line++
	}
	if start < len(data) {
		out = append(out, chunk{data[start:], startLine})
	}
	return out
}

// stripComments drops comment-only lines, so a document of comments counts as empty.
func stripComments(data []byte) []byte {
	var b bytes.Buffer
	for _, l := range bytes.Split(data, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			b.Write(l)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
