package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/internal/evidencetest"
)

// stalledBody sends prefix, then blocks until release is closed (a client that stalls).
type stalledBody struct {
	prefix  io.Reader
	release chan struct{}
	started chan struct{}
}

func (b *stalledBody) Read(p []byte) (int, error) {
	n, err := b.prefix.Read(p)
	if n > 0 {
		return n, nil
	}
	if err == io.EOF {
		select {
		case <-b.started:
		default:
			close(b.started)
		}
		<-b.release
		return 0, io.ErrUnexpectedEOF
	}
	return 0, err
}

// TestHandlerLimitsConcurrentWork reproduces issue 16 rows 1-2 at the handler: large reviews
// in flight were unbounded (each held its body and an evaluation). With the large lane full,
// another large review is refused at once, before its body is read, with a clear message,
// while a small review from another client still gets its real decision.
func TestHandlerLimitsConcurrentWork(t *testing.T) {
	h := newHandler(t, &evidencetest.Memory{})
	h.MaxLargeInFlight = 1
	h.Deadline = time.Minute // the small review's real decision must not depend on the machine's load
	h.LargeBodyBytes = 4 << 10
	stall := &stalledBody{prefix: strings.NewReader(`{"apiVersion":`), release: make(chan struct{}), started: make(chan struct{})}
	defer close(stall.release)
	first := httptest.NewRequest(http.MethodPost, "/validate", stall)
	first.Header.Set("Content-Type", "application/json")
	first.ContentLength = -1 // unknown: counts as large
	go h.ServeHTTP(httptest.NewRecorder(), first)
	<-stall.started

	big := reviewBody("CREATE", strings.Replace(compliantPod, `"name":"web"`, `"name":"`+strings.Repeat("w", 5<<10)+`"`, 1), "null")
	rec := post(h, "application/json", big)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("second large review: status %d, want 429; body %s", rec.Code, rec.Body.String())
	}
	var st metav1.Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil || !strings.Contains(st.Message, "govhook is at its limit of 1 concurrent reviews larger than 4096 bytes") {
		t.Errorf("refusal %s, want a Status naming the limit", rec.Body.String())
	}

	resp := decodeResponse(t, post(h, "application/json", reviewBody("CREATE", privilegedPod, "null")))
	if resp.Allowed || resp.Result == nil || resp.Result.Code != 403 {
		t.Errorf("a small review during the attack: %+v, want its real decision (403 deny)", resp.Result)
	}
}

// TestHandlerDeadline: a review that cannot be decided within the deadline is refused with a
// message saying so, never admitted.
func TestHandlerDeadline(t *testing.T) {
	ev := &evidencetest.Memory{}
	h := newHandler(t, ev)
	h.Deadline = 10 * time.Millisecond
	h.Namespaces = blockingNamespaces{} // a lookup that takes the whole deadline
	resp := decodeResponse(t, post(h, "application/json", reviewBody("CREATE", privilegedPod, "null")))
	if resp.Allowed || resp.Result == nil || resp.Result.Code != http.StatusGatewayTimeout || !strings.Contains(resp.Result.Message, "could not decide within its deadline of 10ms") {
		t.Fatalf("got %+v, want a 504 refusal naming the deadline", resp.Result)
	}
	if len(ev.Records()) != 1 || ev.Records()[0].Decision != "error" {
		t.Errorf("want one error record, got %+v", ev.Records())
	}
}

// blockingNamespaces answers only when the request's context ends.
type blockingNamespaces struct{}

func (blockingNamespaces) Namespace(ctx context.Context, _ string) *input.Namespace {
	<-ctx.Done()
	return nil
}
