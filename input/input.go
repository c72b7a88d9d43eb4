// Package input builds the document every policy sees (input.request, input.namespace,
// input.params) from an admission request, whether it came from the kube-apiserver or was
// made from a manifest by the CLI.
package input

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
	admissionv1 "k8s.io/api/admission/v1"
)

// Namespace is the metadata of the namespace a request lands in.
type Namespace struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Build returns the policy input for req as an OPA value: the request (with object and
// oldObject decoded), the namespace metadata when known (nil otherwise) and the config
// parameters. It fails on an object that is not valid JSON.
func Build(req *admissionv1.AdmissionRequest, ns *Namespace, params map[string]any) (ast.Value, error) {
	request := map[string]any{
		"uid":       string(req.UID),
		"kind":      gvk(req.Kind.Group, req.Kind.Version, req.Kind.Kind),
		"resource":  map[string]any{"group": req.Resource.Group, "version": req.Resource.Version, "resource": req.Resource.Resource},
		"operation": string(req.Operation),
		"name":      req.Name,
		"namespace": req.Namespace,
		"userInfo":  userInfo(req),
	}
	if req.SubResource != "" {
		request["subResource"] = req.SubResource
	}
	if req.DryRun != nil {
		request["dryRun"] = *req.DryRun
	}
	for key, raw := range map[string][]byte{"object": req.Object.Raw, "oldObject": req.OldObject.Raw, "options": req.Options.Raw} {
		v, err := decodeRaw(raw)
		if err != nil {
			return nil, fmt.Errorf("decode request %s: %w", key, err)
		}
		request[key] = v
	}
	doc := map[string]any{"request": request, "params": params}
	if params == nil {
		doc["params"] = map[string]any{}
	}
	if ns != nil {
		doc["namespace"] = map[string]any{"name": ns.Name, "labels": stringMap(ns.Labels), "annotations": stringMap(ns.Annotations)}
	}
	return ast.InterfaceToValue(doc)
}

func gvk(group, version, kind string) map[string]any {
	return map[string]any{"group": group, "version": version, "kind": kind}
}

func userInfo(req *admissionv1.AdmissionRequest) map[string]any {
	groups := make([]any, len(req.UserInfo.Groups))
	for i, g := range req.UserInfo.Groups {
		groups[i] = g
	}
	return map[string]any{"username": req.UserInfo.Username, "uid": req.UserInfo.UID, "groups": groups}
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// decodeRaw decodes an embedded object; absent or "null" yields nil.
func decodeRaw(raw []byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var v any
	if err := util.UnmarshalJSON(raw, &v); err != nil {
		return nil, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("want a JSON object, got %s", jsonKind(v))
	}
	return v, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return fmt.Sprintf("%T", v)
	}
}
