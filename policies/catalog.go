package policies

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Files holds the embedded Rego sources: shared helpers in lib/ and one directory per policy.
//
//go:embed */*.rego */*/*.rego
var Files embed.FS

// Actions a policy may declare as its default.
const (
	ActionDeny  = "deny"
	ActionWarn  = "warn"
	ActionAudit = "audit"
)

// Severities a policy may declare, lowest first.
var Severities = []string{"low", "medium", "high", "critical"}

// PodBearingKinds are the kinds that carry a pod spec (lib/pods.rego knows where); the
// METADATA kinds token "pod-bearing" stands for all of them.
var PodBearingKinds = []string{"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController", "PodTemplate"}

// AnyKind in METADATA kinds makes a policy judge every kind.
const AnyKind = "*"

// ErrBadMetadata marks a policy whose METADATA is missing or invalid.
var ErrBadMetadata = errors.New("bad policy metadata")

var idPattern = regexp.MustCompile(`^[A-Z]{2,5}-[0-9]{3}$`)

// Policy is one policy of the catalog, as its METADATA describes it.
type Policy struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    string   `json:"severity"`
	Controls    []string `json:"controls"`
	Groups      []string `json:"groups"`
	Action      string   `json:"action"`
	// Tiered (METADATA custom.tiered: true) makes Action, which must then be deny, apply only in
	// namespaces labelled environment=prod (the label key is the config parameter
	// environmentLabel) and where the namespace is unknown; elsewhere the policy warns.
	Tiered     bool     `json:"tiered,omitempty"`
	References []string `json:"references,omitempty"`
	// Warns is true when the policy also has a `warn` rule: violations it reports there are
	// only ever warnings (e.g. a pre-existing violation on a metadata-only update).
	Warns bool `json:"warns,omitempty"`
	// Triggers (METADATA custom.triggers, optional) are byte strings of which the object's
	// JSON must contain at least one for the policy to find anything, e.g. `"hostPath"`; the
	// engine skips the policy for objects that contain none. Only a policy that can report
	// nothing without one of them present may declare triggers.
	Triggers []string `json:"triggers,omitempty"`
	// Kinds are the object kinds the policy judges (METADATA custom.kinds, with
	// "pod-bearing" expanded to PodBearingKinds and "*" meaning every kind).
	Kinds []string `json:"kinds"`
	// Package is the Rego package path, e.g. "container.privileged".
	Package string `json:"package"`
	// File is the policy's path inside the embedded file system.
	File string `json:"file"`
}

// Catalog is the set of policies found in the embedded files, sorted by id, with the
// compiled-ready modules they need.
type Catalog struct {
	Policies []Policy
	byID     map[string]*Policy
	modules  map[string]*ast.Module
	digest   string
}

// Get returns the policy with the given id.
func (c *Catalog) Get(id string) (*Policy, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// IDs lists every policy id, in order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.Policies))
	for i, p := range c.Policies {
		ids[i] = p.ID
	}
	return ids
}

// Digest is the SHA-256 of every embedded policy and helper source, in path order: the
// "policy bundle" that an evidence record names.
func (c *Catalog) Digest() string { return c.digest }

// LoadCatalog parses every non-test .rego file of fsys, reads each policy package's METADATA
// and checks the whole set: every policy has an id, a severity, controls, groups and an
// action, and no id is used twice.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{byID: map[string]*Policy{}, modules: map[string]*ast.Module{}}
	paths, err := fs.Glob(fsys, "*/*.rego")
	if err != nil {
		return nil, err
	}
	deeper, err := fs.Glob(fsys, "*/*/*.rego")
	if err != nil {
		return nil, err
	}
	paths = append(paths, deeper...)
	sort.Strings(paths)
	sum := sha256.New()
	seen := map[string]string{} // id -> file
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.rego") {
			continue
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		fmt.Fprintf(sum, "%s\x00%d\x00", p, len(src))
		sum.Write(src)
		mod, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		c.modules[p] = mod
		if strings.HasPrefix(p, "lib/") {
			continue
		}
		pol, err := policyFromModule(p, mod)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[pol.ID]; dup {
			return nil, fmt.Errorf("%w: id %s used by both %s and %s", ErrBadMetadata, pol.ID, prev, pol.File)
		}
		seen[pol.ID] = pol.File
		c.Policies = append(c.Policies, pol)
	}
	if len(c.Policies) == 0 {
		return nil, fmt.Errorf("%w: no policies found", ErrBadMetadata)
	}
	slices.SortFunc(c.Policies, func(a, b Policy) int { return strings.Compare(a.ID, b.ID) })
	for i := range c.Policies {
		c.byID[c.Policies[i].ID] = &c.Policies[i]
	}
	c.digest = "sha256:" + hex.EncodeToString(sum.Sum(nil))
	return c, nil
}

