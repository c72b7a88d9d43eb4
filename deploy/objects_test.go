package deploy

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// object is one rendered manifest.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	doc []byte
}

func (o object) id() string {
	return o.APIVersion + " " + o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name
}

// builtinTypes are the Kubernetes API types of the kinds deploy/ ships; every rendered object
// of these kinds must decode strictly into its type (a misplaced or misspelt field fails).
var builtinTypes = map[string]func() any{
	"v1/Namespace":                                    func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":                               func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":                                    func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                                       func() any { return &corev1.Secret{} },
	"v1/Service":                                      func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                              func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":                   func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":              func() any { return &networkingv1.NetworkPolicy{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },
	"apiextensions.k8s.io/v1/CustomResourceDefinition": func() any {
		return &apiextensionsv1.CustomResourceDefinition{}
	},
	"admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": func() any {
		return &admissionregistrationv1.ValidatingWebhookConfiguration{}
	},
	"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": func() any {
		return &admissionregistrationv1.ValidatingAdmissionPolicy{}
	},
	"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": func() any {
		return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	},
}

// customGroups are API groups of custom resources (no Go types here); their objects are
// checked by field where it matters.
var customGroups = []string{"cert-manager.io/", "monitoring.coreos.com/"}

// rendered is every variant of deploy/, built by BuildAll.
type rendered struct {
	variants map[string][]object
}

func renderAll(t *testing.T) rendered {
	t.Helper()
	streams, err := BuildAll(".", filepath.Join(t.TempDir(), "deploy"))
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{variants: map[string][]object{}}
	for v, stream := range streams {
		r.variants[v] = splitObjects(t, stream)
	}
	return r
}

func splitObjects(t *testing.T, stream []byte) []object {
	t.Helper()
	var objs []object
	for doc := range bytes.SplitSeq(stream, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var o object
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatalf("rendered document: %v\n%s", err, doc)
		}
		o.doc = doc
		objs = append(objs, o)
	}
	return objs
}

// find returns the one object of kind and name, strictly decoded into T.
func find[T any](t *testing.T, objs []object, kind, name string) *T {
	t.Helper()
	var found []object
	for _, o := range objs {
		if o.Kind == kind && o.Metadata.Name == name {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s %s, found %d", kind, name, len(found))
	}
	v := new(T)
	if err := yaml.UnmarshalStrict(found[0].doc, v); err != nil {
		t.Fatalf("%s: %v", found[0].id(), err)
	}
	return v
}

func isCustom(apiVersion string) bool {
	for _, g := range customGroups {
		if strings.HasPrefix(apiVersion, g) {
			return true
		}
	}
	return false
}

// checkObjects checks what holds for every object of every rendering: a known type, strictly
// decoded, the owner label, govhook's namespace, no duplicate.
func checkObjects(t *testing.T, objs []object) {
	t.Helper()
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.id()] {
			t.Errorf("%s rendered twice", o.id())
		}
		seen[o.id()] = true
		if newT, ok := builtinTypes[o.APIVersion+"/"+o.Kind]; ok {
			if err := yaml.UnmarshalStrict(o.doc, newT()); err != nil {
				t.Errorf("%s does not decode strictly: %v", o.id(), err)
			}
		} else if !isCustom(o.APIVersion) {
			t.Errorf("%s: no Go type to check it against; add it to builtinTypes", o.id())
		}
		if o.Metadata.Labels["owner"] == "" {
			t.Errorf("%s has no owner label", o.id())
		}
		if o.Kind != "Namespace" && o.Kind != "CustomResourceDefinition" && !strings.HasPrefix(o.Kind, "Cluster") && !strings.HasPrefix(o.Kind, "Validating") && o.Metadata.Namespace != namespace {
			t.Errorf("%s is not in %s", o.id(), namespace)
		}
	}
}
