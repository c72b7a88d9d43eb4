package policies

import (
	"fmt"
	"strings"
)

// DefaultAction names a policy's catalog default: its action, or "tiered" (deny in prod
// namespaces, warn elsewhere).
func (p Policy) DefaultAction() string {
	if p.Tiered {
		return "tiered"
	}
	return p.Action
}

// MarkdownTable renders ps as the Markdown table of the README's policy catalog.
func MarkdownTable(ps []Policy) string {
	var b strings.Builder
	b.WriteString("| id | title | severity | default action | SOC 2 controls | groups |\n|---|---|---|---|---|---|\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", p.ID, p.Title, p.Severity, p.DefaultAction(), strings.Join(p.Controls, ", "), strings.Join(p.Groups, ", "))
	}
	return b.String()
}
