package main

import (
	"context"

	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// loadReviewer builds the embedded engine over the selected policies and loads the config
// file (the default config when path is empty): the same start for serve, test and audit.
func loadReviewer(ctx context.Context, configPath string, sel policies.Selection) (*review.Reviewer, error) {
	engine, err := policies.EmbeddedSelection(ctx, sel)
	if err != nil {
		return nil, usageError(err)
	}
	cfg, err := loadConfig(configPath, engine.Catalog())
	if err != nil {
		return nil, err
	}
	return review.New(engine, cfg, nil), nil
}
