//go:build e2e

package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/govhook/govhook/decision"
)

// TestEphemeralContainerIsJudged: `kubectl debug` reaches govhook as an UPDATE of
// pods/ephemeralcontainers and the debug container is judged like any other. In a dev
// namespace interactive access only warns (CHG-002), but an image from an unapproved registry
// is refused (IMG-001), and the one evidence record names the subresource.
func TestEphemeralContainerIsJudged(t *testing.T) {
	setUp(t, testdata+"playground-namespace.yaml", testdata+"sandbox-pod.yaml")
	o := observe(t, "debug", "-n", "playground", "sandbox", "--image=busybox:1.36", "--profile=baseline", "--container=dbg")
	for _, want := range []string{
		"Warning: [CHG-002]",
		denied() + `[IMG-001] ephemeral container "dbg" image "busybox:1.36"`,
	} {
		if !strings.Contains(o.output, want) {
			t.Errorf("kubectl debug printed:\n%s\nwant it to contain %q", o.output, want)
		}
	}
	if o.exit == 0 {
		t.Errorf("kubectl debug exited 0, want a refusal")
	}
	if len(o.records) != 1 {
		t.Fatalf("want one evidence record, got %d: %+v", len(o.records), o.records)
	}
	r := o.records[0]
	var policies []string
	for _, v := range r.Violations {
		policies = append(policies, v.Policy)
	}
	if r.Operation != "UPDATE" || r.SubResource != "ephemeralcontainers" || r.Decision != decision.OutcomeDeny ||
		!slices.Contains(policies, "IMG-001") || !slices.Contains(policies, "CHG-002") {
		t.Errorf("evidence record %s %s/%s decision %s policies %v; want a denied UPDATE of ephemeralcontainers naming IMG-001 and CHG-002",
			r.Operation, r.Resource, r.SubResource, r.Decision, policies)
	}
	if got := kubectl(t, "get", "pod", "sandbox", "-n", "playground", "-o", "jsonpath={.spec.ephemeralContainers}"); got.output != "" {
		t.Errorf("the refused debug container was added: %s", got.output)
	}
}
