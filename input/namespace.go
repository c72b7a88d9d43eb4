package input

import (
	"bytes"
	"encoding/json"

	admissionv1 "k8s.io/api/admission/v1"
)

// NewNamespace is the namespace metadata policies and tiering see, made of a namespace's name,
// labels and annotations. It is the one place that maps a namespace's metadata, whether it
// came from the apiserver, a cluster list, a manifest or the Namespace object under review.
func NewNamespace(name string, labels, annotations map[string]string) *Namespace {
	return &Namespace{Name: name, Labels: labels, Annotations: annotations}
}

// IsNamespace reports whether req is about a core/v1 Namespace object itself.
func IsNamespace(req *admissionv1.AdmissionRequest) bool {
	return req.Kind.Group == "" && req.Kind.Kind == "Namespace"
}

// SelfNamespace returns the metadata of the Namespace a Namespace request is about: the
// object's after the request, or the old object's on DELETE. For a Namespace, this is the
// namespace policies and tiering must see (a new namespace is in no cache yet, and an update
// is judged by the labels it will have). It returns nil for other requests and for objects
// that do not decode.
func SelfNamespace(req *admissionv1.AdmissionRequest) *Namespace {
	if !IsNamespace(req) {
		return nil
	}
	raw := bytes.TrimSpace(req.Object.Raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = req.OldObject.Raw
	}
	var obj struct {
		Metadata struct {
			Name        string            `json:"name"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil || obj.Metadata.Name == "" {
		return nil
	}
	return NewNamespace(obj.Metadata.Name, obj.Metadata.Labels, obj.Metadata.Annotations)
}
