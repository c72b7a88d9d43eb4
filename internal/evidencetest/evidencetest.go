// Package evidencetest holds an in-memory evidence.Recorder for tests of the packages that
// record evidence (webhook, scan) without the chain writer.
package evidencetest

import (
	"context"
	"slices"
	"sync"

	"github.com/govhook/govhook/evidence"
)

// Memory keeps records in memory and numbers them from 1; with FailWith set, every Record
// fails with it.
type Memory struct {
	mu       sync.Mutex
	records  []evidence.Record
	FailWith error
}

// Record keeps a copy of r, or fails with FailWith.
func (m *Memory) Record(_ context.Context, r *evidence.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailWith != nil {
		return m.FailWith
	}
	r.Seq = uint64(len(m.records) + 1)
	m.records = append(m.records, *r)
	return nil
}

// Records is a copy of the records kept so far.
func (m *Memory) Records() []evidence.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.records)
}

// SetFailure makes every later Record fail with err (nil: succeed again).
func (m *Memory) SetFailure(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.FailWith = err
}
