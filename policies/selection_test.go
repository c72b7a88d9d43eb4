package policies_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/policies"
)

func TestCatalogChoose(t *testing.T) {
	catalog, err := policies.LoadCatalog(policies.Files)
	if err != nil {
		t.Fatal(err)
	}
	ownership, err := catalog.Select([]string{"ownership"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		sel     policies.Selection
		wantN   int
		wantIn  string
		wantOut string
		wantErr error
	}{
		{name: "nothing named selects all", sel: policies.Selection{}, wantN: len(catalog.Policies), wantIn: "POD-001"},
		{name: "skip a group", sel: policies.Selection{Skip: []string{"ownership"}}, wantN: len(catalog.Policies) - len(ownership), wantIn: "POD-001", wantOut: ownership[0].ID},
		{name: "only minus skip", sel: policies.Selection{Only: []string{"POD-001", "OWN-002"}, Skip: []string{"OWN-002"}}, wantN: 1, wantIn: "POD-001", wantOut: "OWN-002"},
		{name: "skip everything", sel: policies.Selection{Only: []string{"POD-001"}, Skip: []string{"POD-001"}}, wantErr: policies.ErrNothingSelected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := catalog.Choose(tc.sel)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			ids := map[string]bool{}
			for _, p := range got {
				ids[p.ID] = true
			}
			if diff := cmp.Diff(tc.wantN, len(got)); diff != "" {
				t.Errorf("number chosen (-want +got):\n%s", diff)
			}
			if !ids[tc.wantIn] || (tc.wantOut != "" && ids[tc.wantOut]) {
				t.Errorf("chosen %v: want %s in, %q out", ids, tc.wantIn, tc.wantOut)
			}
		})
	}
	if _, err := catalog.Choose(policies.Selection{Skip: []string{"no-such-group"}}); err == nil {
		t.Error("skipping an unknown name is not an error")
	}
}
