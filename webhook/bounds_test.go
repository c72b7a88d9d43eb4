package webhook_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr/funcr"

	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/internal/evidencetest"
)

// TestHandlerBoundsRequestStrings reproduces issue 16 row 3: a 6 MiB apiVersion, a 6 MiB
// username and a 900 KiB Content-Type came back as 6 MiB evidence records, answers and log
// lines, and the username request was admitted.
func TestHandlerBoundsRequestStrings(t *testing.T) {
	huge := strings.Repeat("x", 6<<20)
	tests := []struct {
		name, contentType, body string
		wantText                string
	}{
		{
			name:        "6 MiB apiVersion",
			contentType: "application/json",
			body:        strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"admission.k8s.io/v1"`, `"`+huge+`"`, 1),
			wantText:    "only admission.k8s.io/v1 AdmissionReview is served",
		},
		{
			name:        "6 MiB username",
			contentType: "application/json",
			body:        strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"username":"alice"`, `"username":"`+huge+`"`, 1),
			wantText:    "admission request userInfo.username is 6291456 bytes, over the 1024-byte limit",
		},
		{
			name:        "6 MiB group",
			contentType: "application/json",
			body:        strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"username":"alice"`, `"username":"alice","groups":["`+huge+`"]`, 1),
			wantText:    "admission request userInfo.groups[] is 6291456 bytes, over the 1024-byte limit",
		},
		{
			name:        "6 MiB uid",
			contentType: "application/json",
			body:        strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"uid":"uid-1"`, `"uid":"`+huge+`"`, 1),
			wantText:    "admission request uid is 6291456 bytes",
		},
		{
			name:        "900 KiB Content-Type",
			contentType: "text/" + strings.Repeat("y", 900<<10),
			body:        reviewBody("CREATE", compliantPod, "null"),
			wantText:    "is not application/json",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := &evidencetest.Memory{}
			h := newHandler(t, ev)
			h.MaxBodyBytes = 0 // the default limit: the row's bodies fit under it
			var mu sync.Mutex
			var logs []string
			h.Log = funcr.New(func(prefix, args string) {
				mu.Lock()
				defer mu.Unlock()
				logs = append(logs, args)
			}, funcr.Options{})
			rec := post(h, tc.contentType, tc.body)
			if !strings.Contains(rec.Body.String(), tc.wantText) {
				t.Errorf("answer %.300q does not contain %q", rec.Body.String(), tc.wantText)
			}
			if rec.Code == http.StatusOK {
				resp := decodeResponse(t, rec)
				if resp.Allowed {
					t.Errorf("request allowed: %+v", resp)
				}
			}
			if rec.Body.Len() > 8<<10 {
				t.Errorf("answer is %d bytes, want at most 8 KiB", rec.Body.Len())
			}
			for _, l := range logs {
				if len(l) > 8<<10 {
					t.Errorf("log line of %d bytes, want at most 8 KiB: %.200s", len(l), l)
				}
			}
			if len(ev.Records()) != 1 {
				t.Fatalf("records = %d, want 1", len(ev.Records()))
			}
			r := ev.Records()[0]
			if r.Decision != "error" {
				t.Errorf("record decision %q, want error", r.Decision)
			}
			b, _ := json.Marshal(r)
			if len(b) > 16<<10 {
				t.Errorf("record is %d bytes, want at most 16 KiB", len(b))
			}
		})
	}
}

// TestRecordOfOversizedRequestKeepsHashes: a record of a request with huge strings keeps
// their SHA-256 and stays under evidence.MaxRecordBytes.
func TestRecordOfOversizedRequestKeepsHashes(t *testing.T) {
	huge := strings.Repeat("x", 6<<20)
	ev := &evidencetest.Memory{}
	h := newHandler(t, ev)
	h.MaxBodyBytes = 0
	post(h, "application/json", strings.Replace(reviewBody("CREATE", compliantPod, "null"), `"username":"alice"`, `"username":"`+huge+`"`, 1))
	if len(ev.Records()) != 1 {
		t.Fatalf("records = %d, want 1", len(ev.Records()))
	}
	want := evidence.Bound(huge)
	if got := ev.Records()[0].User.Username; got != want || !strings.Contains(got, "sha256:") {
		t.Errorf("recorded username %.200q, want the bounded value with its hash %.200q", got, want)
	}
}
