package output

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/govhook/govhook/evidence"
)

// VerificationFormats lists the formats WriteVerification accepts.
var VerificationFormats = []string{"text", "json"}

// WriteVerification prints the result of `govhook evidence verify`: each break as
// FILE:LINE: message, one line per chain and a verdict; or the result as JSON.
func WriteVerification(w io.Writer, format string, v *evidence.Verification) error {
	if format == "json" {
		return writeIndentedJSON(w, v)
	}
	for _, b := range v.Breaks {
		if _, err := fmt.Fprintln(w, b); err != nil {
			return err
		}
	}
	records, broken := 0, 0
	for _, c := range v.Chains {
		state := "intact"
		if !c.Intact() {
			state = fmt.Sprintf("BROKEN (%d breaks)", c.Breaks)
			broken++
		}
		records += c.Records
		fmt.Fprintf(w, "%s (%s): %d records in %d segments, seq %d-%d, %s to %s, %d after the last checkpoint, %s%s: %s\n",
			c.Replica, c.Dir, c.Records, c.Segments, c.FirstSeq, c.LastSeq, stamp(c.From), stamp(c.To), c.SinceCheckpoint, signedBy(c), anchorStatus(v, c), state)
	}
	for _, c := range v.Chains {
		for _, g := range c.HeartbeatGaps {
			fmt.Fprintf(w, "%s: heartbeat gap: no checkpoint from %s to %s (%s): the writer was not running\n", c.Replica, stamp(g.From), stamp(g.To), g.Duration)
		}
		for _, u := range c.UncheckedStarts {
			fmt.Fprintf(w, "%s: the writer started at seq %d (%s) without checking the chain against the newest anchor: %s\n", c.Replica, u.Seq, stamp(u.Time), u.Reason)
		}
	}
	if !v.SignaturesChecked {
		fmt.Fprintln(w, "signatures not checked: no --public-key given")
	}
	if !v.AnchorsChecked {
		fmt.Fprintln(w, "anchors not checked: no --anchors or archive given")
	}
	var err error
	if v.Intact() {
		_, err = fmt.Fprintf(w, "evidence intact: %d chains, %d records\n", len(v.Chains), records)
	} else {
		_, err = fmt.Fprintf(w, "evidence BROKEN: %d breaks in %d of %d chains\n", len(v.Breaks), broken, len(v.Chains))
	}
	return err
}

// signedBy says which keys signed a chain's checkpoints.
func signedBy(c evidence.Chain) string {
	if len(c.KeyIDs) == 0 {
		return "unsigned"
	}
	return "signed by " + strings.Join(c.KeyIDs, ", ")
}

// anchorStatus says how a chain stands against its newest anchor, when anchors were given.
func anchorStatus(v *evidence.Verification, c evidence.Chain) string {
	label, ahead := "the newest anchor", ""
	if c.AheadSeq != 0 {
		label = "the newest anchor older than the grace"
		ahead = fmt.Sprintf("; the newest anchor (seq %d) is ahead, within the grace", c.AheadSeq)
	}
	switch {
	case !v.AnchorsChecked:
		return ""
	case c.AnchoredSeq == 0:
		return ", no anchor" + ahead
	case c.LastSeq < c.AnchoredSeq:
		return fmt.Sprintf(", short of %s (seq %d)%s", label, c.AnchoredSeq, ahead)
	}
	return fmt.Sprintf(", %d past %s (seq %d, %s)%s", c.PastAnchor, label, c.AnchoredSeq, stamp(c.AnchoredTime), ahead)
}

// stamp prints an instant in UTC to the second, "-" when unknown.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
