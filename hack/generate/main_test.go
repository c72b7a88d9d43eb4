package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/policies"
)

// TestGeneratedFilesAreCurrent fails when a generated file differs from what the policies'
// METADATA gives; `make generate` rewrites them.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..")
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale; run make generate (-want +got):\n%s", name, diff)
		}
	}
}

// TestEveryKindIsRegistered: a policy for a kind no built-in API serves stops generation
// rather than being left out of the webhook and the scan, and a new kind is registered.
func TestEveryKindIsRegistered(t *testing.T) {
	tests := []struct {
		name    string
		kinds   []string
		want    []string // resources of validate.govhook.io's CREATE/UPDATE rules
		wantErr string
	}{
		{name: "a new built-in kind is registered", kinds: []string{"PodDisruptionBudget", "Pod"}, want: []string{"pods", "pods/ephemeralcontainers", "poddisruptionbudgets"}},
		{name: "a kind no API serves fails", kinds: []string{"Widget"}, wantErr: `kind "Widget" in METADATA`},
		{name: "every kind fails", kinds: []string{policies.AnyKind}, wantErr: "judges every kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, _, err := kindsOf([]policies.Policy{{ID: "NEW-001", Kinds: tc.kinds}})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rules([]string{"CREATE", "UPDATE"}, rs, map[string][]string{"": podUpdateSubresources}) {
				got = append(got, r.Resources...)
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}
