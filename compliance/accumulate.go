package compliance

import (
	"cmp"
	"slices"

	openreportsv1alpha1 "github.com/openreports/reports-api/apis/openreports.io/v1alpha1"
)

// DefaultMaxResults bounds the results one report holds: a report is one etcd object (at most
// 1.5 MiB by default), and the audit keeps every report of a run in memory until it ends.
const DefaultMaxResults = 1000

// scope gathers the results of one report during a run. It keeps at most max results,
// preferring anything over pass: when full, a new non-pass result replaces a kept pass
// result, and what does not fit is only counted. The summary counts every result.
type scope struct {
	max     int
	results []openreportsv1alpha1.ReportResult
	passes  []int // indexes of the pass results in results
	summary openreportsv1alpha1.ReportSummary
	omitted int
}

func (s *scope) add(r openreportsv1alpha1.ReportResult) {
	count(&s.summary, r.Result)
	switch {
	case len(s.results) < s.max:
		if r.Result == ResultPass {
			s.passes = append(s.passes, len(s.results))
		}
		s.results = append(s.results, r)
	case r.Result != ResultPass && len(s.passes) > 0:
		i := s.passes[len(s.passes)-1]
		s.passes = s.passes[:len(s.passes)-1]
		s.results[i] = r
		s.omitted++
	default:
		s.omitted++
	}
}

// full reports whether a pass result would only be counted.
func (s *scope) full() bool { return len(s.results) >= s.max }

// countPasses counts n pass results that are not kept.
func (s *scope) countPasses(n int) {
	s.summary.Pass += n
	s.omitted += n
}

// sorted returns the kept results ordered by result (fail first), then resource and policy,
// so that a report reads worst first and an unchanged cluster gives an unchanged order.
func (s *scope) sorted() []openreportsv1alpha1.ReportResult {
	slices.SortFunc(s.results, func(a, b openreportsv1alpha1.ReportResult) int {
		return cmp.Or(
			cmp.Compare(resultRank[a.Result], resultRank[b.Result]),
			cmp.Compare(subjectKey(a), subjectKey(b)),
			cmp.Compare(a.Policy, b.Policy),
			cmp.Compare(a.Description, b.Description),
		)
	})
	return s.results
}

var resultRank = map[openreportsv1alpha1.Result]int{ResultFail: 0, ResultError: 1, ResultWarn: 2, ResultSkip: 3, ResultPass: 4}

func subjectKey(r openreportsv1alpha1.ReportResult) string {
	if len(r.Subjects) == 0 {
		return ""
	}
	s := r.Subjects[0]
	return s.Kind + "/" + s.Namespace + "/" + s.Name
}

func count(s *openreportsv1alpha1.ReportSummary, r openreportsv1alpha1.Result) {
	switch r {
	case ResultPass:
		s.Pass++
	case ResultFail:
		s.Fail++
	case ResultWarn:
		s.Warn++
	case ResultError:
		s.Error++
	case ResultSkip:
		s.Skip++
	}
}
