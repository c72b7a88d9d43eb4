package policies_test

import (
	"testing"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// TestDefaultConfigJudgesSystemNamespaces runs a user's Pod in each system namespace the
// webhook registration sends through the default config: NS-001 must refuse it there, not
// an exemption waive it (kube-node-lease was once exempt by default).
func TestDefaultConfigJudgesSystemNamespaces(t *testing.T) {
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	reviewer := review.New(engine, config.Default(), nil)
	for _, ns := range []string{"kube-public", "kube-node-lease"} {
		t.Run(ns, func(t *testing.T) {
			pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: miner, namespace: " + ns + "}\nspec:\n  containers: [{name: app, image: public.ecr.aws/nginx/nginx:1.27}]\n"
			docs, errs := manifests.Parse("pod.yaml", []byte(pod))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			results, err := offline.Run(t.Context(), reviewer, docs, offline.Options{Username: "alice@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, f := range results[0].Decision.Findings {
				found = found || (f.Policy == "NS-001" && f.Action == policies.ActionDeny)
			}
			if !found {
				t.Errorf("want NS-001 to deny a user's Pod in %s under the default config, got %+v", ns, results[0].Decision)
			}
		})
	}
}
