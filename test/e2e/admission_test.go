//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
)

const (
	examples = "../../deploy/examples/"
	testdata = "testdata/"
)

// step is one kubectl command: what the user must see, what the auditor must get, and what
// the cluster must hold afterwards.
type step struct {
	name string
	args []string
	// exit and says are kubectl's exit code and lines it must print.
	exit int
	says []string
	// record is the one evidence record the request must leave; nil when govhook must never
	// see the request.
	record *decided
	// exists and absent are objects (kubectl get arguments) that must or must not exist after.
	exists, absent []string
}

func (s step) run(t *testing.T) {
	t.Helper()
	o := observe(t, s.args...)
	for _, line := range s.says {
		if !strings.Contains(o.output, line) {
			t.Errorf("kubectl %s printed:\n%s\nwant it to contain %q", strings.Join(s.args, " "), o.output, line)
		}
	}
	if o.exit != s.exit {
		t.Errorf("kubectl %s exited %d, want %d; it printed:\n%s", strings.Join(s.args, " "), o.exit, s.exit, o.output)
	}
	checkAuditorView(t, o, s.record)
	if s.exists != nil {
		if got := kubectl(t, append([]string{"get"}, s.exists...)...); got.exit != 0 {
			t.Errorf("kubectl get %s: exit %d, want the object to exist:\n%s", strings.Join(s.exists, " "), got.exit, got.output)
		}
	}
	if s.absent != nil {
		if got := kubectl(t, append([]string{"get"}, s.absent...)...); got.exit == 0 || !strings.Contains(got.output, "NotFound") {
			t.Errorf("kubectl get %s: exit %d, want NotFound:\n%s", strings.Join(s.absent, " "), got.exit, got.output)
		}
	}
}

// denied is the prefix kubectl prints before govhook's message for a refused request.
func denied() string { return deniedBy(local.WebhookName) }

// deniedBy is that prefix for a refusal sent through the named webhook.
func deniedBy(webhook string) string {
	return `admission webhook "` + webhook + `" denied the request: `
}

// record builds the expected evidence of a request by the e2e user.
func record(op, kind, resource, ns, name string, outcome decision.Outcome, policies ...string) *decided {
	return &decided{Operation: op, Kind: kind, Resource: resource, Namespace: ns, Name: name, User: user, Decision: outcome, Policies: policies}
}

func dryRun(d *decided) *decided { d.DryRun = true; return d }

func ephemeral(d *decided) *decided { d.SubResource = "ephemeralcontainers"; return d }

// debugImage is an approved, digest-pinned image, so that a debug container in the prod
// namespace demo meets every policy but change control (CHG-002).
const debugImage = "public.ecr.aws/docker/library/busybox:1.36@sha256:e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"

