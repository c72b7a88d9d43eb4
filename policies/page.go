package policies

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrUnknownPolicy marks a policy id the catalog does not have.
var ErrUnknownPolicy = errors.New("no such policy in the catalog")

// Fixtures holds every policy's testdata/{allow,deny,warn} fixtures and their golden files:
// the examples and exact messages of the policy pages (`govhook policies explain`).
//
//go:embed */*/testdata/*/*.yaml */*/testdata/*/*.golden
var Fixtures embed.FS

// Page is what a policy's documentation page says: its METADATA, the parameters it reads,
// a failing and a passing example from its own fixtures and the exact messages it gives.
type Page struct {
	Policy
	// ParameterDocs declare the parameters the policy reads, in METADATA order.
	ParameterDocs []Parameter `json:"parameterDocs,omitempty"`
	// Failing is a fixture the policy refuses (or warns about); Passing one it admits.
	Failing *Example `json:"failingExample,omitempty"`
	Passing *Example `json:"passingExample,omitempty"`
	// Messages are the distinct `[ID] message` lines the policy gives in its fixtures.
	Messages []string `json:"messages"`
}

// Example is one fixture: a manifest (or AdmissionReview) and what govhook says about it.
type Example struct {
	// File is the fixture's path in the repository, e.g. policies/pod/privileged/testdata/deny/x.yaml.
	File string `json:"file"`
	// Manifest is the fixture's content.
	Manifest string `json:"manifest"`
	// Findings are the policy's own lines of the fixture's golden file: `action [ID] message`.
	Findings []string `json:"findings,omitempty"`
	// Kind, Namespace and Name are those of the object under test (the last document).
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// fixture is one fixture file with its golden lines.
type fixture struct {
	file   string
	data   []byte
	golden []string
}

// Pages builds the page of every policy of the catalog from fixtures (Fixtures, or a
// directory of the same layout), in id order. A policy without a deny and an allow fixture is
// an error: its page would have no example.
func (c *Catalog) Pages(fixtures fs.FS) ([]Page, error) {
	pages := make([]Page, 0, len(c.Policies))
	for _, p := range c.Policies {
		page, err := c.page(fixtures, p)
		if err != nil {
			return nil, err
		}
		pages = append(pages, page)
	}
	return pages, nil
}

// Page builds the page of the policy with the given id.
func (c *Catalog) Page(fixtures fs.FS, id string) (Page, error) {
	p, ok := c.Get(id)
	if !ok {
		return Page{}, fmt.Errorf("%w: %q", ErrUnknownPolicy, id)
	}
	return c.page(fixtures, *p)
}

func (c *Catalog) page(fixtures fs.FS, p Policy) (Page, error) {
	page := Page{Policy: p}
	for _, name := range p.Parameters {
		page.ParameterDocs = append(page.ParameterDocs, c.params[name])
	}
	dir := path.Dir(p.File)
	mine := "[" + p.ID + "] "
	var failing []fixture
	for _, kind := range []string{"deny", "warn"} {
		fs, err := readFixtures(fixtures, path.Join(dir, "testdata", kind), mine)
		if err != nil {
			return Page{}, err
		}
		for _, f := range fs {
			for _, l := range f.golden {
				_, msg, _ := strings.Cut(l, " ")
				if !slices.Contains(page.Messages, msg) {
					page.Messages = append(page.Messages, msg)
				}
			}
		}
		failing = append(failing, fs...)
	}
	passing, err := readFixtures(fixtures, path.Join(dir, "testdata", "allow"), mine)
	if err != nil {
		return Page{}, err
	}
	slices.Sort(page.Messages)
	if page.Failing = shortest(failing, true); page.Failing == nil {
		return Page{}, fmt.Errorf("policy %s: no fixture in %s/testdata/deny with a golden line of its own", p.ID, dir)
	}
	if page.Passing = shortest(passing, false); page.Passing == nil {
		return Page{}, fmt.Errorf("policy %s: no fixture in %s/testdata/allow", p.ID, dir)
	}
	return page, nil
}

// readFixtures reads the *.yaml fixtures of dir with the golden lines that start with mine
// (after the action); a missing dir holds none.
func readFixtures(fsys fs.FS, dir, mine string) ([]fixture, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []fixture
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read fixture: %w", err)
		}
		golden, err := fs.ReadFile(fsys, strings.TrimSuffix(name, ".yaml")+".golden")
		if err != nil {
			return nil, fmt.Errorf("read fixture golden file: %w", err)
		}
		f := fixture{file: name, data: data}
		for _, l := range strings.Split(string(golden), "\n") {
			if _, rest, ok := strings.Cut(l, " "); ok && strings.HasPrefix(rest, mine) {
				f.golden = append(f.golden, l)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// shortest picks the shortest fixture that is a plain manifest (not an AdmissionReview) when
// there is one, else the shortest; with failing, only fixtures with a line of the policy.
// Short examples read best on a page; ties go to the first by name.
func shortest(fs []fixture, failing bool) *Example {
	var best *fixture
	better := func(f, than *fixture) bool {
		fr, tr := isReview(f.data), isReview(than.data)
		if fr != tr {
			return !fr
		}
		return len(f.data) < len(than.data)
	}
	for i := range fs {
		f := &fs[i]
		if failing && len(f.golden) == 0 {
			continue
		}
		if best == nil || better(f, best) {
			best = f
		}
	}
	if best == nil {
		return nil
	}
	e := &Example{File: path.Join("policies", best.file), Manifest: string(best.data), Findings: best.golden}
	e.Kind, e.Namespace, e.Name = subject(best.data)
	return e
}

func isReview(data []byte) bool { return strings.Contains(string(data), "kind: AdmissionReview") }

// subject reads kind, namespace and name of the object under test: a fixture's last
// document, or the request of an AdmissionReview. It only fills the page's exception snippet,
// so a fixture it cannot read leaves them empty.
func subject(data []byte) (kind, namespace, name string) {
	type meta struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"metadata"`
		Request struct {
			Kind struct {
				Kind string `yaml:"kind"`
			} `yaml:"kind"`
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"request"`
	}
	var last meta
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var m meta
		if err := dec.Decode(&m); err != nil {
			break
		}
		if m.Kind != "" {
			last = m
		}
	}
	if last.Kind == "AdmissionReview" {
		return last.Request.Kind.Kind, last.Request.Namespace, last.Request.Name
	}
	return last.Kind, last.Metadata.Namespace, last.Metadata.Name
}
