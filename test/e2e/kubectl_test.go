//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/govhook/govhook/evidence"
)

// shown is what a user sees of one kubectl command.
type shown struct {
	exit   int
	output string // stdout and stderr interleaved, as a terminal shows them
}

// kubectl runs the real kubectl against the local cluster as the e2e user.
func kubectl(t *testing.T, args ...string) shown {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), local.Kubectl, append([]string{"--kubeconfig", local.Kubeconfig}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return shown{exit: exit.ExitCode(), output: out.String()}
	case err != nil:
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return shown{output: out.String()}
}

// setUp applies the given manifests (paths) as the cluster admin; a test cannot run without them.
func setUp(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if o := kubectl(t, "apply", "-f", p); o.exit != 0 {
			t.Fatalf("set up %s: kubectl apply exit %d\n%s", p, o.exit, o.output)
		}
	}
}

// observed is one kubectl command with what it left for the auditor.
type observed struct {
	shown
	// records are the evidence records written while the command ran.
	records []evidence.Record
	// audit are the apiserver audit events of the command that carry govhook's decision id.
	audit []auditEvent
}

// observe runs kubectl and collects the evidence records and audit events it caused. Nothing
// but the suite writes to the cluster, so whatever appeared while it ran is its doing.
func observe(t *testing.T, args ...string) observed {
	t.Helper()
	before := make(map[string]bool)
	for _, r := range readEvidence(t) {
		before[r.ID] = true
	}
	auditFrom := auditLogSize(t)
	o := observed{shown: kubectl(t, args...)}
	for _, r := range readEvidence(t) {
		if !before[r.ID] {
			o.records = append(o.records, r)
		}
	}
	// the apiserver logs the ResponseComplete stage as the response goes out; give it a moment
	deadline := time.Now().Add(5 * time.Second)
	for {
		o.audit = decidedEvents(t, auditFrom)
		if len(o.audit) >= len(o.records) || time.Now().After(deadline) {
			return o
		}
		time.Sleep(50 * time.Millisecond)
	}
}
