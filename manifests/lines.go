package manifests

import (
	"strconv"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// FieldLines returns, for each field path (as policies report them:
// `spec.template.spec.containers[0].securityContext.privileged`, `metadata.labels["owner"]`),
// the file line of the field in the document's YAML, or of its deepest ancestor present when
// the field itself is missing (a label that should be there). 0 means unknown, as for every
// field of a document whose YAML text is unknown; nil for an object that did not come from a
// file.
func (d Document) FieldLines(fields []string) []int {
	if d.yaml == nil {
		return nil
	}
	lines := make([]int, len(fields))
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(d.yaml, &doc); err != nil || len(doc.Content) == 0 {
		return lines
	}
	root := doc.Content[0]
	if d.Item >= 0 {
		items := child(root, "items")
		if items == nil || items.Kind != yamlv3.SequenceNode || d.Item >= len(items.Content) {
			return lines
		}
		root = items.Content[d.Item]
	}
	for i, f := range fields {
		if f == "" {
			continue
		}
		if line := locate(root, parsePath(f)); line > 0 {
			lines[i] = d.yamlStart - 1 + line
		}
	}
	return lines
}

// itemLines returns the line (within doc) of each item of a List document, 0 when unknown.
func itemLines(doc []byte, n int) []int {
	lines := make([]int, n)
	var node yamlv3.Node
	if err := yamlv3.Unmarshal(doc, &node); err != nil || len(node.Content) == 0 {
		return lines
	}
	if items := child(node.Content[0], "items"); items != nil && items.Kind == yamlv3.SequenceNode {
		for i, item := range items.Content {
			if i < n {
				lines[i] = item.Line
			}
		}
	}
	return lines
}

// locate walks path from node and returns the line of the last step it could take: the key
// of a mapping entry, the element of a sequence.
func locate(node *yamlv3.Node, path []any) int {
	line := node.Line
	for _, step := range path {
		node = deref(node)
		switch s := step.(type) {
		case string:
			key, value := entry(node, s)
			if key == nil {
				return line
			}
			line, node = key.Line, value
		case int:
			if node.Kind != yamlv3.SequenceNode || s >= len(node.Content) {
				return line
			}
			node = node.Content[s]
			line = node.Line
		}
	}
	return line
}

func deref(n *yamlv3.Node) *yamlv3.Node {
	for n.Kind == yamlv3.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// entry finds key in a mapping node, returning its key and value nodes.
func entry(n *yamlv3.Node, key string) (*yamlv3.Node, *yamlv3.Node) {
	n = deref(n)
	if n.Kind != yamlv3.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

func child(n *yamlv3.Node, key string) *yamlv3.Node {
	_, v := entry(n, key)
	if v == nil {
		return nil
	}
	return deref(v)
}

// parsePath splits a field path into mapping keys (strings) and sequence indexes (ints):
// `a.b[0]["c.d"]` → a, b, 0, c.d. Anything it cannot read ends the path there.
func parsePath(p string) []any {
	var out []any
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := strings.IndexByte(p, ']')
			if len(p) > 1 && p[1] == '"' {
				quoted, err := strconv.QuotedPrefix(p[1:])
				if err != nil {
					return out
				}
				key, _ := strconv.Unquote(quoted)
				out = append(out, key)
				p = strings.TrimPrefix(p[1+len(quoted):], "]")
				continue
			}
			if end < 0 {
				return out
			}
			if n, err := strconv.Atoi(p[1:end]); err == nil {
				out = append(out, n)
			} else {
				out = append(out, p[1:end])
			}
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}
