package config

import (
	"fmt"
	"time"
)

// dateLayout is the date-only form of Exception.Expires.
const dateLayout = "2006-01-02"

// ParseExpiry returns the instant an exception stops applying: for a date (YYYY-MM-DD) the end
// of that day in UTC, i.e. midnight UTC starting the next day; for an RFC 3339 time, that time.
func ParseExpiry(s string) (time.Time, error) { return ParseTime(s, true) }

// ParseTime reads an RFC 3339 time, or a date (YYYY-MM-DD) meaning the start of that day in
// UTC, or with endOfDay its end (midnight UTC starting the next day). It is govhook's one
// reader of dates: exception expiry and report periods read the same way.
func ParseTime(s string, endOfDay bool) (time.Time, error) {
	if d, err := time.Parse(dateLayout, s); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// End is the instant the exception stops applying. An exception whose Expires does not parse
// (possible only in a Config built by hand, not one from Parse) has already ended: fail closed.
func (e *Exception) End() time.Time {
	if !e.end.IsZero() {
		return e.end
	}
	end, err := ParseExpiry(e.Expires)
	if err != nil {
		return time.Time{}
	}
	return end
}

// ActiveAt reports whether the exception applies at now: strictly before its end.
func (e *Exception) ActiveAt(now time.Time) bool { return now.Before(e.End()) }

// ActiveExceptions counts, per policy id named in the register, the exceptions that apply at
// now; a policy whose exceptions have all expired counts zero.
func (c *Config) ActiveExceptions(now time.Time) map[string]int {
	counts := map[string]int{}
	for i := range c.Exceptions {
		e := &c.Exceptions[i]
		active := e.ActiveAt(now)
		for _, id := range e.Policies {
			if active {
				counts[id]++
			} else if _, seen := counts[id]; !seen {
				counts[id] = 0
			}
		}
	}
	return counts
}

// maxExpiry is the latest end an exception may have when loaded at now: the end of the day
// MaxExceptionDays after today, in UTC.
func (c *Config) maxExpiry(now time.Time) time.Time {
	today := now.UTC().Truncate(24 * time.Hour)
	return today.Add(c.MaxExceptionLifetime() + 24*time.Hour)
}
