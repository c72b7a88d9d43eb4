// Package config loads and validates govhook's versioned config file (apiVersion
// govhook.io/v1alpha1, kind Config): enforcement actions and tiering, exemptions, the
// exceptions register and the parameters policies read. Errors name the field and its line.
// A Watcher reloads the file when its content changes.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// APIVersion and Kind identify a govhook config file.
const (
	APIVersion = "govhook.io/v1alpha1"
	Kind       = "Config"
)

// DefaultMaxExceptionDays bounds how far ahead an exception may expire when the config does
// not set maxExceptionDays.
const DefaultMaxExceptionDays = 180

// DefaultEnvironmentLabel is the namespace label tiering reads when the config parameter
// environmentLabel is not set; ProdEnvironment is its value in production namespaces.
const (
	DefaultEnvironmentLabel = "environment"
	ProdEnvironment         = "prod"
)

// ErrInvalid marks a config file that failed validation.
var ErrInvalid = errors.New("invalid config")

// Config is the whole config file.
type Config struct {
	APIVersion  string      `yaml:"apiVersion" json:"apiVersion"`
	Kind        string      `yaml:"kind" json:"kind"`
	Enforcement Enforcement `yaml:"enforcement,omitempty" json:"enforcement,omitempty"`
	Exemptions  Exemptions  `yaml:"exemptions,omitempty" json:"exemptions,omitempty"`
	// MaxExceptionDays bounds how far from the day of loading an exception may expire (default
	// DefaultMaxExceptionDays).
	MaxExceptionDays int            `yaml:"maxExceptionDays,omitempty" json:"maxExceptionDays,omitempty"`
	Exceptions       []Exception    `yaml:"exceptions,omitempty" json:"exceptions,omitempty"`
	Parameters       map[string]any `yaml:"parameters,omitempty" json:"parameters,omitempty"`
	// OnEvidenceFailure is what the webhook does when a record cannot be made durable:
	// "deny" (default) or "allow" (see evidence.go).
	OnEvidenceFailure string `yaml:"onEvidenceFailure,omitempty" json:"onEvidenceFailure,omitempty"`
	// Evidence configures the evidence segments and their archive (see evidence.go).
	Evidence Evidence `yaml:"evidence,omitempty" json:"evidence,omitempty"`

	digest string
	// src is the parsed document, kept to name lines in validation errors.
	src *yaml.Node
}

// Enforcement chooses the action of each policy. Default, when set, replaces the catalog's
// default action (tiered or not) of every policy that Policies does not name; Policies names
// one action, or one tiered choice, per policy id.
type Enforcement struct {
	Default  string                  `yaml:"default,omitempty" json:"default,omitempty"`
	Policies map[string]PolicyAction `yaml:"policies,omitempty" json:"policies,omitempty"`
}

// PolicyAction is one policy's action: written as a plain string ("warn") it is Action alone;
// written as {action, whenNamespaceLabels, otherwise} Action applies in namespaces carrying
// every label of WhenNamespaceLabels and Otherwise elsewhere. Where the namespace is unknown
// the stricter of the two applies.
type PolicyAction struct {
	Action              string            `yaml:"action" json:"action"`
	WhenNamespaceLabels map[string]string `yaml:"whenNamespaceLabels,omitempty" json:"whenNamespaceLabels,omitempty"`
	Otherwise           string            `yaml:"otherwise,omitempty" json:"otherwise,omitempty"`
}

// UnmarshalYAML accepts the plain string form as well as the mapping.
func (a *PolicyAction) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*a = PolicyAction{}
		return n.Decode(&a.Action)
	}
	type plain PolicyAction
	return n.Decode((*plain)(a))
}

// Exemptions are request sources that are never evaluated (each still gets an evidence record).
// There are deliberately no group exemptions: groups such as system:serviceaccounts:<ns> take in
// every controller's service account, and controllers are what must not escape policy.
type Exemptions struct {
	Namespaces []string `yaml:"namespaces,omitempty" json:"namespaces,omitempty"`
	Usernames  []string `yaml:"usernames,omitempty" json:"usernames,omitempty"`
}

