package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"

	"github.com/govhook/govhook/decision"
)

// Limits on what a record copies from a request. A request's strings reach evidence, logs and
// error text; without a bound a 6 MiB username becomes a 6 MiB record, log line and answer.
const (
	// MaxString is the most bytes of one string copied from a request.
	MaxString = 1024
	// MaxGroups is the most of a user's groups a record lists one by one.
	MaxGroups = 32
	// MaxFindings is the most violations a record lists one by one; the rest are counted.
	MaxFindings = 50
	// MaxRecordBytes is the largest a record can be once encoded, whatever the request held:
	// the limits above keep every record under it (the JSON escaping of a control character
	// costs six bytes, so the bound is on the worst case).
	MaxRecordBytes = 1 << 20
)

// Bound returns s when it holds at most MaxString bytes; a longer s is cut to its first
// MaxString bytes (never inside a UTF-8 character) and followed by its length and the SHA-256
// of the whole value, so the full value can still be matched against the record.
func Bound(s string) string {
	if len(s) <= MaxString {
		return s
	}
	cut := MaxString
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%s…[truncated: %d bytes, sha256:%s]", s[:cut], len(s), hex.EncodeToString(sum[:]))
}

// boundAll bounds each string of ss, and their number: past MaxGroups, one last entry says
// how many were left out and the SHA-256 of all of them, newline separated.
func boundAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	n := min(len(ss), MaxGroups)
	out := make([]string, 0, n+1)
	for _, s := range ss[:n] {
		out = append(out, Bound(s))
	}
	if len(ss) > n {
		h := sha256.New()
		for _, s := range ss {
			h.Write([]byte(s))
			h.Write([]byte{'\n'})
		}
		out = append(out, fmt.Sprintf("…[%d more, sha256 of all:%s]", len(ss)-n, hex.EncodeToString(h.Sum(nil))))
	}
	return out
}

// boundFindings bounds the text of each finding (a message may quote the object) and their
// number; it returns how many were left out.
func boundFindings(fs []decision.Finding) ([]decision.Finding, int) {
	n := min(len(fs), MaxFindings)
	out := make([]decision.Finding, n)
	for i, f := range fs[:n] {
		f.Message, f.Field = Bound(f.Message), Bound(f.Field)
		out[i] = f
	}
	return out, len(fs) - n
}
