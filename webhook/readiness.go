package webhook

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/govhook/govhook/evidence"
)

// Readiness answers /readyz from named checks: 200 "ok" when every check passes, else 503
// with one line per check, saying why a failing one fails. The reasons are the process's own
// states (a write error of the evidence writer, an unsynced cache), never request data, so
// the operator who curls /readyz sees why the replica takes no traffic.
type Readiness map[string]func(*http.Request) error

// ServeHTTP implements http.Handler.
func (rd Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	var body []byte
	failed := false
	for _, name := range slices.Sorted(maps.Keys(rd)) {
		if err := rd[name](r); err != nil {
			failed = true
			body = fmt.Appendf(body, "[-]%s failed: %s\n", name, evidence.Bound(err.Error()))
			continue
		}
		body = fmt.Appendf(body, "[+]%s ok\n", name)
	}
	if failed {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(append(body, "not ready\n"...))
		return
	}
	if _, verbose := r.URL.Query()["verbose"]; verbose {
		_, _ = w.Write(append(body, "ready\n"...))
		return
	}
	_, _ = w.Write([]byte("ok"))
}
