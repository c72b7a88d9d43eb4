package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Default limits on the work the handler takes on. A large review (up to the apiserver's
// 3 MiB objects, twice on UPDATE) costs seconds of CPU and tens of MiB to evaluate: large
// reviews are taken one at a time so that the other core keeps answering everyone else.
const (
	DefaultMaxInFlight      = 32
	DefaultMaxLargeInFlight = 1
	DefaultLargeBodyBytes   = 256 << 10
	// DefaultDeadline is the time a review may take, shorter than the webhook's
	// timeoutSeconds (5 s) so the apiserver gets govhook's answer, not a timeout.
	DefaultDeadline = 3 * time.Second
	// queueWait is how long a request waits for a free slot before it is refused.
	queueWait = 200 * time.Millisecond
)

// limiter holds the slots of the two lanes: small reviews and large ones.
type limiter struct {
	once         sync.Once
	small, large chan struct{}
}

func (h *Handler) lanes() *limiter {
	h.limits.once.Do(func() {
		h.limits.small = make(chan struct{}, cmpOr(h.MaxInFlight, DefaultMaxInFlight))
		h.limits.large = make(chan struct{}, cmpOr(h.MaxLargeInFlight, DefaultMaxLargeInFlight))
	})
	return &h.limits
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// acquire takes a slot in the lane the request's declared size puts it in (an unknown size
// counts as large), waiting at most queueWait; it returns the release func, or false when
// the lane stayed full. The slot is taken before the body is read, so the bodies held in
// memory are bounded too.
func (h *Handler) acquire(r *http.Request) (func(), string, int, bool) {
	l := h.lanes()
	large := h.LargeBodyBytes
	if large <= 0 {
		large = DefaultLargeBodyBytes
	}
	lane, name := l.small, "concurrent reviews"
	if r.ContentLength < 0 || r.ContentLength > large {
		lane, name = l.large, fmt.Sprintf("concurrent reviews larger than %d bytes", large)
	}
	select {
	case lane <- struct{}{}:
		return func() { <-lane }, "", 0, true
	default:
	}
	t := time.NewTimer(queueWait)
	defer t.Stop()
	select {
	case lane <- struct{}{}:
		return func() { <-lane }, "", 0, true
	case <-t.C:
		return nil, name, cap(lane), false
	case <-r.Context().Done():
		return nil, name, cap(lane), false
	}
}

// refuseBusy answers a request over the limit before reading it: HTTP 429 with a Status the
// apiserver shows in its error (the review's uid is unknown, so no review can be answered).
func refuseBusy(w http.ResponseWriter, lane string, limit int) {
	msg := fmt.Sprintf("govhook is at its limit of %d %s; refusing this request, retry later", limit, lane)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", strconv.Itoa(1))
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(metav1.Status{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status:   metav1.StatusFailure, Code: http.StatusTooManyRequests, Reason: metav1.StatusReasonTooManyRequests, Message: msg,
	})
}
