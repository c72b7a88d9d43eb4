package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// checkKind refuses a request the webhook configuration would never send (a kind outside
// sentKinds) and one whose object or old object is not of the request's kind: the policies
// select on request.kind, so a privileged Deployment sent as a ConfigMap request would be
// judged as a ConfigMap.
func checkKind(req *admissionv1.AdmissionRequest) error {
	gvk := schema.GroupVersionKind(req.Kind)
	if !sentKinds[gvk] {
		return fmt.Errorf("kind %.128q is not one the webhook configuration sends govhook", gvk.String())
	}
	for _, o := range []struct {
		name string
		raw  []byte
	}{{"object", req.Object.Raw}, {"oldObject", req.OldObject.Raw}} {
		if isNull(o.raw) {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(o.raw, &meta); err != nil {
			if bytes.HasPrefix(bytes.TrimSpace(o.raw), []byte("{")) {
				return fmt.Errorf("request %s: %.256w", o.name, err)
			}
			continue // not a JSON object: input.Build refuses it with its reason
		}
		if meta.APIVersion != gvk.GroupVersion().String() || meta.Kind != gvk.Kind {
			return fmt.Errorf("request %s is apiVersion %.128q kind %.128q, not the request's %s", o.name, meta.APIVersion, meta.Kind, gvk.String())
		}
	}
	return nil
}
