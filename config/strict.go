package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem with one field of a config file.
type FieldError struct {
	// Line is the 1-based line of the field in the file, 0 when unknown.
	Line int
	// Field is the field's path, e.g. exceptions[0].approvedBy.
	Field string
	// Problem says what is wrong, as an instruction where possible.
	Problem string
}

func (e *FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Problem)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Problem)
}

// decode parses one YAML document into a Config, refusing unknown and duplicate keys with
// their paths and lines. The document is kept for the line numbers of later validation.
func decode(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the config file is empty")
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("the config file must hold exactly one YAML document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &FieldError{Line: root.Line, Field: "(document)", Problem: "must be a mapping with apiVersion, kind, enforcement, exemptions, exceptions and parameters"}
	}
	if errs := checkKeys(root, reflect.TypeFor[Config](), ""); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var c Config
	if err := root.Decode(&c); err != nil {
		return nil, err
	}
	c.src = root
	if params := mappingValue(root, "parameters"); params != nil {
		v, err := plain(params)
		if err != nil {
			return nil, err
		}
		c.Parameters, _ = v.(map[string]any)
	}
	return &c, nil
}

// checkKeys walks n alongside the Go type t and reports every mapping key t does not declare
// and every key given twice. Where n and t disagree in shape it stops: decoding reports that.
func checkKeys(n *yaml.Node, t reflect.Type, path string) []error {
	n = resolve(n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var errs []error
	switch {
	case t == reflect.TypeFor[PolicyAction]() && n.Kind == yaml.ScalarNode:
		return nil
	case t.Kind() == reflect.Interface:
		return duplicateKeys(n, path)
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, item := range n.Content {
			errs = append(errs, checkKeys(item, t.Elem(), path+"["+strconv.Itoa(i)+"]")...)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		errs = append(errs, duplicateKeys(n, path)...)
		for i := 0; i+1 < len(n.Content); i += 2 {
			errs = append(errs, checkKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))...)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		errs = append(errs, duplicateKeys(n, path)...)
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			ft, ok := fields[key.Value]
			if !ok {
				errs = append(errs, unknownField(t, path, key, fields))
				continue
			}
			errs = append(errs, checkKeys(n.Content[i+1], ft, join(path, key.Value))...)
		}
	}
	return errs
}

func unknownField(t reflect.Type, path string, key *yaml.Node, fields map[string]reflect.Type) error {
	field := join(path, key.Value)
	if t == reflect.TypeFor[Exemptions]() && key.Value == "groups" {
		return &FieldError{Line: key.Line, Field: field, Problem: "group exemptions are not offered: a group takes in every controller's service account, and controllers must not escape policy; name exact usernames"}
	}
	known := make([]string, 0, len(fields))
	for name := range fields {
		known = append(known, name)
	}
	slices.Sort(known)
	return &FieldError{Line: key.Line, Field: field, Problem: "unknown field (known fields: " + strings.Join(known, ", ") + ")"}
}

// yamlFields maps the YAML keys of a struct to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

// duplicateKeys reports keys given twice in any mapping at or below n.
func duplicateKeys(n *yaml.Node, path string) []error {
	n = resolve(n)
	var errs []error
	switch n.Kind {
	case yaml.SequenceNode:
		for i, item := range n.Content {
			errs = append(errs, duplicateKeys(item, path+"["+strconv.Itoa(i)+"]")...)
		}
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i]
			if first, dup := seen[key.Value]; dup {
				errs = append(errs, &FieldError{Line: key.Line, Field: join(path, key.Value), Problem: fmt.Sprintf("given twice (first on line %d)", first)})
				continue
			}
			seen[key.Value] = key.Line
			errs = append(errs, duplicateKeys(n.Content[i+1], join(path, key.Value))...)
		}
	}
	return errs
}

// plain turns a YAML value into the JSON-shaped value policies see: maps, lists, strings,
// numbers, booleans and null. Timestamps stay the strings they were written as.
func plain(n *yaml.Node) (any, error) {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, item := range n.Content {
			v, err := plain(item)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	}
	switch n.ShortTag() {
	case "!!timestamp", "!!binary":
		return n.Value, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mappingValue is the value of key in the mapping n, nil when absent.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// lineOf finds the line of the field at path (string keys and int indexes) in the document,
// or of its nearest ancestor that is present; 0 without a document.
func lineOf(root *yaml.Node, path ...any) int {
	if root == nil {
		return 0
	}
	n, line := resolve(root), root.Line
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s {
					line, n, found = n.Content[i].Line, resolve(n.Content[i+1]), true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || s >= len(n.Content) {
				return line
			}
			n = resolve(n.Content[s])
			line = n.Line
		}
	}
	return line
}

// fieldError makes the FieldError of the field at path, with its line when known.
func (c *Config) fieldError(problem string, path ...any) *FieldError {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		}
	}
	return &FieldError{Line: lineOf(c.src, path...), Field: b.String(), Problem: problem}
}
