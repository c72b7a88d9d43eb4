package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RegisterEntry is one exception as the register lists it.
type RegisterEntry struct {
	Exception
	// End is the instant the exception stops applying (RFC 3339, UTC).
	End    time.Time `json:"end"`
	Active bool      `json:"active"`
	// Status says how long is left, or that it expired.
	Status string `json:"status"`
}

// Register lists the config's exceptions as at now, soonest end first. With expiring, only
// those ending within that window (or already ended); nil lists them all.
func (c *Config) Register(now time.Time, expiring *time.Duration) []RegisterEntry {
	entries := []RegisterEntry{}
	for _, e := range c.Exceptions {
		end := e.End()
		if expiring != nil && end.Sub(now) > *expiring {
			continue
		}
		entries = append(entries, RegisterEntry{Exception: e, End: end, Active: e.ActiveAt(now), Status: status(end.Sub(now))})
	}
	slices.SortStableFunc(entries, func(a, b RegisterEntry) int { return a.End.Compare(b.End) })
	return entries
}

func status(left time.Duration) string {
	if left <= 0 {
		return "expired " + span(-left) + " ago"
	}
	return "active, " + span(left) + " left"
}

// span renders a duration in whole days, or hours under two days.
func span(d time.Duration) string {
	if d >= 48*time.Hour {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return strconv.Itoa(int(d/time.Hour)) + "h"
}

// ParseWindow reads a window of time as whole days ("14d") or a Go duration ("36h").
func ParseWindow(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days like 14d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is neither days (14d) nor a duration (36h)", s)
	}
	return d, nil
}
