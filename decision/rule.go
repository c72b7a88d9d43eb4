package decision

import (
	"fmt"
	"slices"
	"strings"

	"github.com/govhook/govhook/config"
	"github.com/govhook/govhook/policies"
)

// rule is the action a policy's violations get under a config: when in the namespaces whose
// labels include every one of labels (or, for a catalog tier, prodLabel=prod), otherwise
// elsewhere; an untiered rule is when everywhere. It is the one place that knows the precedence: the config's per-policy choice
// (fixed or tiered), else its default override, else the catalog's default (fixed or tiered).
type rule struct {
	when, otherwise string
	tiered          bool
	labels          map[string]string
	// prodLabel is the environment label of a catalog tier, kept apart from labels so that
	// deciding allocates nothing.
	prodLabel string
}

// ruleFor returns the rule of policy p under cfg. A nil p (a violation without its policy,
// which the engine never makes) is denied unless the config's default says otherwise.
func ruleFor(p *policies.Policy, cfg *config.Config) rule {
	if p != nil {
		if a, ok := cfg.Enforcement.Policies[p.ID]; ok {
			if len(a.WhenNamespaceLabels) == 0 {
				return rule{when: a.Action}
			}
			return rule{when: a.Action, otherwise: a.Otherwise, tiered: true, labels: a.WhenNamespaceLabels}
		}
	}
	switch {
	case cfg.Enforcement.Default != "":
		return rule{when: cfg.Enforcement.Default}
	case p == nil:
		return rule{when: policies.ActionDeny}
	case p.Tiered:
		return rule{when: p.Action, otherwise: policies.ActionWarn, tiered: true, prodLabel: cfg.EnvironmentLabel()}
	}
	return rule{when: p.Action}
}

// action is the rule's action for req: the stricter of the two where the namespace is unknown.
func (r rule) action(req Request) string {
	switch {
	case !r.tiered:
		return r.when
	case !req.NamespaceKnown:
		if strictness(r.otherwise) > strictness(r.when) {
			return r.otherwise
		}
		return r.when
	case r.selects(req.NamespaceLabels):
		return r.when
	}
	return r.otherwise
}

// selects reports whether a namespace with these labels is one where the rule's when applies.
func (r rule) selects(labels map[string]string) bool {
	if r.prodLabel != "" {
		return labels[r.prodLabel] == config.ProdEnvironment
	}
	for k, v := range r.labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// String says the rule in words: "deny", or a tier such as
// "deny where namespace labels environment=prod, else warn".
func (r rule) String() string {
	if !r.tiered {
		return r.when
	}
	labels := make([]string, 0, len(r.labels)+1)
	if r.prodLabel != "" {
		labels = append(labels, r.prodLabel+"="+config.ProdEnvironment)
	}
	for k, v := range r.labels {
		labels = append(labels, k+"="+v)
	}
	slices.Sort(labels)
	return fmt.Sprintf("%s where namespace labels %s, else %s", r.when, strings.Join(labels, ","), r.otherwise)
}

func strictness(action string) int {
	switch action {
	case policies.ActionDeny:
		return 2
	case policies.ActionWarn:
		return 1
	}
	return 0
}

// ActionRule says in words which action a policy's violations get under cfg, by the rule
// Decide applies: "deny", "warn", "audit", or a tier such as
// "deny where namespace labels environment=prod, else warn". The evidence report prints it
// as the action in force.
func ActionRule(p *policies.Policy, cfg *config.Config) string {
	return ruleFor(p, cfg).String()
}
