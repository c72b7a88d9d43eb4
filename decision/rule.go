package decision

import (
	"fmt"
	"slices"
	"strings"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// ActionRule says in words which action a policy's violations get under cfg, with the same
// precedence as Decide: "deny", "warn", "audit", or a tier such as
// "deny where namespace label environment=prod, else warn". The evidence report prints it
// as the action in force.
func ActionRule(p *policies.Policy, cfg *config.Config) string {
	if a, ok := cfg.Enforcement.Policies[p.ID]; ok {
		if len(a.WhenNamespaceLabels) == 0 {
			return a.Action
		}
		var labels []string
		for k, v := range a.WhenNamespaceLabels {
			labels = append(labels, k+"="+v)
		}
		slices.Sort(labels)
		return fmt.Sprintf("%s where namespace labels %s, else %s", a.Action, strings.Join(labels, ","), a.Otherwise)
	}
	switch {
	case cfg.Enforcement.Default != "":
		return cfg.Enforcement.Default
	case p.Tiered:
		return fmt.Sprintf("%s where namespace labels %s=%s, else %s", p.Action, cfg.EnvironmentLabel(), config.ProdEnvironment, policies.ActionWarn)
	}
	return p.Action
}
