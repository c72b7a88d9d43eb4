package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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

func TestEvidenceArchive(t *testing.T) {
	const head = "apiVersion: govhook.io/v1alpha1\nkind: Config\n"
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"full archive", "evidence:\n  segmentAge: 30s\n  archive: {url: s3://b/p, endpoint: http://127.0.0.1:7070, region: eu-west-1, retentionDays: 400, lockMode: GOVERNANCE, maxLocalBytes: 1073741824}\n", ""},
		{"bucket default retention", "evidence: {archive: {url: s3://b, retentionDays: 0}}\n", ""},
		{"not s3", "evidence: {archive: {url: https://b/p}}\n", `invalid config: line 3: evidence.archive.url: "https://b/p" must be s3://BUCKET/PREFIX`},
		{"bad lock mode", "evidence: {archive: {url: s3://b/p, lockMode: compliance}}\n", `invalid config: line 3: evidence.archive.lockMode: "compliance" must be COMPLIANCE or GOVERNANCE`},
		{"negative retention", "evidence: {archive: {url: s3://b/p, retentionDays: -1}}\n", `invalid config: line 3: evidence.archive.retentionDays: must be 0 (the bucket's default retention) or a positive number of days`},
		{"bad age", "evidence: {segmentAge: soon}\n", `invalid config: line 3: evidence.segmentAge: "soon" must be a positive duration such as 1m`},
		{"unknown key", "evidence: {archive: {url: s3://b/p, bucket: x}}\n", "bucket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(head + tc.doc))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
		})
	}
	cfg, err := config.Parse([]byte(head + "evidence: {archive: {url: s3://b/p}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Evidence.SegmentAgeOrDefault(); got != time.Minute {
		t.Errorf("default segment age = %v, want 1m", got)
	}
}
