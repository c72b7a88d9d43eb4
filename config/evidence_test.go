package config_test

import (
	"errors"
	"testing"

	"github.com/govhook/govhook/config"
)

func TestOnEvidenceFailure(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		wantAdmit bool
		wantErr   string
	}{
		{"default refuses", "", false, ""},
		{"deny refuses", "onEvidenceFailure: deny\n", false, ""},
		{"allow admits", "onEvidenceFailure: allow\n", true, ""},
		{"anything else is invalid", "onEvidenceFailure: ignore\n", false, `invalid config: line 3: onEvidenceFailure: "ignore" must be deny or allow`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte("apiVersion: govhook.io/v1alpha1\nkind: Config\n" + tc.line))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.AdmitWithoutEvidence(); got != tc.wantAdmit {
				t.Errorf("AdmitWithoutEvidence = %v, want %v", got, tc.wantAdmit)
			}
		})
	}
	if config.Default().AdmitWithoutEvidence() {
		t.Error("the default config must refuse requests without evidence")
	}
}
