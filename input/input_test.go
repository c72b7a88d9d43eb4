package input_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/input"
)

// TestBuildMatchesGenericConversion checks the direct JSON-to-AST path against OPA's own
// conversion of the same document built with encoding/json.
func TestBuildMatchesGenericConversion(t *testing.T) {
	dry := true
	req := &admissionv1.AdmissionRequest{
		UID:         "u-1",
		Kind:        metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		Resource:    metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
		SubResource: "scale",
		Namespace:   "shop",
		Name:        "checkout",
		Operation:   admissionv1.Update,
		DryRun:      &dry,
		Object:      runtime.RawExtension{Raw: []byte(deployment)},
		OldObject:   runtime.RawExtension{Raw: []byte(`{"a":[1,2.5,-3e2,"x",true,false,null,{}],"b":{"c":"\u00e9\"q"}}`)},
	}
	req.UserInfo.Username, req.UserInfo.UID, req.UserInfo.Groups = "alice", "42", []string{"dev", "ops"}
	ns := &input.Namespace{Name: "shop", Labels: map[string]string{"owner": "payments"}, Annotations: map[string]string{"security-contact": "a@b.c"}}
	params := map[string]any{"ownerLabel": "team", "awsAccountIds": []any{"123456789012"}}

	off := false
	sa := input.NewServiceAccount("shop", "default", &off, map[string]string{"govhook.io/api-access": "watches pods", input.LastAppliedAnnotation: "{}"})

	// Twice: the first build meets words the shared vocabulary may not know yet, the second
	// takes them from it; both must be the same document.
	got, err := input.Build(req, ns, sa, params)
	if err != nil {
		t.Fatal(err)
	}
	again, err := input.Build(req, ns, sa, params)
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(again) != 0 {
		t.Errorf("a second build differs:\n got %v\nwant %v", again, got)
	}
	decode := func(raw []byte) any {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	want, err := ast.InterfaceToValue(map[string]any{
		"request": map[string]any{
			"uid":         "u-1",
			"kind":        map[string]any{"group": "apps", "version": "v1", "kind": "Deployment"},
			"resource":    map[string]any{"group": "apps", "version": "v1", "resource": "deployments"},
			"subResource": "scale",
			"operation":   "UPDATE",
			"name":        "checkout",
			"namespace":   "shop",
			"dryRun":      true,
			"userInfo":    map[string]any{"username": "alice", "uid": "42", "groups": []any{"dev", "ops"}},
			"object":      decode([]byte(deployment)),
			"oldObject":   decode(req.OldObject.Raw),
			"options":     nil,
		},
		"namespace":      map[string]any{"name": "shop", "labels": map[string]any{"owner": "payments"}, "annotations": map[string]any{"security-contact": "a@b.c"}},
		"serviceAccount": map[string]any{"name": "default", "namespace": "shop", "automountServiceAccountToken": false, "annotations": map[string]any{"govhook.io/api-access": "watches pods"}},
		"params":         params,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Compare(want) != 0 {
		t.Errorf("input differs:\n got %v\nwant %v", got, want)
	}
}

func TestBuildRejectsNonObjects(t *testing.T) {
	for _, raw := range []string{`"text"`, `[1]`, `42`, `{"broken"`} {
		req := &admissionv1.AdmissionRequest{Operation: admissionv1.Create, Object: runtime.RawExtension{Raw: []byte(raw)}}
		if _, err := input.Build(req, nil, nil, nil); err == nil {
			t.Errorf("object %s: want an error", raw)
		}
	}
}

// TestBuildBoundsTheWorkOfOneObject reproduces issue 16 row 1's object: a Deployment with
// 12,500 env entries took seconds of CPU per evaluation. Objects over MaxValues are refused.
func TestBuildBoundsTheWorkOfOneObject(t *testing.T) {
	env := strings.Repeat(`{"name":"A","value":"b"},`, 12500)
	obj := `{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"app","env":[` + strings.TrimSuffix(env, ",") + `]}]}}}}`
	req := &admissionv1.AdmissionRequest{Object: runtime.RawExtension{Raw: []byte(obj)}}
	if _, err := input.Build(req, nil, nil, nil); !errors.Is(err, input.ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
	small := `{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"app","env":[` + strings.TrimSuffix(strings.Repeat(`{"name":"A","value":"b"},`, 1000), ",") + `]}]}}}}`
	req.Object.Raw = []byte(small)
	if _, err := input.Build(req, nil, nil, nil); err != nil {
		t.Errorf("a Deployment with 1,000 env entries: %v", err)
	}
}

// TestBuildLeavesOutManagedFields checks that object and oldObject reach policies without
// their metadata.managedFields, and that nothing else named so is left out.
func TestBuildLeavesOutManagedFields(t *testing.T) {
	tests := []struct {
		name, object, want string
	}{{
		name:   "a Deployment as the kube-apiserver sends it",
		object: fromAPIServer,
		want:   deployment,
	}, {
		name:   "only the object's own metadata",
		object: `{"metadata":{"managedFields":[1],"name":"a"},"spec":{"managedFields":1,"metadata":{"managedFields":2}}}`,
		want:   `{"metadata":{"name":"a"},"spec":{"managedFields":1,"metadata":{"managedFields":2}}}`,
	}, {
		name:   "metadata that is not an object",
		object: `{"metadata":"managedFields"}`,
		want:   `{"metadata":"managedFields"}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &admissionv1.AdmissionRequest{Operation: admissionv1.Update,
				Object: runtime.RawExtension{Raw: []byte(tt.object)}, OldObject: runtime.RawExtension{Raw: []byte(tt.object)}}
			doc, err := input.Build(req, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := ast.MustParseTerm(tt.want)
			for _, key := range []string{"object", "oldObject"} {
				got := doc.(ast.Object).Get(ast.StringTerm("request")).Value.(ast.Object).Get(ast.StringTerm(key))
				if got.Value.Compare(want.Value) != 0 {
					t.Errorf("%s = %v, want %v", key, got, want)
				}
			}
		})
	}
}
