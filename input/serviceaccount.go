package input

import (
	"encoding/json"

	"github.com/valyala/fastjson"
	admissionv1 "k8s.io/api/admission/v1"
)

// ServiceAccount is what policies read of the ServiceAccount a pod will run as
// (input.serviceAccount): SA-001 and SA-002 judge the pod's effective token automount and
// the account's API-access justification with it.
type ServiceAccount struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// AutomountServiceAccountToken is the account's setting; nil when unset.
	AutomountServiceAccountToken *bool             `json:"automountServiceAccountToken,omitempty"`
	Annotations                  map[string]string `json:"annotations,omitempty"`
}

// NewServiceAccount is the one place that maps a ServiceAccount to what policies see, whether
// it came from the apiserver's cache, a cluster list or a manifest. The kubectl
// last-applied-configuration annotation is left out: no policy reads it, and it repeats the
// whole object.
func NewServiceAccount(namespace, name string, automount *bool, annotations map[string]string) *ServiceAccount {
	if _, ok := annotations[LastAppliedAnnotation]; ok {
		kept := make(map[string]string, len(annotations)-1)
		for k, v := range annotations {
			if k != LastAppliedAnnotation {
				kept[k] = v
			}
		}
		annotations = kept
	}
	return &ServiceAccount{Name: name, Namespace: namespace, AutomountServiceAccountToken: automount, Annotations: annotations}
}

// LastAppliedAnnotation is kubectl's copy of the whole applied object: large, and no policy
// reads it.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// ServiceAccountOf returns the ServiceAccount of a manifest's JSON, its namespace defaulted to
// namespace when it names none (as kubectl's context namespace would be); nil when raw is not
// a ServiceAccount object with a name.
func ServiceAccountOf(raw []byte, namespace string) *ServiceAccount {
	var sa struct {
		Metadata struct {
			Name        string            `json:"name"`
			Namespace   string            `json:"namespace"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		AutomountServiceAccountToken *bool `json:"automountServiceAccountToken"`
	}
	if err := json.Unmarshal(raw, &sa); err != nil || sa.Metadata.Name == "" {
		return nil
	}
	if sa.Metadata.Namespace != "" {
		namespace = sa.Metadata.Namespace
	}
	return NewServiceAccount(namespace, sa.Metadata.Name, sa.AutomountServiceAccountToken, sa.Metadata.Annotations)
}

// podSpecPaths is where each pod-bearing kind keeps its pod spec, as lib/pods.rego knows it.
var podSpecPaths = map[string][]string{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
	"PodTemplate":           {"template", "spec"},
}

// PodServiceAccountName returns the name of the ServiceAccount the pod of req's object will
// run as, the way the apiserver decides it: serviceAccountName, else the deprecated
// serviceAccount, else "default" (null or "" count as unset). ok is false for a request whose
// object carries no pod spec (another kind, a DELETE, a spec that is not an object).
// lib/serviceaccounts.rego decides the same name and uses input.serviceAccount only when the
// two agree.
func PodServiceAccountName(req *admissionv1.AdmissionRequest) (name string, ok bool) {
	path, ok := podSpecPaths[req.Kind.Kind]
	if !ok || isNull(req.Object.Raw) {
		return "", false
	}
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(req.Object.Raw)
	if err != nil {
		return "", false
	}
	spec := v.Get(path...)
	if spec == nil || spec.Type() != fastjson.TypeObject {
		return "", false
	}
	for _, field := range []string{"serviceAccountName", "serviceAccount"} {
		if f := spec.Get(field); f != nil && f.Type() == fastjson.TypeString {
			if s := string(f.GetStringBytes()); s != "" {
				return s, true
			}
		}
	}
	return "default", true
}
