package input_test

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/input"
)

// FuzzBuild checks Build never panics on any object and old object, and that it either
// fails or yields a document with the request in it.
func FuzzBuild(f *testing.F) {
	for _, seed := range []string{`{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"a","image":"x"}]}}`, `null`, `{}`, `[]`, `"s"`, `{"a":[1,2.5e300,-0,true,null,{"b":"\u0065"}]}`} {
		f.Add([]byte(seed), []byte(`null`))
	}
	f.Fuzz(func(t *testing.T, object, oldObject []byte) {
		req := &admissionv1.AdmissionRequest{UID: "u", Operation: admissionv1.Update,
			Object: runtime.RawExtension{Raw: object}, OldObject: runtime.RawExtension{Raw: oldObject}}
		doc, err := input.Build(req, &input.Namespace{Name: "n"}, nil, map[string]any{"k": "v"})
		if err == nil && doc == nil {
			t.Fatal("no error and no document")
		}
	})
}
