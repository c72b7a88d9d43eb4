package output

import (
	"fmt"
	"io"

	"github.com/govhook/govhook/evidence"
)

// ReconciliationFormats lists the formats WriteReconciliation accepts.
var ReconciliationFormats = []string{"text", "json"}

// WriteReconciliation prints the result of `govhook evidence reconcile`: one line per
// admission with no record and per record with no apiserver event, and a summary; or
// {"missing":[...],"unmatched":[...]} as JSON.
func WriteReconciliation(w io.Writer, format string, r *evidence.Reconciliation) error {
	if format == "json" {
		return writeIndentedJSON(w, r)
	}
	for _, m := range r.Missing {
		fmt.Fprintf(w, "missing: decision %s (%s %s %s, user %s, audit event %s at %s, %s): no evidence record\n",
			m.DecisionID, m.Verb, resourceOf(m.Resource, m.Subresource), objectName(m.Namespace, m.Name), m.User, m.AuditID, stamp(m.Time), m.Source)
	}
	for _, u := range r.Unmatched {
		fmt.Fprintf(w, "unmatched: record %s (%s %s %s, user %s, %s seq %d at %s, %s): no apiserver audit event\n",
			u.DecisionID, u.Operation, u.Kind, objectName(u.Namespace, u.Name), u.User, u.Replica, u.Seq, stamp(u.Time), u.Source)
	}
	_, err := fmt.Fprintf(w, "%d decision ids in the audit log (%s to %s): %d with an evidence record, %d missing; %d records in that time with no apiserver event\n",
		r.Decisions, stamp(r.From), stamp(r.To), r.Decisions-len(r.Missing), len(r.Missing), len(r.Unmatched))
	return err
}

func resourceOf(resource, sub string) string {
	if sub == "" {
		return resource
	}
	return resource + "/" + sub
}

func objectName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
