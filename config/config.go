// Package config loads and validates govhook's versioned config file (apiVersion
// govhook.io/v1alpha1, kind Config): enforcement actions, exemptions, exceptions and the
// parameters policies read.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

// APIVersion and Kind identify a govhook config file.
const (
	APIVersion = "govhook.io/v1alpha1"
	Kind       = "Config"
)

// ErrInvalid marks a config file that failed validation.
var ErrInvalid = errors.New("invalid config")

// Config is the whole config file.
type Config struct {
	APIVersion  string         `json:"apiVersion"`
	Kind        string         `json:"kind"`
	Enforcement Enforcement    `json:"enforcement,omitempty"`
	Exemptions  Exemptions     `json:"exemptions,omitempty"`
	Exceptions  []Exception    `json:"exceptions,omitempty"`
	Parameters  map[string]any `json:"parameters,omitempty"`

	digest string
}

// Enforcement chooses the action of each policy. Default, when set, replaces the catalog's
// default action of every policy that Policies does not name; Policies names one action per
// policy id.
type Enforcement struct {
	Default  string            `json:"default,omitempty"`
	Policies map[string]string `json:"policies,omitempty"`
}

// Exemptions are request sources that are never evaluated (each still gets an evidence record).
type Exemptions struct {
	Namespaces []string `json:"namespaces,omitempty"`
	Usernames  []string `json:"usernames,omitempty"`
}

// Exception is a documented, approved, time-bound waiver of named policies for matching objects.
type Exception struct {
	ID            string         `json:"id"`
	Policies      []string       `json:"policies"`
	Match         ExceptionMatch `json:"match"`
	Justification string         `json:"justification"`
	Ticket        string         `json:"ticket"`
	RequestedBy   string         `json:"requestedBy"`
	ApprovedBy    string         `json:"approvedBy"`
	Expires       string         `json:"expires"`
}

// ExceptionMatch selects the objects an exception covers; an empty list matches anything.
type ExceptionMatch struct {
	Namespaces []string `json:"namespaces,omitempty"`
	Kinds      []string `json:"kinds,omitempty"`
	Names      []string `json:"names,omitempty"`
}

// Default is the config in force when no file is given: catalog default actions, the
// Kubernetes system namespaces exempt, no exceptions, policy parameter defaults.
func Default() *Config {
	c := &Config{
		APIVersion: APIVersion,
		Kind:       Kind,
		Exemptions: Exemptions{Namespaces: []string{"kube-system", "kube-node-lease", "govhook-system"}},
	}
	c.digest = digestOf([]byte("default"))
	return c
}

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Parse decodes a config document strictly (unknown fields are errors) and validates it.
func Parse(data []byte) (*Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if c.APIVersion != APIVersion || c.Kind != Kind {
		return nil, fmt.Errorf("%w: apiVersion/kind must be %s/%s, got %q/%q", ErrInvalid, APIVersion, Kind, c.APIVersion, c.Kind)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	c.digest = digestOf(bytes.TrimSpace(data))
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	if !validAction(c.Enforcement.Default, true) {
		errs = append(errs, fmt.Errorf("enforcement.default: %q must be deny, warn or audit", c.Enforcement.Default))
	}
	for id, action := range c.Enforcement.Policies {
		if !validAction(action, false) {
			errs = append(errs, fmt.Errorf("enforcement.policies.%s: %q must be deny, warn or audit", id, action))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

func validAction(a string, emptyOK bool) bool {
	switch a {
	case "deny", "warn", "audit":
		return true
	case "":
		return emptyOK
	}
	return false
}

// Digest is the SHA-256 of the config file as loaded, named by every evidence record.
func (c *Config) Digest() string { return c.digest }

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
