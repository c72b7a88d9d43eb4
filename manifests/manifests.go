// Package manifests reads Kubernetes objects from manifest files, directories, globs and
// stdin, and keeps each object's place in its file: the line it starts on and, on request, the
// line of any field a policy names.
package manifests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/yaml"
)

// Document is one Kubernetes object read from a manifest (or from a cluster).
type Document struct {
	// Source names the file ("-" for stdin, empty for a cluster object) and Index the
	// document's 1-based position in it; the items of a List share their List's index.
	Source string
	Index  int
	// Line is the 1-based line where the object starts in Source (0 when unknown).
	Line int
	// JSON is the object as JSON.
	JSON []byte
	Meta ObjectMeta
	// Resource is the object's API resource when the caller knows it (a cluster scan, from
	// discovery); empty lets the table of built-in kinds and the manifests' CRDs decide.
	Resource string
	// Item is the object's 0-based position in its document's List (-1 for none).
	Item int
	// yaml is the text of the YAML document holding the object and yamlStart the file line
	// of its first line: what locating a field's line needs.
	yaml      []byte
	yamlStart int
}

// ObjectMeta is what the loader reads of every object.
type ObjectMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		UID          string            `json:"uid"`
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Namespace    string            `json:"namespace"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// NewDocument makes a Document of an object that did not come from a file (a cluster's),
// with the API resource its kind is served as.
func NewDocument(object []byte, resource string) (Document, error) {
	d := Document{JSON: object, Resource: resource, Item: -1}
	if err := json.Unmarshal(object, &d.Meta); err != nil {
		return d, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	return d, nil
}

// InputError is a document that could not be read or judged, named by file and document
// index.
type InputError struct {
	Source string
	Index  int
	Line   int
	Err    error
}

// Error names the file, the document and its line when known.
func (e *InputError) Error() string {
	switch {
	case e.Index == 0:
		return fmt.Sprintf("%s: %v", e.Source, e.Err)
	case e.Line == 0:
		return fmt.Sprintf("%s: document %d: %v", e.Source, e.Index, e.Err)
	}
	return fmt.Sprintf("%s: document %d (line %d): %v", e.Source, e.Index, e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// Load reads every path: a file, a directory (every .yaml, .yml and .json below it), a glob
// ("deploy/*.yaml", "deploy/**/*.yaml") or "-" for stdin. It returns every document it could
// read and an error for each it could not; one bad document does not hide the others.
func Load(paths []string, stdin io.Reader) ([]Document, []error) {
	var docs []Document
	var errs []error
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				errs = append(errs, &InputError{Source: "-", Err: fmt.Errorf("read stdin: %w", err)})
				continue
			}
			d, e := Parse("-", data)
			docs, errs = append(docs, d...), append(errs, e...)
			continue
		}
		files, err := expand(p)
		if err != nil {
			errs = append(errs, &InputError{Source: p, Err: err})
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, &InputError{Source: f, Err: err})
				continue
			}
			d, e := Parse(f, data)
			docs, errs = append(docs, d...), append(errs, e...)
		}
	}
	return docs, errs
}

// Parse splits a YAML stream (or a JSON document) into objects, expanding List kinds. The
// documents are converted on every core.
func Parse(source string, data []byte) ([]Document, []error) {
	chunks := split(data)
	type parsed struct {
		docs []Document
		err  error
	}
	out := make([]parsed, len(chunks))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, c := range chunks {
		g.Go(func() error {
			out[i].docs, out[i].err = parseChunk(source, i+1, c)
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no error: a chunk's goes into out
	var docs []Document
	var errs []error
	for _, p := range out {
		docs = append(docs, p.docs...)
		if p.err != nil {
			errs = append(errs, p.err)
		}
	}
	return docs, errs
}

// buildToolGroups are API groups of build-tool configuration that lives among manifests
// (kustomization.yaml) but is never sent to a cluster.
var buildToolGroups = []string{"kustomize.config.k8s.io/", "config.kubernetes.io/"}

// parseChunk converts one YAML document into its objects.
func parseChunk(source string, index int, c chunk) ([]Document, error) {
	fail := func(err error) error { return &InputError{Source: source, Index: index, Line: c.line, Err: err} }
	js, err := yaml.YAMLToJSON(c.data)
	if err != nil {
		return nil, fail(fmt.Errorf("not valid YAML: %s", absoluteYAMLLines(err.Error(), c.start)))
	}
	doc := Document{Source: source, Index: index, Line: c.line, JSON: js, Item: -1, yaml: c.data, yamlStart: c.start}
	if err := json.Unmarshal(js, &doc.Meta); err != nil {
		return nil, fail(fmt.Errorf("not a Kubernetes object: %w", err))
	}
	for _, g := range buildToolGroups {
		if strings.HasPrefix(doc.Meta.APIVersion, g) {
			return nil, nil
		}
	}
	if !doc.Meta.IsList() {
		if err := checkMeta(doc.Meta); err != nil {
			return nil, fail(err)
		}
		return []Document{doc}, nil
	}
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &list); err != nil {
		return nil, fail(fmt.Errorf("not a Kubernetes list: %w", err))
	}
	lines := itemLines(c.data, len(list.Items))
	docs := make([]Document, 0, len(list.Items))
	for i, raw := range list.Items {
		item := Document{Source: source, Index: index, Line: c.line, JSON: raw, Item: i, yaml: c.data, yamlStart: c.start}
		if lines[i] > 0 {
			item.Line = c.start - 1 + lines[i]
		}
		if err := json.Unmarshal(raw, &item.Meta); err != nil {
			return nil, fail(fmt.Errorf("%s item %d is not a Kubernetes object: %w", doc.Meta.Kind, i, err))
		}
		if err := checkMeta(item.Meta); err != nil {
			return nil, fail(fmt.Errorf("%s item %d: %w", doc.Meta.Kind, i, err))
		}
		docs = append(docs, item)
	}
	return docs, nil
}

// IsList reports whether an object is a List kind (v1 List, DeploymentList, ...).
func (m ObjectMeta) IsList() bool { return strings.HasSuffix(m.Kind, "List") }

func checkMeta(m ObjectMeta) error {
	switch {
	case m.APIVersion == "" && m.Kind == "":
		return fmt.Errorf("document has no apiVersion and no kind")
	case m.APIVersion == "":
		return fmt.Errorf("%s has no apiVersion", m.Kind)
	case m.Kind == "":
		return fmt.Errorf("document of apiVersion %s has no kind", m.APIVersion)
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// absoluteYAMLLines rewrites the document-relative line numbers of a YAML error into lines
// of the file.
func absoluteYAMLLines(msg string, start int) string {
	return yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, err := strconv.Atoi(strings.TrimPrefix(m, "line "))
		if err != nil {
			return m
		}
		return "line " + strconv.Itoa(n+start-1)
	})
}

type chunk struct {
	data []byte
	// start is the file line of data's first line, line that of its first line of content.
	start, line int
}

// split cuts a YAML stream at "---" separator lines into its non-empty documents.
func split(data []byte) []chunk {
	var out []chunk
	add := func(start, startLine, end int) {
		if line, ok := firstContentLine(data[start:end]); ok {
			out = append(out, chunk{data[start:end], startLine, startLine + line - 1})
		}
	}
	start, startLine, line := 0, 1, 1
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			end = len(data) - pos
		}
		text := bytes.TrimRight(data[pos:pos+end], "\r")
		if bytes.HasPrefix(text, []byte("---")) && (len(text) == 3 || text[3] == ' ' || text[3] == '\t') {
			add(start, startLine, pos)
			start, startLine = min(pos+end+1, len(data)), line+1
		}
		pos += end + 1
	}
	add(start, startLine, len(data))
	return out
}

// firstContentLine returns the 1-based line of the first line that is not blank, a comment
// or a directive; false when the document has none.
func firstContentLine(doc []byte) (int, bool) {
	for i, l := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' && t[0] != '%' {
			return i + 1, true
		}
	}
	return 0, false
}
