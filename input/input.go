// Package input builds the document every policy sees (input.request, input.namespace,
// input.serviceAccount, input.params) from an admission request, whether it came from the kube-apiserver or was
// made from a manifest by the CLI.
package input

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	admissionv1 "k8s.io/api/admission/v1"
)

// Namespace is the metadata of the namespace a request lands in.
type Namespace struct {
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Build returns the policy input for req as an OPA value: the request (with object and
// oldObject decoded), the namespace metadata when known, the ServiceAccount the object's pod
// will run as when known (each absent otherwise) and the config parameters. It fails on an
// object that is not a JSON object.
func Build(req *admissionv1.AdmissionRequest, ns *Namespace, sa *ServiceAccount, params map[string]any) (ast.Value, error) {
	request := ast.NewObjectWithCapacity(13)
	put := func(key string, v ast.Value) { request.Insert(ast.InternedTerm(key), ast.NewTerm(v)) }
	put("uid", ast.String(req.UID))
	put("kind", ast.NewObject(
		pair("group", ast.String(req.Kind.Group)), pair("version", ast.String(req.Kind.Version)), pair("kind", ast.String(req.Kind.Kind))))
	put("resource", ast.NewObject(
		pair("group", ast.String(req.Resource.Group)), pair("version", ast.String(req.Resource.Version)), pair("resource", ast.String(req.Resource.Resource))))
	put("operation", ast.String(req.Operation))
	put("name", ast.String(req.Name))
	put("namespace", ast.String(req.Namespace))
	put("userInfo", userInfo(req))
	if req.SubResource != "" {
		put("subResource", ast.String(req.SubResource))
	}
	if req.DryRun != nil {
		put("dryRun", ast.Boolean(*req.DryRun))
	}
	for _, f := range []struct {
		key string
		raw []byte
	}{{"object", req.Object.Raw}, {"oldObject", req.OldObject.Raw}, {"options", req.Options.Raw}} {
		v, err := objectValue(f.raw)
		if err != nil {
			return nil, fmt.Errorf("decode request %s: %w", f.key, err)
		}
		put(f.key, v)
	}

	doc := ast.NewObjectWithCapacity(4)
	doc.Insert(ast.InternedTerm("request"), ast.NewTerm(request))
	p, err := ast.InterfaceToValue(params)
	if err != nil || params == nil {
		p = ast.NewObject()
	}
	if err != nil {
		return nil, fmt.Errorf("config parameters: %w", err)
	}
	doc.Insert(ast.InternedTerm("params"), ast.NewTerm(p))
	if ns != nil {
		doc.Insert(ast.InternedTerm("namespace"), ast.NewTerm(ast.NewObject(
			pair("name", ast.String(ns.Name)), pair("labels", stringMap(ns.Labels)), pair("annotations", stringMap(ns.Annotations)))))
	}
	if sa != nil {
		account := ast.NewObject(
			pair("name", ast.String(sa.Name)), pair("namespace", ast.String(sa.Namespace)), pair("annotations", stringMap(sa.Annotations)))
		if sa.AutomountServiceAccountToken != nil {
			account.Insert(ast.InternedTerm("automountServiceAccountToken"), ast.BooleanTerm(*sa.AutomountServiceAccountToken))
		}
		doc.Insert(ast.InternedTerm("serviceAccount"), ast.NewTerm(account))
	}
	return doc, nil
}

func pair(key string, v ast.Value) [2]*ast.Term {
	return [2]*ast.Term{ast.InternedTerm(key), ast.NewTerm(v)}
}

func userInfo(req *admissionv1.AdmissionRequest) ast.Value {
	groups := make([]*ast.Term, len(req.UserInfo.Groups))
	for i, g := range req.UserInfo.Groups {
		groups[i] = ast.StringTerm(g)
	}
	return ast.NewObject(
		pair("username", ast.String(req.UserInfo.Username)),
		pair("uid", ast.String(req.UserInfo.UID)),
		pair("groups", ast.NewArray(groups...)),
	)
}

func stringMap(m map[string]string) ast.Value {
	obj := ast.NewObjectWithCapacity(len(m))
	for k, v := range m {
		obj.Insert(ast.StringTerm(k), ast.StringTerm(v))
	}
	return obj
}
