package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/govhook/govhook/evidence"
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

// checkStrings refuses a request whose envelope holds a string no apiserver sends: names and
// kinds are short, and an identity longer than evidence.MaxString could not be recorded
// whole, so it is refused rather than admitted under a truncated name.
func checkStrings(req *admissionv1.AdmissionRequest) error {
	fields := []struct {
		name, value string
	}{
		{"uid", string(req.UID)},
		{"kind.group", req.Kind.Group}, {"kind.version", req.Kind.Version}, {"kind.kind", req.Kind.Kind},
		{"resource.group", req.Resource.Group}, {"resource.version", req.Resource.Version}, {"resource.resource", req.Resource.Resource},
		{"subResource", req.SubResource}, {"name", req.Name}, {"namespace", req.Namespace},
		{"userInfo.username", req.UserInfo.Username}, {"userInfo.uid", req.UserInfo.UID},
	}
	for _, g := range req.UserInfo.Groups {
		fields = append(fields, struct{ name, value string }{"userInfo.groups[]", g})
	}
	for _, f := range fields {
		if len(f.value) > evidence.MaxString {
			return fmt.Errorf("admission request %s is %d bytes, over the %d-byte limit", f.name, len(f.value), evidence.MaxString)
		}
	}
	return nil
}

// OtherKind is the kind label of a request of a kind the webhook configuration does not send.
const OtherKind = "other"

// kindLabel is the metrics kind of req: its kind when it is one sentKinds lists, else
// OtherKind, so made-up kinds cannot grow the series.
func kindLabel(req *admissionv1.AdmissionRequest) string {
	if sentKinds[schema.GroupVersionKind(req.Kind)] {
		return req.Kind.Kind
	}
	return OtherKind
}
