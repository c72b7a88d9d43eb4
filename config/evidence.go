package config

import (
	"fmt"
	"net/url"
	"time"
)

// Values of onEvidenceFailure.
const (
	// EvidenceFailureDeny refuses a request whose evidence record cannot be made durable.
	EvidenceFailureDeny = "deny"
	// EvidenceFailureAllow answers such a request by its decision anyway; the failure is
	// still counted and logged, and the writer's next recovery record counts the lost record.
	EvidenceFailureAllow = "allow"
)

// AdmitWithoutEvidence reports whether a request is answered by its decision when its
// evidence record cannot be made durable (onEvidenceFailure: allow). By default it is refused.
func (c *Config) AdmitWithoutEvidence() bool { return c.OnEvidenceFailure == EvidenceFailureAllow }

// Evidence configures the evidence segments and their archive.
type Evidence struct {
	// Archive, when set, moves every sealed segment to S3 with Object Lock.
	Archive *EvidenceArchive `yaml:"archive,omitempty" json:"archive,omitempty"`
	// SegmentAge seals a segment once its first record is this old (a Go duration, default
	// DefaultSegmentAge): what an emptyDir can lose on a hard crash.
	SegmentAge string `yaml:"segmentAge,omitempty" json:"segmentAge,omitempty"`
}

// DefaultSegmentAge is the segment age when the config does not set evidence.segmentAge.
const DefaultSegmentAge = time.Minute

// EvidenceArchive is evidence.archive: where sealed segments go and how they are locked.
// Credentials come from the AWS SDK's default chain (IRSA, EKS Pod Identity, environment).
type EvidenceArchive struct {
	// URL is s3://BUCKET/PREFIX; objects are PREFIX/<replica>/<segment>.jsonl.
	URL string `yaml:"url" json:"url"`
	// Endpoint is the URL of an S3-compatible store; empty means AWS.
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Region of the bucket; empty means the SDK's default chain.
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// RetentionDays locks each object this many days (default 400); 0 relies on the bucket's
	// default retention.
	RetentionDays *int `yaml:"retentionDays,omitempty" json:"retentionDays,omitempty"`
	// LockMode is COMPLIANCE (default) or GOVERNANCE.
	LockMode string `yaml:"lockMode,omitempty" json:"lockMode,omitempty"`
	// MaxLocalBytes bounds the local evidence directory of a replica; once reached (the store
	// unreachable), requests get the onEvidenceFailure answer. 0: unbounded.
	MaxLocalBytes int64 `yaml:"maxLocalBytes,omitempty" json:"maxLocalBytes,omitempty"`
}

// SegmentAgeOrDefault is evidence.segmentAge, or DefaultSegmentAge.
func (e Evidence) SegmentAgeOrDefault() time.Duration {
	d, err := time.ParseDuration(e.SegmentAge)
	if err != nil || d <= 0 {
		return DefaultSegmentAge
	}
	return d
}

func (c *Config) validateEvidence() []error {
	var errs []error
	switch c.OnEvidenceFailure {
	case "", EvidenceFailureDeny, EvidenceFailureAllow:
	default:
		errs = append(errs, c.fieldError(fmt.Sprintf("%q must be deny or allow", c.OnEvidenceFailure), "onEvidenceFailure"))
	}
	if s := c.Evidence.SegmentAge; s != "" {
		if d, err := time.ParseDuration(s); err != nil || d <= 0 {
			errs = append(errs, c.fieldError(fmt.Sprintf("%q must be a positive duration such as 1m", s), "evidence", "segmentAge"))
		}
	}
	a := c.Evidence.Archive
	if a == nil {
		return errs
	}
	if u, err := url.Parse(a.URL); err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.User != nil {
		errs = append(errs, c.fieldError(fmt.Sprintf("%q must be s3://BUCKET/PREFIX", a.URL), "evidence", "archive", "url"))
	}
	if a.Endpoint != "" {
		if u, err := url.Parse(a.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, c.fieldError(fmt.Sprintf("%q must be an http(s) URL", a.Endpoint), "evidence", "archive", "endpoint"))
		}
	}
	if a.RetentionDays != nil && *a.RetentionDays < 0 {
		errs = append(errs, c.fieldError("must be 0 (the bucket's default retention) or a positive number of days", "evidence", "archive", "retentionDays"))
	}
	switch a.LockMode {
	case "", "COMPLIANCE", "GOVERNANCE":
	default:
		errs = append(errs, c.fieldError(fmt.Sprintf("%q must be COMPLIANCE or GOVERNANCE", a.LockMode), "evidence", "archive", "lockMode"))
	}
	if a.MaxLocalBytes < 0 {
		errs = append(errs, c.fieldError("must not be negative", "evidence", "archive", "maxLocalBytes"))
	}
	return errs
}
