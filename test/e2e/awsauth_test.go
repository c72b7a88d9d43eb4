//go:build e2e

package e2e

import (
	"testing"

	"github.com/govhook/govhook/decision"
)

// TestAWSAuthIsJudged: kube-system is excluded from the governed webhook, but the aws-auth
// ConfigMap reaches govhook through its own webhook entry and a system:masters mapping is
// refused; other kube-system ConfigMaps never reach govhook.
func TestAWSAuthIsJudged(t *testing.T) {
	step{
		args: []string{"apply", "-f", testdata + "aws-auth-masters.yaml"},
		exit: 1,
		says: []string{deniedBy("aws-auth.govhook.io") + "[RBAC-006]"},
		record: record("CREATE", "v1/ConfigMap", "configmaps", "kube-system", "aws-auth",
			decision.OutcomeDeny, "RBAC-006", "RBAC-006"), // system:masters, and no allowlisted account
		absent: []string{"configmap", "-n", "kube-system", "aws-auth"},
	}.run(t)
	step{
		args:   []string{"apply", "-f", testdata + "kube-system-configmap.yaml"},
		exit:   0,
		record: nil,
		exists: []string{"configmap", "-n", "kube-system", "coredns-custom"},
	}.run(t)
}
