package policydiff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// Kinds of Version.
const (
	KindCatalog = "policy catalog"
	KindConfig  = "config"
)

// Version is one side of a diff: a policy catalog or a config file.
type Version struct {
	// Name is where it came from, e.g. the file path.
	Name string `json:"name"`
	// Kind is KindCatalog or KindConfig.
	Kind string `json:"kind"`
	// Digest is the SHA-256 of the file as given.
	Digest string `json:"digest"`

	catalog []policies.Policy
	config  *config.Config
}

// Report is a diff: the two versions and what changed, section by section.
type Report struct {
	Old     Version  `json:"old"`
	New     Version  `json:"new"`
	Changes []Change `json:"changes"`
}

// Parse reads one version: a JSON list as `govhook policies -o json` prints it, or a config
// file (validated as govhook loads it, policy ids checked for form only, so that an old
// config naming a policy since retired still compares).
func Parse(name string, data []byte) (Version, error) {
	sum := sha256.Sum256(bytes.TrimSpace(data))
	v := Version{Name: name, Digest: "sha256:" + hex.EncodeToString(sum[:])}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		var ps []policies.Policy
		if err := json.Unmarshal(trimmed, &ps); err != nil {
			return Version{}, fmt.Errorf("%s: not a policy catalog as govhook policies -o json prints it: %w", name, err)
		}
		for i, p := range ps {
			if p.ID == "" {
				return Version{}, fmt.Errorf("%s: policy %d has no id: not a policy catalog as govhook policies -o json prints it", name, i)
			}
		}
		v.Kind, v.catalog = KindCatalog, ps
		return v, nil
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return Version{}, fmt.Errorf("%s: neither a policy catalog (govhook policies -o json) nor a valid config file: %w", name, err)
	}
	v.Kind, v.config = KindConfig, cfg
	return v, nil
}

// ErrKindMismatch marks a diff of a catalog against a config.
var ErrKindMismatch = errors.New("both versions must be policy catalogs or both config files")

// Diff compares two versions of the same kind; exceptions count as expired as at now.
func Diff(old, new Version, now time.Time) (Report, error) {
	if old.Kind != new.Kind {
		return Report{}, fmt.Errorf("%w: %s is a %s, %s a %s", ErrKindMismatch, old.Name, old.Kind, new.Name, new.Kind)
	}
	r := Report{Old: old, New: new}
	if old.Kind == KindCatalog {
		r.Changes = Catalogs(old.catalog, new.catalog)
	} else {
		r.Changes = Configs(old.config, new.config, now)
	}
	if r.Changes == nil {
		r.Changes = []Change{}
	}
	return r, nil
}
