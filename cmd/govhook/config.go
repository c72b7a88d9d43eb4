package main

import (
	"context"

	"github.com/go-logr/logr"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// configOptions validate a config file against the embedded catalog: every policy id it names
// must exist, whatever --only selects.
func configOptions(catalog *policies.Catalog) []config.Option {
	return []config.Option{config.KnownPolicies(catalog.IDs()), config.KnownGroups(catalog.Groups())}
}

// loadConfig loads the config file at path, or the default config when path is empty. An
// invalid file is an input error (exit 2).
func loadConfig(path string, catalog *policies.Catalog) (*config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	cfg, err := config.Load(path, configOptions(catalog)...)
	if err != nil {
		return nil, usageError(err)
	}
	return cfg, nil
}

// loadCatalogAndConfig loads the embedded catalog and the config file at path (the default
// config when path is empty) validated against it.
func loadCatalogAndConfig(path string) (*policies.Catalog, *config.Config, error) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := loadConfig(path, catalog)
	if err != nil {
		return nil, nil, err
	}
	return catalog, cfg, nil
}

// watchConfig puts each new valid version of the config file in force in reviewer until ctx
// ends. A version that is invalid (or unreadable) is logged and counted, and the last good
// config stays.
func watchConfig(ctx context.Context, path string, reviewer *review.Reviewer, prom *metrics.Prometheus, log logr.Logger) error {
	w := &config.Watcher{
		Path:    path,
		Options: configOptions(reviewer.Engine().Catalog()),
		Reloaded: func(cfg *config.Config) {
			reviewer.SetConfig(cfg)
			log.Info("config reloaded", "path", path, "configDigest", cfg.Digest(), "exceptions", len(cfg.Exceptions))
		},
		Rejected: func(err error) {
			prom.ObserveConfigReload(err)
			log.Error(err, "config rejected; the last good config stays in force", "path", path, "configDigest", reviewer.Config().Digest())
		},
	}
	return w.Run(ctx, reviewer.Config())
}
