package main

import (
	"context"
	"fmt"

	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// loadReviewer loads the embedded catalog, selects policies and the config file (the default
// config when path is empty): the same start for serve and test.
func loadReviewer(ctx context.Context, configPath string, only []string) (*review.Reviewer, error) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		return nil, fmt.Errorf("load policy catalog: %w", err)
	}
	selected, err := catalog.Select(only)
	if err != nil {
		return nil, usageError(err)
	}
	engine, err := policies.NewEngine(ctx, catalog, selected)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(configPath, catalog)
	if err != nil {
		return nil, err
	}
	return review.New(engine, cfg, nil), nil
}
