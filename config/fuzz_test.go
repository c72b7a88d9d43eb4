package config_test

import (
	"testing"

	"github.com/govhook/govhook/config"
)

// FuzzParse checks config parsing never panics, and that a config it accepts has a digest.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: govhook.io/v1alpha1\nkind: Config\nenforcement: {default: deny, policies: {POD-008: warn}}\n",
		"apiVersion: govhook.io/v1alpha1\nkind: Config\nexceptions:\n- {id: EXC-1, policies: [POD-002], match: {namespaces: [m]}, justification: j, ticket: T-1, requestedBy: a, approvedBy: b, expires: \"2027-01-31\"}\n",
		"", "kind: [", "apiVersion: 5\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse(data)
		if err == nil && (cfg == nil || cfg.Digest() == "") {
			t.Fatalf("accepted config without a digest: %+v", cfg)
		}
	})
}
