package offline_test

import (
	"testing"

	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
)

// FuzzParse checks manifest parsing never panics on any file content, and that every
// document it returns can be turned into a request.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}]\n",
		`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}`,
		"---\n---\n", "kind: [", "a: &a [*a, *a]\n", "\t\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, _ := manifests.Parse("fuzz.yaml", data)
		for _, d := range docs {
			_ = offline.Request(d, offline.Options{})
		}
	})
}
