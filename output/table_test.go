package output_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/govhook/govhook/output"
)

func TestTable(t *testing.T) {
	want := `SOURCE              DECISION  OBJECT                        POLICY   ACTION  MESSAGE
deploy/bad.yaml:7   error     -                             -        -       document 2: not valid YAML
deploy/web.yaml:4   deny      Deployment/shop/web           OWN-002  deny    [OWN-002] Deployment "web" must carry label "owner"
deploy/web.yaml:12  deny      Deployment/shop/web           POD-001  deny    [POD-001] container "app" must not set securityContext.privileged=true
deploy/web.yaml:20  warn      Pod/shop/debug                POD-030  warn    [POD-030] container "app" should set securityContext.readOnlyRootFilesystem=true
deploy/web.yaml:30  allow     Service/shop/web              -        -       -
-:1                 error     Pod/shop/broken               -        -       build policy input: bad object
-                   deny      ClusterRoleBinding/anonymous  OWN-002  deny    [OWN-002] ClusterRoleBinding "anonymous" must carry label "owner"

6 objects: 1 allowed, 1 warned, 2 denied, 2 errors
`
	if diff := cmp.Diff(want, string(render(t, "table", output.Options{}))); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// TestTableOfClusterObjects: cluster objects have no source, so the table has no SOURCE
// column, and FindingsOnly leaves allowed objects out (they are counted).
func TestTableOfClusterObjects(t *testing.T) {
	var buf bytes.Buffer
	w, err := output.New("table", &buf, output.Options{FindingsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	results, _ := sample()
	for _, r := range results[2:] {
		r.Source, r.Line = "", 0
		if err := w.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := `DECISION  OBJECT                        POLICY   ACTION  MESSAGE
error     Pod/shop/broken               -        -       build policy input: bad object
deny      ClusterRoleBinding/anonymous  OWN-002  deny    [OWN-002] ClusterRoleBinding "anonymous" must carry label "owner"

3 objects: 1 allowed, 0 warned, 1 denied, 1 errors
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}