// Exception is a documented, approved, time-bound waiver of named policies for matching objects.
type Exception struct {
	ID            string         `yaml:"id" json:"id"`
	Policies      []string       `yaml:"policies" json:"policies"`
	Match         ExceptionMatch `yaml:"match" json:"match"`
	Justification string         `yaml:"justification" json:"justification"`
	Ticket        string         `yaml:"ticket" json:"ticket"`
	RequestedBy   string         `yaml:"requestedBy" json:"requestedBy"`
	ApprovedBy    string         `yaml:"approvedBy" json:"approvedBy"`
	// Expires is a date (YYYY-MM-DD, meaning the end of that day in UTC) or an RFC 3339 time.
	Expires string `yaml:"expires" json:"expires"`

	// end is Expires parsed, filled by Parse.
	end time.Time
}

// ExceptionMatch selects the objects an exception covers; an empty list matches anything, but
// an exception must fill at least one. Names may be globs (path.Match syntax).
type ExceptionMatch struct {
	Namespaces []string `yaml:"namespaces,omitempty" json:"namespaces,omitempty"`
	Kinds      []string `yaml:"kinds,omitempty" json:"kinds,omitempty"`
	Names      []string `yaml:"names,omitempty" json:"names,omitempty"`
}

// Option tunes the validation of Parse and Load.
type Option func(*options)

type options struct {
	known map[string]bool
	now   func() time.Time
}

// KnownPolicies makes every policy id the config names have to be one of ids (the catalog's).
// Without it policy ids are checked only for form.
func KnownPolicies(ids []string) Option {
	return func(o *options) {
		o.known = make(map[string]bool, len(ids))
		for _, id := range ids {
			o.known[id] = true
		}
	}
}

// Clock sets the time the maximum exception expiry is measured from (default: time.Now).
func Clock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// DefaultExemptNamespaces are exempt when no config file is given: none. kube-system and
// govhook-system are not among them: the webhook configuration already keeps their traffic
// away from govhook (so an outage cannot lock the cluster out), except what govhook must judge
// there: the aws-auth ConfigMap (RBAC-006) and changes to govhook's own objects (MON-001).
// Nor is kube-node-lease: the kubelets' Leases there are never sent to govhook, so exempting
// it would only waive NS-001 for the workloads and config someone puts there.
var DefaultExemptNamespaces = []string{}

// Default is the config in force when no file is given: catalog default actions, the
// namespaces in DefaultExemptNamespaces exempt, no exceptions, policy parameter defaults.
func Default() *Config {
	c := &Config{
		APIVersion: APIVersion,
		Kind:       Kind,
		Exemptions: Exemptions{Namespaces: slices.Clone(DefaultExemptNamespaces)},
	}
	c.digest = digestOf([]byte("default"))
	return c
}

// Load reads and validates the config file at path.
func Load(path string, opts ...Option) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes one config document strictly (unknown and duplicate fields are errors) and
// validates it. Every error names the field and, where the document has it, the line.
func Parse(data []byte, opts ...Option) (*Config, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	c, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if errs := c.validate(o); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	c.digest = digestOf(bytes.TrimSpace(data))
	return c, nil
}

// Digest is the SHA-256 of the config file as loaded, named by every evidence record.
func (c *Config) Digest() string { return c.digest }

// EnvironmentLabel is the namespace label key tiering reads: the parameter environmentLabel,
// or DefaultEnvironmentLabel.
func (c *Config) EnvironmentLabel() string {
	if s, ok := c.Parameters["environmentLabel"].(string); ok && s != "" {
		return s
	}
	return DefaultEnvironmentLabel
}

// MaxExceptionLifetime is how far ahead of the day of loading an exception may expire.
func (c *Config) MaxExceptionLifetime() time.Duration {
	days := c.MaxExceptionDays
	if days <= 0 {
		days = DefaultMaxExceptionDays
	}
	return time.Duration(days) * 24 * time.Hour
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
