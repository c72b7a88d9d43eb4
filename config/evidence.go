package config

import "fmt"

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

func (c *Config) validateEvidence() []error {
	switch c.OnEvidenceFailure {
	case "", EvidenceFailureDeny, EvidenceFailureAllow:
		return nil
	}
	return []error{c.fieldError(fmt.Sprintf("%q must be deny or allow", c.OnEvidenceFailure), "onEvidenceFailure")}
}
