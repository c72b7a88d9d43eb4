package offline

import (
	"github.com/govhook/govhook/decision"
)

// Result is the decision on one object: what test and audit report.
type Result struct {
	// Source is the manifest file the object came from ("-" for stdin); empty for an object
	// read from a cluster.
	Source string `json:"source,omitempty"`
	// Line is the 1-based line where the object starts in Source (0 when unknown).
	Line       int    `json:"line,omitempty"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	// Decision is the verdict; its findings are in policy id order.
	Decision decision.Decision `json:"-"`
	// FieldLines holds, for each finding, the line of its field in Source (0 when unknown).
	FieldLines []int `json:"-"`
	// Error says why the object could not be evaluated; Decision.Outcome is then error.
	Error string `json:"error,omitempty"`
}

// Object names the object as Kind/namespace/name (Kind/name when cluster-scoped).
func (r Result) Object() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// FieldLine is the line of finding i's field, else the object's line.
func (r Result) FieldLine(i int) int {
	if i < len(r.FieldLines) && r.FieldLines[i] > 0 {
		return r.FieldLines[i]
	}
	return r.Line
}
