package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

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
	t := terms{known: *vocabulary.words.Load()}
	obj := t.object(v, 0)
	vocabulary.learn(t.learned)
	return obj, nil
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
		var t *ast.Term
		switch {
		case depth == 0 && string(key) == "metadata" && child.Type() == fastjson.TypeObject:
			t = ts.term(ts.object(child, 1))
		case depth == 1 && omitted(key):
			return
		default:
			t = ts.termOf(child)
		}
		obj.Insert(ts.word(key, true), t)
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
// term of the value, which is the request's lifetime. Keys and short strings come from the
// shared vocabulary when it knows them.
type terms struct {
	chunk   []ast.Term
	known   map[string]*ast.Term // the vocabulary when the request began; never modified
	learned map[string]*ast.Term // this request's words the vocabulary did not know
}

const termChunk = 64

func (ts *terms) term(v ast.Value) *ast.Term {
	if len(ts.chunk) == 0 {
		ts.chunk = make([]ast.Term, termChunk)
	}
	t := &ts.chunk[0]
	ts.chunk = ts.chunk[1:]
	t.Value = v
	return t
}

// word returns the term of a key or string value: the vocabulary's when it has one, else a
// new term. Only keys join the vocabulary (learn): they are a small, stable set (field names,
// label and annotation keys), while string values are mostly unique to an object (names,
// uids, timestamps, images) and would fill the vocabulary with words no later request meets,
// each one copying it. A term to join the vocabulary is allocated alone, not from a chunk: a
// chunk shared by every later request would keep this request's other terms alive.
func (ts *terms) word(b []byte, learn bool) *ast.Term {
	if len(b) > maxWordLen {
		return ts.term(ast.String(b))
	}
	if t, ok := ts.known[string(b)]; ok {
		return t
	}
	if t, ok := ts.learned[string(b)]; ok {
		return t
	}
	if !learn || len(ts.known)+len(ts.learned) >= maxWords {
		return ts.term(ast.String(b))
	}
	if ts.learned == nil {
		ts.learned = map[string]*ast.Term{}
	}
	t := ast.StringTerm(string(b))
	ts.learned[string(b)] = t
	return t
}

// termOf converts a parsed JSON value; it copies every string, so the parser may be reused.
func (ts *terms) termOf(v *fastjson.Value) *ast.Term {
	switch v.Type() {
	case fastjson.TypeObject:
		return ts.term(ts.object(v, 2))
	case fastjson.TypeArray:
		items, _ := v.Array()
		arr := make([]*ast.Term, len(items))
		for i, item := range items {
			arr[i] = ts.termOf(item)
		}
		return ts.term(ast.NewArray(arr...))
	case fastjson.TypeString:
		s, _ := v.StringBytes()
		return ts.word(s, false)
	case fastjson.TypeNumber:
		return ts.term(ast.Number(json.Number(v.String())))
	case fastjson.TypeTrue:
		return ast.InternedTerm(true)
	case fastjson.TypeFalse:
		return ast.InternedTerm(false)
	default:
		return ast.InternedNullTerm
	}
}

// vocabulary holds the terms of the keys and short strings objects repeat ("name",
// "securityContext", "ALL", "RuntimeDefault"), shared by every request so that a request
// allocates a term only for what is new. It only grows, up to maxWords words of at most
// maxWordLen bytes (about 1 MiB), so a flood of made-up keys cannot make it grow without
// bound; past that, new words cost a term each, as before. Readers load the map once per
// object and never lock; a request that met new words adds them to a copy.
var vocabulary = newWords()

const (
	maxWords   = 8192
	maxWordLen = 64
)

type words struct {
	mu    sync.Mutex
	words atomic.Pointer[map[string]*ast.Term]
}

func newWords() *words {
	w := &words{}
	m := map[string]*ast.Term{}
	w.words.Store(&m)
	return w
}

// learn adds the words of learned the vocabulary does not have yet, up to maxWords.
func (w *words) learn(learned map[string]*ast.Term) {
	if len(learned) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := *w.words.Load()
	if len(cur) >= maxWords {
		return
	}
	next := maps.Clone(cur)
	for k, t := range learned {
		if len(next) >= maxWords {
			break
		}
		if _, ok := next[k]; !ok {
			next[k] = t
		}
	}
	w.words.Store(&next)
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