// TestKubectl walks a user through govhook with kubectl, in order: the later steps build on
// the objects of the earlier ones.
func TestKubectl(t *testing.T) {
	const (
		deploy = "apps/v1/Deployment"
		allow  = decision.OutcomeAllow
		deny   = decision.OutcomeDeny
	)
	steps := []step{{
		name:   "namespace with an owner is created",
		args:   []string{"apply", "-f", examples + "namespace.yaml"},
		says:   []string{"namespace/demo created"},
		record: record("CREATE", "v1/Namespace", "namespaces", "demo", "demo", allow),
		exists: []string{"namespace", "demo"},
	}, {
		name:   "compliant deployment is created",
		args:   []string{"apply", "-f", examples + "compliant-deployment.yaml"},
		says:   []string{"deployment.apps/web created"},
		record: record("CREATE", deploy, "deployments", "demo", "web", allow),
		exists: []string{"deployment", "web", "-n", "demo"},
	}, {
		name:   "privileged deployment is refused",
		args:   []string{"apply", "-f", examples + "privileged-deployment.yaml"},
		exit:   1,
		says:   []string{denied() + `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`},
		record: record("CREATE", deploy, "deployments", "demo", "privileged-web", deny, "POD-001", "POD-021"),
		absent: []string{"deployment", "privileged-web", "-n", "demo"},
	}, {
		name:   "server-side dry run of the privileged deployment is refused alike",
		args:   []string{"apply", "--dry-run=server", "-f", examples + "privileged-deployment.yaml"},
		exit:   1,
		says:   []string{denied() + `[POD-001] container "app" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`},
		record: dryRun(record("CREATE", deploy, "deployments", "demo", "privileged-web", deny, "POD-001", "POD-021")),
		absent: []string{"deployment", "privileged-web", "-n", "demo"},
	}, {
		name:   "cronjob with a privileged container is refused",
		args:   []string{"apply", "-f", testdata + "privileged-cronjob.yaml"},
		exit:   1,
		says:   []string{denied() + `[POD-001] container "backup" must not set securityContext.privileged=true (see: govhook policies explain POD-001)`},
		record: record("CREATE", "batch/v1/CronJob", "cronjobs", "demo", "nightly-backup", deny, "POD-001", "POD-021"),
		absent: []string{"cronjob", "nightly-backup", "-n", "demo"},
	}, {
		name:   "cluster role binding to system:anonymous is refused",
		args:   []string{"apply", "-f", examples + "anonymous-binding.yaml"},
		exit:   1,
		says:   []string{denied() + `[RBAC-002] ClusterRoleBinding "anonymous-view" must not bind User "system:anonymous" (subject 0) (see: govhook policies explain RBAC-002)`},
		record: record("CREATE", "rbac.authorization.k8s.io/v1/ClusterRoleBinding", "clusterrolebindings", "", "anonymous-view", deny, "RBAC-002"),
		absent: []string{"clusterrolebinding", "anonymous-view"},
	}, {
		name: "deployment without an owner label is refused",
		args: []string{"apply", "-f", examples + "unowned-deployment.yaml"},
		exit: 1,
		says: []string{
			denied() + `[OWN-002] Deployment "orphan" must carry label "owner" naming its owning team (namespace "demo" allows "payments") (see: govhook policies explain OWN-002)`,
			`[OWN-002] Deployment "orphan" pod template must carry label "owner" naming its owning team (namespace "demo" allows "payments") (see: govhook policies explain OWN-002)`,
		},
		record: record("CREATE", deploy, "deployments", "demo", "orphan", deny, "OWN-002", "OWN-002"),
		absent: []string{"deployment", "orphan", "-n", "demo"},
	}, {
		name:   "pod to debug is created",
		args:   []string{"apply", "-f", testdata + "debug-target.yaml"},
		says:   []string{"pod/target created"},
		record: record("CREATE", "v1/Pod", "pods", "demo", "target", allow),
		exists: []string{"pod", "target", "-n", "demo"},
	}, {
		// demo enforces Pod Security baseline (NS-002), so the apiserver's own Pod Security
		// Admission refuses a privileged debug container before any webhook is called.
		name: "kubectl debug with a privileged ephemeral container is refused by Pod Security Admission",
		args: []string{"debug", "-n", "demo", "target", "--image=busybox:1.36", "--profile=sysadmin", "--container=debugger"},
		exit: 1,
		says: []string{`violates PodSecurity "baseline:latest": privileged (container "debugger" must not set securityContext.privileged=true)`},
	}, {
		name:   "kubectl debug in a prod namespace is refused as interactive access",
		args:   []string{"debug", "-n", "demo", "target", "--image=" + debugImage, "--profile=restricted", "--container=shell"},
		exit:   1,
		says:   []string{denied() + `[CHG-002] adding ephemeral container "shell" to pod "target" is interactive access outside change control; in prod namespaces it needs an approved, time-bound exception (see: govhook policies explain CHG-002)`},
		record: ephemeral(record("UPDATE", "v1/Pod", "pods", "demo", "target", deny, "CHG-002")),
	}, {
		name:   "kube-system is excluded: govhook never sees its requests",
		args:   []string{"apply", "-f", testdata + "kube-system-unowned.yaml"},
		says:   []string{"deployment.apps/system-agent created"},
		exists: []string{"deployment", "system-agent", "-n", "kube-system"},
	}}
	for _, s := range steps {
		t.Run(s.name, s.run)
	}
	t.Run("metrics agree with the evidence", checkMetrics)
	t.Run("webhook down: governed namespaces refuse, kube-system stays writable", func(t *testing.T) {
		if err := local.StopGovhook(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { // t.Context() is already cancelled here
			if local.Govhook() == nil {
				if err := local.StartGovhook(context.Background(), "e2e-2"); err != nil {
					t.Errorf("restart govhook: %v", err)
				}
			}
		})
		for _, s := range []step{{
			name:   "apply in a governed namespace is refused (failurePolicy Fail)",
			args:   []string{"apply", "-f", testdata + "outage-deployment.yaml"},
			exit:   1,
			says:   []string{`failed calling webhook "` + local.WebhookName + `"`},
			absent: []string{"deployment", "api", "-n", "demo"},
		}, {
			name:   "kube-system is still writable",
			args:   []string{"create", "configmap", "outage-note", "-n", "kube-system", "--from-literal=govhook=down"},
			says:   []string{"configmap/outage-note created"},
			exists: []string{"configmap", "outage-note", "-n", "kube-system"},
		}} {
			t.Run(s.name, s.run)
		}
		if err := local.StartGovhook(t.Context(), "e2e-2"); err != nil {
			t.Fatalf("restart govhook: %v", err)
		}
		t.Run("after restart the same apply is admitted", step{
			args:   []string{"apply", "-f", testdata + "outage-deployment.yaml"},
			says:   []string{"deployment.apps/api created"},
			record: record("CREATE", deploy, "deployments", "demo", "api", allow),
			exists: []string{"deployment", "api", "-n", "demo"},
		}.run)
		t.Run("metrics of the restarted govhook agree with its evidence", checkMetrics)
	})
	t.Run("the evidence verifies and the report lists every refused request", checkEvidenceTools)
}

// checkMetrics compares the running govhook's counters with the evidence records of its
// replica (each process writes its own chain, so both start from zero together).
func checkMetrics(t *testing.T) {
	g := local.Govhook()
	if g == nil {
		t.Fatal("govhook is not running")
	}
	var records []evidence.Record
	for _, r := range readEvidence(t) {
		if r.Replica == g.Replica {
			records = append(records, r)
		}
	}
	if len(records) == 0 {
		t.Fatalf("replica %s has no evidence records", g.Replica)
	}
	if diff := cmp.Diff(countersFromEvidence(records), scrape(t, g.MetricsURL)); diff != "" {
		t.Errorf("govhook counters against replica %s's %d evidence records (-want +got):\n%s", g.Replica, len(records), diff)
	}
}
