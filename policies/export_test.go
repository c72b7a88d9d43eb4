package policies

import "context"

// NewEngineByReference builds an engine that evaluates every policy by reference, without
// aggregates: the plain path the inlined engine is compared with.
func NewEngineByReference(ctx context.Context, catalog *Catalog, selected []Policy) (*Engine, error) {
	return newEngine(ctx, catalog, selected, false)
}
