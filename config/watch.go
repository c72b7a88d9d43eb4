package config

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"
)

// DefaultWatchInterval is how often a Watcher reads its file.
const DefaultWatchInterval = time.Second

// Watcher reloads a config file whenever its content changes. It reads the file on every
// tick rather than waiting for file events: a ConfigMap volume updates by swapping its ..data
// symlink, which reading through the path always follows and event watches on the file miss.
// The file is small, so a read per second costs nothing worth saving.
type Watcher struct {
	// Path is the config file.
	Path string
	// Options validate each new version, as at start-up (known policy ids, clock).
	Options []Option
	// Interval between reads; zero means DefaultWatchInterval.
	Interval time.Duration
	// Reloaded receives each new valid config; the caller puts it in force.
	Reloaded func(*Config)
	// Rejected receives the error of each new version that cannot be read or is invalid; the
	// config in force stays. A version is reported once, not on every tick.
	Rejected func(error)
}

// Run watches until ctx ends. current is the config in force (loaded from Path); content
// equal to it is not reloaded. Run returns nil when ctx ends.
func (w *Watcher) Run(ctx context.Context, current *Config) error {
	interval := w.Interval
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	seen := current.Digest()
	var lastReadErr string
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		data, err := os.ReadFile(w.Path)
		if err != nil {
			if err.Error() != lastReadErr {
				lastReadErr = err.Error()
				w.reject(fmt.Errorf("reload config: %w", err))
			}
			continue
		}
		lastReadErr = ""
		digest := digestOf(bytes.TrimSpace(data))
		if digest == seen {
			continue
		}
		seen = digest
		cfg, err := Parse(data, w.Options...)
		if err != nil {
			w.reject(fmt.Errorf("reload config %s: %w", w.Path, err))
			continue
		}
		if w.Reloaded != nil {
			w.Reloaded(cfg)
		}
	}
}

func (w *Watcher) reject(err error) {
	if w.Rejected != nil {
		w.Rejected(err)
	}
}
