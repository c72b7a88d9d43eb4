package input

import (
	"encoding/json"
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
	var t terms
	return t.value(v), nil
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
		o, _ := v.Object()
		obj := ast.NewObjectWithCapacity(o.Len())
		o.Visit(func(key []byte, child *fastjson.Value) {
			k := ast.InternedTerm(string(key))
			obj.Insert(k, ts.term(ts.value(child)))
		})
		return obj
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
