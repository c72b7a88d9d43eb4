package policies_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/govhook/govhook/manifests"
	"github.com/govhook/govhook/offline"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// TestMessagesNeverHoldSecretValues runs the SEC-001 deny fixtures through the whole catalog
// and requires that no finding of any policy quotes a literal credential: each value SEC-001
// reports (found through the violation's field) must appear in no message and no field.
func TestMessagesNeverHoldSecretValues(t *testing.T) {
	engine, err := policies.Embedded(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	reviewer := review.New(engine, fixtureConfig(), nil)
	files, err := filepath.Glob("sec/env_credentials/testdata/deny/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no SEC-001 deny fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			docs, errs := manifests.Parse(file, data)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			results, err := offline.Run(t.Context(), reviewer, docs, offline.Options{Username: "alice@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			var object any
			if err := json.Unmarshal(docs[len(docs)-1].JSON, &object); err != nil {
				t.Fatal(err)
			}
			findings := results[len(results)-1].Decision.Findings
			var secrets []string
			for _, f := range findings {
				if f.Policy != "SEC-001" {
					continue
				}
				value, ok := lookupField(object, f.Field)
				if s, isString := value.(string); !ok || !isString || s == "" {
					t.Fatalf("SEC-001 field %q does not name a literal value in the fixture", f.Field)
				} else {
					secrets = append(secrets, s)
				}
			}
			if len(secrets) == 0 {
				t.Fatal("SEC-001 reported nothing")
			}
			for _, f := range findings {
				for _, s := range secrets {
					for _, part := range secretParts(s) {
						if strings.Contains(f.Message, part) || strings.Contains(f.Field, part) {
							t.Errorf("[%s] %q (field %q) quotes a secret value", f.Policy, f.Message, f.Field)
						}
					}
				}
			}
		})
	}
}

// secretParts are the pieces of a secret value a message must not hold: the whole value and
// each of its lines and words of eight characters or more (a PEM body spans lines).
func secretParts(value string) []string {
	parts := []string{value}
	for _, word := range strings.FieldsFunc(value, func(r rune) bool { return r == '\n' || r == ' ' || r == '=' }) {
		if len(word) >= 8 && !strings.HasPrefix(word, "-----") {
			parts = append(parts, word)
		}
	}
	return parts
}

var fieldStep = regexp.MustCompile(`^([^\[\]]+)((?:\[\d+\])*)$`)

// lookupField resolves a violation field such as "spec.containers[0].env[1].value" in a
// decoded object (the subject of an AdmissionReview fixture under request.object).
func lookupField(object any, field string) (any, bool) {
	if m, ok := object.(map[string]any); ok && m["kind"] == "AdmissionReview" {
		object = m["request"].(map[string]any)["object"]
	}
	current := object
	for step := range strings.SplitSeq(field, ".") {
		match := fieldStep.FindStringSubmatch(step)
		if match == nil {
			return nil, false
		}
		m, ok := current.(map[string]any)
		if !ok {
			return nil, false
		}
		current = m[match[1]]
		for idx := range strings.SplitSeq(strings.Trim(match[2], "[]"), "][") {
			if idx == "" {
				continue
			}
			i, _ := strconv.Atoi(idx)
			list, ok := current.([]any)
			if !ok || i >= len(list) {
				return nil, false
			}
			current = list[i]
		}
	}
	return current, true
}
