package input

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/valyala/fastjson"
)

// parsers are reused across requests: a fastjson.Parser keeps its buffers.
var parsers fastjson.ParserPool

// objectValue parses a JSON object straight into an OPA value, without the map[string]any
// that encoding/json followed by ast.InterfaceToValue would build: half the allocations on
// the webhook's hot path. Absent or "null" yields ast.Null.
func objectValue(raw []byte) (ast.Value, error) {
	if isNull(raw) {
		return ast.Null{}, nil
	}
	p := parsers.Get()
	defer parsers.Put(p)
	v, err := p.ParseBytes(raw)
	if err != nil {
		return nil, err
	}
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("want a JSON object, got %s", jsonKinds[v.Type()])
	}
	if budget := MaxValues; !withinBudget(v, &budget) {
		return nil, fmt.Errorf("%w: more than %d JSON values", ErrTooLarge, MaxValues)
	}
	var t terms
	return t.object(v, 0), nil
}

// OmittedMetadata are the metadata fields of object and oldObject that the input leaves out:
// no policy reads them (a policies test holds every policy to that), and they are the bulk
// of what the kube-apiserver sends (managedFields lists every field of the object once more,
// for each manager). They are still parsed and counted against MaxValues.
var OmittedMetadata = []string{"managedFields"}

// object converts a parsed JSON object at depth (0 for the request's object), leaving out
// OmittedMetadata from its metadata.
func (ts *terms) object(v *fastjson.Value, depth int) ast.Value {
	o, _ := v.Object()
	obj := ast.NewObjectWithCapacity(o.Len())
	o.Visit(func(key []byte, child *fastjson.Value) {
		var value ast.Value
		switch {
		case depth == 0 && string(key) == "metadata" && child.Type() == fastjson.TypeObject:
			value = ts.object(child, 1)
		case depth == 1 && omitted(key):
			return
		default:
			value = ts.value(child)
		}
		obj.Insert(ast.InternedTerm(string(key)), ts.term(value))
	})
	return obj
}

func omitted(key []byte) bool {
	for _, f := range OmittedMetadata {
		if string(key) == f {
			return true
		}
	}
	return false
}

// MaxValues bounds the JSON values (objects, arrays, strings, numbers...) of one object that
// policies are evaluated on: evaluation time grows with them (a Deployment with 12,500 env
// entries, under the apiserver's 3 MiB limit, takes seconds of CPU and tens of MiB), so one
// object could otherwise hold a core past the webhook's timeout. Real workloads stay far
// below it; a larger object is refused, never admitted unevaluated.
const MaxValues = 20000

// ErrTooLarge marks an object with more than MaxValues values.
var ErrTooLarge = errors.New("object too large to evaluate")

// withinBudget counts v's values against budget, stopping as soon as it runs out.
func withinBudget(v *fastjson.Value, budget *int) bool {
	*budget--
	if *budget < 0 {
		return false
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		ok := true
		o.Visit(func(_ []byte, child *fastjson.Value) {
			if ok {
				ok = withinBudget(child, budget)
			}
		})
		return ok
	case fastjson.TypeArray:
		items, _ := v.Array()
		for _, item := range items {
			if !withinBudget(item, budget) {
				return false
			}
		}
	}
	return true
}

var jsonKinds = map[fastjson.Type]string{
	fastjson.TypeArray: "an array", fastjson.TypeString: "a string", fastjson.TypeNumber: "a number",
	fastjson.TypeTrue: "a boolean", fastjson.TypeFalse: "a boolean", fastjson.TypeNull: "null",
}

// terms hands out the terms of one parsed object from chunks: one allocation per termChunk
// terms instead of one per term (a Deployment has hundreds). The chunks live as long as any
// term of the value, which is the request's lifetime.
type terms []ast.Term

const termChunk = 64

func (ts *terms) term(v ast.Value) *ast.Term {
	if len(*ts) == 0 {
		*ts = make([]ast.Term, termChunk)
	}
	t := &(*ts)[0]
	*ts = (*ts)[1:]
	t.Value = v
	return t
}

// value converts a parsed JSON value; it copies every string, so the parser may be reused.
func (ts *terms) value(v *fastjson.Value) ast.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		return ts.object(v, 2)
	case fastjson.TypeArray:
		items, _ := v.Array()
		arr := make([]*ast.Term, len(items))
		for i, item := range items {
			arr[i] = ts.term(ts.value(item))
		}
		return ast.NewArray(arr...)
	case fastjson.TypeString:
		s, _ := v.StringBytes()
		return ast.String(s)
	case fastjson.TypeNumber:
		return ast.Number(json.Number(v.String()))
	case fastjson.TypeTrue:
		return ast.Boolean(true)
	case fastjson.TypeFalse:
		return ast.Boolean(false)
	default:
		return ast.Null{}
	}
}

func isNull(raw []byte) bool {
	for len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\n' || raw[0] == '\t' || raw[0] == '\r') {
		raw = raw[1:]
	}
	for len(raw) > 0 && (raw[len(raw)-1] == ' ' || raw[len(raw)-1] == '\n' || raw[len(raw)-1] == '\t' || raw[len(raw)-1] == '\r') {
		raw = raw[:len(raw)-1]
	}
	return len(raw) == 0 || string(raw) == "null"
}
