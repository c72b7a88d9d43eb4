//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/govhook/govhook/deploy"
)

// notRegistration selects every object of a variant but the webhook configuration, as the
// README's first install step does.
const notRegistration = "app.kubernetes.io/component!=admission-registration"

// applied matches kubectl apply's line for one accepted object.
var applied = regexp.MustCompile(`(?m)^[a-z0-9.-]+/[a-z0-9.-]+ (created|configured|unchanged)( \(server dry run\))?$`)

// crdStubs stand in for the CRDs of cert-manager and the Prometheus Operator, which the
// cert-manager overlay and deploy/monitoring need: open schemas, so the apiserver checks the
// objects' metadata and admission but not their specs.
var crdStubs = []struct{ group, kind, plural string }{
	{"cert-manager.io", "Issuer", "issuers"},
	{"cert-manager.io", "Certificate", "certificates"},
	{"monitoring.coreos.com", "PrometheusRule", "prometheusrules"},
	{"monitoring.coreos.com", "ServiceMonitor", "servicemonitors"},
}

const crdStub = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %[3]s.%[1]s
spec:
  group: %[1]s
  names: {kind: %[2]s, plural: %[3]s}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

// TestDeployManifests applies every kustomize variant of deploy/ to the real apiserver, first
// as a server-side dry run and then for real: every object must be accepted (by validation,
// Pod Security admission and govhook itself, which judges the cluster-scoped objects). The
// webhook configuration is only dry-run, as a replacement of the suite's registration of the
// same file: applying it for real would point the apiserver at a Service without endpoints.
// No pods run (no controller manager), so the Deployment is accepted but never rolls out.
func TestDeployManifests(t *testing.T) {
	streams, err := deploy.BuildAll("../../deploy", filepath.Join(t.TempDir(), "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, docs [][]byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, bytes.Join(docs, []byte("\n---\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	mustRun := func(t *testing.T, args ...string) string {
		t.Helper()
		got := kubectl(t, args...)
		if got.exit != 0 {
			t.Fatalf("kubectl %s: exit %d:\n%s", strings.Join(args, " "), got.exit, got.output)
		}
		if strings.Contains(got.output, "PodSecurity") {
			t.Errorf("kubectl %s: Pod Security warns:\n%s", strings.Join(args, " "), got.output)
		}
		return got.output
	}

	var stubs [][]byte
	for _, c := range crdStubs {
		stubs = append(stubs, fmt.Appendf(nil, crdStub, c.group, c.kind, c.plural))
	}
	mustRun(t, "apply", "-f", write("crd-stubs.yaml", stubs))
	mustRun(t, "wait", "--for=condition=Established", "--timeout=30s", "-f", filepath.Join(dir, "crd-stubs.yaml"))
	// A dry run cannot create the namespace the other objects of the dry run live in.
	namespaces, _, _ := splitRegistration(t, streams["base"])
	mustRun(t, "apply", "-f", write("namespace.yaml", namespaces))

	for _, variant := range slices.Sorted(maps.Keys(streams)) {
		t.Run(variant, func(t *testing.T) {
			name := strings.ReplaceAll(variant, "/", "-")
			_, registration, objects := splitRegistration(t, streams[variant])
			all := write(name+".yaml", [][]byte{streams[variant]})

			out := mustRun(t, "apply", "--dry-run=server", "-f", all, "-l", notRegistration)
			if got := len(applied.FindAllString(out, -1)); got != objects {
				t.Errorf("the dry run accepted %d objects, want %d:\n%s", got, objects, out)
			}
			if registration != nil {
				mustRun(t, "replace", "--dry-run=server", "-f", write(name+"-registration.yaml", registration))
			}
			out = mustRun(t, "apply", "-f", all, "-l", notRegistration)
			if got := len(applied.FindAllString(out, -1)); got != objects {
				t.Errorf("the apply accepted %d objects, want %d:\n%s", got, objects, out)
			}
			mustRun(t, "get", "-f", all, "-l", notRegistration)
		})
	}
}

// splitRegistration splits a rendered stream into its Namespace documents, its webhook
// configuration documents, and the count of documents other than the webhook configuration.
func splitRegistration(t *testing.T, stream []byte) (namespaces, registration [][]byte, others int) {
	t.Helper()
	for doc := range bytes.SplitSeq(stream, []byte("\n---\n")) {
		var head struct{ Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		switch head.Kind {
		case "ValidatingWebhookConfiguration":
			registration = append(registration, doc)
			continue
		case "Namespace":
			namespaces = append(namespaces, doc)
		}
		others++
	}
	return namespaces, registration, others
}
