package main

import (
	"errors"
	"slices"

	"github.com/govhook/govhook/policies"
)

// selectPolicies resolves --only and --skip (policy ids or groups) into the ids to evaluate;
// nil means the whole catalog. A name that selects nothing is a usage error.
func selectPolicies(only, skip []string) ([]string, error) {
	if len(skip) == 0 {
		return only, nil
	}
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		return nil, err
	}
	chosen, err := catalog.Select(only)
	if err != nil {
		return nil, usageError(err)
	}
	skipped, err := catalog.Select(skip)
	if err != nil {
		return nil, usageError(err)
	}
	var ids []string
	for _, p := range chosen {
		if !slices.ContainsFunc(skipped, func(s policies.Policy) bool { return s.ID == p.ID }) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil, usageError(errors.New("--skip leaves no policy to evaluate"))
	}
	return ids, nil
}
