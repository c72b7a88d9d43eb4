package policies

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTriggerText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no escape is returned as is", `{"privileged":true}`, `{"privileged":true}`},
		{"a unicode escape of a letter is decoded", `{"privil\u0065ged":true}`, `{"privileged":true}`},
		{"upper-case hex digits", `{"host\u0050ath":{}}`, `{"hostPath":{}}`},
		{"an escaped slash is decoded", `{"a":"eks.amazonaws.com\/role"}`, `{"a":"eks.amazonaws.com/role"}`},
		{"an escaped quote stays escaped", `{"a":"x\u0022privileged\""}`, `{"a":"x\u0022privileged\""}`},
		{"an escaped backslash is not the start of an escape", `{"a":"\\u0065"}`, `{"a":"\\u0065"}`},
		{"non-ASCII stays escaped", `{"a":"\u00e9\n"}`, `{"a":"\u00e9\n"}`},
		{"a truncated escape stays as written", `"\u00`, `"\u00`},
		{"a trailing backslash stays", `"\`, `"\`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, string(triggerText([]byte(tc.in)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