// policyFromModule reads the package-scope METADATA of one policy module.
func policyFromModule(file string, mod *ast.Module) (Policy, error) {
	pkg := strings.TrimPrefix(mod.Package.Path.String(), "data.")
	wantPkg := strings.ReplaceAll(path.Dir(file), "/", ".")
	if pkg != wantPkg {
		return Policy{}, fmt.Errorf("%w: %s declares package %s, want %s (directory path = package path)", ErrBadMetadata, file, pkg, wantPkg)
	}
	var ann *ast.Annotations
	for _, a := range mod.Annotations {
		if a.Scope == "package" {
			ann = a
		}
	}
	if ann == nil {
		return Policy{}, fmt.Errorf("%w: %s has no package METADATA", ErrBadMetadata, file)
	}
	p := Policy{
		Title:       ann.Title,
		Description: strings.TrimSpace(ann.Description),
		Package:     pkg,
		File:        file,
	}
	var problems []string
	str := func(key string) string {
		v, ok := ann.Custom[key].(string)
		if !ok || v == "" {
			problems = append(problems, fmt.Sprintf("custom.%s must be a non-empty string", key))
		}
		return v
	}
	list := func(key string, required bool) []string {
		raw, ok := ann.Custom[key].([]any)
		if !ok || len(raw) == 0 {
			if required {
				problems = append(problems, fmt.Sprintf("custom.%s must be a non-empty list", key))
			}
			return nil
		}
		out := make([]string, 0, len(raw))
		for _, r := range raw {
			s, ok := r.(string)
			if !ok || s == "" {
				problems = append(problems, fmt.Sprintf("custom.%s must hold non-empty strings", key))
				continue
			}
			out = append(out, s)
		}
		return out
	}
	p.ID = str("id")
	p.Severity = str("severity")
	p.Action = str("action")
	p.Controls = list("controls", true)
	p.Groups = list("groups", true)
	p.References = list("references", false)
	p.Triggers = list("triggers", false)
	for _, k := range list("kinds", true) {
		if k == "pod-bearing" {
			p.Kinds = append(p.Kinds, PodBearingKinds...)
			continue
		}
		p.Kinds = append(p.Kinds, k)
	}
	slices.Sort(p.Kinds)
	p.Kinds = slices.Compact(p.Kinds)
	for _, r := range mod.Rules {
		if r.Head.Ref().String() == "warn" {
			p.Warns = true
		}
	}
	if raw, ok := ann.Custom["tiered"]; ok {
		tiered, isBool := raw.(bool)
		if !isBool {
			problems = append(problems, "custom.tiered must be true or false")
		}
		p.Tiered = tiered
	}
	if p.Title == "" {
		problems = append(problems, "title must be set")
	}
	if p.ID != "" && !idPattern.MatchString(p.ID) {
		problems = append(problems, fmt.Sprintf("custom.id %q must look like POD-001", p.ID))
	}
	if p.Severity != "" && !slices.Contains(Severities, p.Severity) {
		problems = append(problems, fmt.Sprintf("custom.severity %q must be one of %s", p.Severity, strings.Join(Severities, ", ")))
	}
	if p.Action != "" && !slices.Contains([]string{ActionDeny, ActionWarn, ActionAudit}, p.Action) {
		problems = append(problems, fmt.Sprintf("custom.action %q must be deny, warn or audit", p.Action))
	}
	if p.Tiered && p.Action != ActionDeny {
		problems = append(problems, fmt.Sprintf("custom.action of a tiered policy must be deny (it denies in prod namespaces and warns elsewhere), got %q", p.Action))
	}
	if len(problems) > 0 {
		return Policy{}, fmt.Errorf("%w: %s: %s", ErrBadMetadata, file, strings.Join(problems, "; "))
	}
	return p, nil
}

// Selection names the policies to evaluate: those Only selects (ids or groups; none selects
// the whole catalog) except those Skip selects.
type Selection struct {
	Only, Skip []string
}

// ErrNothingSelected is returned when Skip leaves no policy to evaluate.
var ErrNothingSelected = errors.New("--skip leaves no policy to evaluate")

// Choose resolves a selection, in id order. A name that selects nothing is an error.
func (c *Catalog) Choose(sel Selection) ([]Policy, error) {
	chosen, err := c.Select(sel.Only)
	if err != nil || len(sel.Skip) == 0 {
		return chosen, err
	}
	skipped, err := c.Select(sel.Skip)
	if err != nil {
		return nil, err
	}
	chosen = slices.DeleteFunc(chosen, func(p Policy) bool {
		return slices.ContainsFunc(skipped, func(s Policy) bool { return s.ID == p.ID })
	})
	if len(chosen) == 0 {
		return nil, ErrNothingSelected
	}
	return chosen, nil
}

// Select returns the policies named by selectors (ids or group names), in id order; no
// selectors selects the whole catalog. A selector that names nothing is an error, so a typo
// in --only never silently tests nothing.
func (c *Catalog) Select(selectors []string) ([]Policy, error) {
	if len(selectors) == 0 {
		return slices.Clone(c.Policies), nil
	}
	chosen := map[string]bool{}
	for _, s := range selectors {
		s = strings.TrimSpace(s)
		matched := false
		for _, p := range c.Policies {
			if p.ID == s || slices.Contains(p.Groups, s) {
				chosen[p.ID] = true
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("no policy id or group %q in the catalog", s)
		}
	}
	var out []Policy
	for _, p := range c.Policies {
		if chosen[p.ID] {
			out = append(out, p)
		}
	}
	return out, nil
}
