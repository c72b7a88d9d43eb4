package evidence_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
)

// TestConnectRecordsFlagsNeverCommand writes the record of each kind of CONNECT request and
// checks the durable line: container and flags are kept, the command never is.
func TestConnectRecordsFlagsNeverCommand(t *testing.T) {
	const secret = "s3cr3t-t0ken-in-a-command"
	tests := []struct {
		name        string
		subResource string
		object      string
		want        *evidence.Connect
	}{
		{
			name:        "exec",
			subResource: "exec",
			object:      `{"kind":"PodExecOptions","apiVersion":"v1","stdin":true,"stdout":true,"tty":true,"container":"app","command":["sh","-c","curl -H 'Authorization: ` + secret + `' db"]}`,
			want:        &evidence.Connect{Container: "app", TTY: true, Stdin: true},
		},
		{
			name:        "attach",
			subResource: "attach",
			object:      `{"kind":"PodAttachOptions","apiVersion":"v1","stdout":true,"container":"sidecar"}`,
			want:        &evidence.Connect{Container: "sidecar"},
		},
		{
			name:        "port-forward has no container or flags",
			subResource: "portforward",
			object:      `{"kind":"PodPortForwardOptions","apiVersion":"v1","ports":[5432]}`,
			want:        nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &admissionv1.AdmissionRequest{
				UID:         "connect-1",
				Kind:        metav1.GroupVersionKind{Version: "v1", Kind: "PodExecOptions"},
				Resource:    metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
				SubResource: tc.subResource,
				Name:        "web-1",
				Namespace:   "shop",
				Operation:   admissionv1.Connect,
				Object:      runtime.RawExtension{Raw: []byte(tc.object)},
			}
			rec := evidence.NewRecord(evidence.TypeAdmission, "d-1", req, decision.Decision{Outcome: decision.OutcomeWarn}, evidence.Basis{Time: time.Unix(0, 0)}, nil)
			if diff := cmp.Diff(tc.want, rec.Connect); diff != "" {
				t.Errorf("Connect (-want +got):\n%s", diff)
			}
			dir := t.TempDir()
			w, err := evidence.Open(t.Context(), evidence.Options{Dir: dir, Replica: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Record(t.Context(), &rec); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			segments, _ := filepath.Glob(filepath.Join(dir, "r1", "*.jsonl"))
			if len(segments) != 1 {
				t.Fatalf("segments = %v", segments)
			}
			line, err := os.ReadFile(segments[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{secret, "command", "curl"} {
				if bytes.Contains(line, []byte(leak)) {
					t.Errorf("evidence line holds %q:\n%s", leak, line)
				}
			}
		})
	}
}

func TestConnectOnlyForConnectRequests(t *testing.T) {
	req := &admissionv1.AdmissionRequest{
		UID:       "create-1",
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Operation: admissionv1.Create,
		Object:    runtime.RawExtension{Raw: []byte(`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","tty":true,"stdin":true}]},"container":"x"}`)},
	}
	if rec := evidence.NewRecord(evidence.TypeAdmission, "d-2", req, decision.Decision{Outcome: decision.OutcomeAllow}, evidence.Basis{Time: time.Unix(0, 0)}, nil); rec.Connect != nil {
		t.Errorf("a CREATE must carry no connect facts, got %+v", rec.Connect)
	}
}
