// Package webhook serves the admission endpoint: it decodes and checks an AdmissionReview,
// runs it through the shared review path, records evidence and metrics, and answers. Anything
// it cannot decode or evaluate is refused, never admitted silently.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/uuid"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/govhook/govhook/decision"
	"github.com/govhook/govhook/evidence"
	"github.com/govhook/govhook/input"
	"github.com/govhook/govhook/metrics"
	"github.com/govhook/govhook/policies"
	"github.com/govhook/govhook/review"
)

// DefaultMaxBodyBytes bounds a review body: an object (up to the apiserver's 3 MiB request
// limit) plus its old version plus envelope.
const DefaultMaxBodyBytes = 7 << 20

// Audit annotation keys; the kube-apiserver prefixes them with the webhook's name.
const (
	AnnotationDecisionID = "decision-id"
	AnnotationPolicies   = "policies"
	// AnnotationEvidence is set to EvidenceNotDurable on a request answered without a durable
	// evidence record (onEvidenceFailure: allow), so the apiserver's audit log keeps a trace.
	AnnotationEvidence = "evidence"
	EvidenceNotDurable = "not-durable"
)

// Log keys.
const (
	logUID        = "uid"
	logDecision   = "decision"
	logDecisionID = "decisionID"
	logError      = "error"
)

// NamespaceLookup returns the metadata of a namespace, nil when it is not known (requests are
// then evaluated without it, and their evidence says so).
type NamespaceLookup interface {
	Namespace(ctx context.Context, name string) *input.Namespace
}

// Handler answers AdmissionReviews on one path.
type Handler struct {
	Reviewer   *review.Reviewer
	Evidence   evidence.Recorder
	Metrics    metrics.Recorder
	Namespaces NamespaceLookup // optional
	// ServiceAccounts, optional, gives the ServiceAccount a pod will run as; it must answer
	// from memory (a cache), nil when it does not know the account.
	ServiceAccounts review.ServiceAccounts
	Log             logr.Logger
	// MaxBodyBytes bounds the request body; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// NewID makes decision ids; nil means random UUIDs.
	NewID func() string
	// MaxInFlight bounds the reviews of at most LargeBodyBytes handled at once, and
	// MaxLargeInFlight the larger ones; past them a request waits briefly, then is refused
	// (HTTP 429). Zero means DefaultMaxInFlight, DefaultMaxLargeInFlight, DefaultLargeBodyBytes.
	MaxInFlight      int
	MaxLargeInFlight int
	LargeBodyBytes   int64
	// Deadline bounds the evaluation of one review; past it the request is refused with a
	// clear message. Zero means DefaultDeadline.
	Deadline time.Duration

	limits limiter
}

// badRequest is an answer that cannot be a review: the body was not one.
type badRequest struct {
	status int
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := h.newID()
	var req *admissionv1.AdmissionRequest
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("panic while handling review: %v", p)
			h.Log.Error(err, "recovered", logUID, uidOf(req))
			h.fail(r.Context(), w, id, req, h.Reviewer.Refused(start), start, http.StatusInternalServerError, err)
		}
	}()
	release, lane, limit, ok := h.acquire(r)
	if !ok {
		h.Log.Info("refusing request over the limit", "limit", limit, "lane", lane, "remote", r.RemoteAddr)
		h.Metrics.ObserveAdmission(metrics.Admission{Decision: decision.Decision{Outcome: decision.OutcomeError}, Duration: time.Since(start)})
		refuseBusy(w, lane, limit)
		return
	}
	defer release()
	review, err := h.decode(w, r)
	if err != nil {
		var bad *badRequest
		status := http.StatusBadRequest
		if errors.As(err, &bad) {
			status = bad.status
		}
		msg := evidence.Bound(err.Error())
		h.Log.Info("rejected malformed admission review", logError, msg, "remote", r.RemoteAddr)
		h.recordFailure(r.Context(), id, &admissionv1.AdmissionRequest{}, h.Reviewer.Refused(start), err)
		h.Metrics.ObserveAdmission(metrics.Admission{Decision: decision.Decision{Outcome: decision.OutcomeError}, Duration: time.Since(start)})
		http.Error(w, msg, status)
		return
	}
	req = review.Request
	if err := checkObject(req); err != nil {
		h.fail(r.Context(), w, id, req, h.Reviewer.Refused(start), start, http.StatusBadRequest, err)
		return
	}
	deadline := h.Deadline
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	rctx, cancel := context.WithTimeout(r.Context(), deadline)
	var ns *input.Namespace
	if h.Namespaces != nil && req.Namespace != "" && !input.IsNamespace(req) {
		ns = h.Namespaces.Namespace(rctx, req.Namespace)
	}
	res, err := h.Reviewer.Review(rctx, req, ns, h.ServiceAccounts)
	if err == nil && rctx.Err() != nil && ns == nil && h.Namespaces != nil && req.Namespace != "" && !input.IsNamespace(req) {
		// The namespace lookup used the whole deadline: the decision lacks what it needed.
		err = rctx.Err()
	}
	cancel()
	h.Metrics.ObserveEvaluation(res.Evaluation)
	if err != nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("govhook could not decide within its deadline of %s; refusing the request", deadline)
		refused := res
		refused.Time, refused.NamespaceKnown = start, nil
		h.fail(r.Context(), w, id, req, refused, start, http.StatusGatewayTimeout, err)
		return
	}
	if err != nil {
		// The error record names the config the review ran under, as of the request's start.
		refused := res
		refused.Time, refused.NamespaceKnown = start, nil
		code := int32(http.StatusInternalServerError)
		if errors.Is(err, input.ErrTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		h.fail(r.Context(), w, id, req, refused, start, code, fmt.Errorf("govhook could not evaluate policies: %w", err))
		return
	}
	rec := evidence.NewRecord(evidence.TypeAdmission, id, req, res.Decision, res.Basis, nil)
	if err := h.Evidence.Record(r.Context(), &rec); err != nil {
		h.Metrics.ObserveEvidence(err)
		if res.Config.AdmitWithoutEvidence() {
			h.Log.Error(err, "EVIDENCE LOST: record not durable; answering by the decision because onEvidenceFailure is allow",
				logUID, uidOf(req), logDecision, res.Decision.Outcome, logDecisionID, id)
			resp := response(req, id, res.Decision, res.Config.DocsBaseURL)
			resp.AuditAnnotations[AnnotationEvidence] = EvidenceNotDurable
			h.respond(w, req, resp, start, res.Decision)
			return
		}
		h.Log.Error(err, "EVIDENCE LOST: record not durable; refusing the request because onEvidenceFailure is deny",
			logUID, uidOf(req), logDecision, res.Decision.Outcome, logDecisionID, id)
		h.respond(w, req, errorResponse(req, id, http.StatusInternalServerError, "govhook could not record audit evidence; refusing the request"), start, decision.Decision{Outcome: decision.OutcomeError})
		return
	}
	h.Metrics.ObserveEvidence(nil)
	h.respond(w, req, response(req, id, res.Decision, res.Config.DocsBaseURL), start, res.Decision)
}

func (h *Handler) newID() string {
	if h.NewID != nil {
		return h.NewID()
	}
	return uuid.NewString()
}

// decode reads and checks the review envelope.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request) (*admissionv1.AdmissionReview, error) {
	if r.Method != http.MethodPost {
		return nil, &badRequest{http.StatusMethodNotAllowed, "admission reviews must be POSTed"}
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return nil, &badRequest{http.StatusUnsupportedMediaType, fmt.Sprintf("content type %.128q is not application/json", r.Header.Get("Content-Type"))}
	}
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &badRequest{http.StatusRequestEntityTooLarge, fmt.Sprintf("admission review is larger than %d bytes", limit)}
		}
		return nil, fmt.Errorf("read admission review: %w", err)
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, fmt.Errorf("admission review is not valid JSON: %w", err)
	}
	if review.APIVersion != admissionv1.SchemeGroupVersion.String() || review.Kind != "AdmissionReview" {
		return nil, fmt.Errorf("only admission.k8s.io/v1 AdmissionReview is served, got apiVersion %.128q kind %.128q", review.APIVersion, review.Kind)
	}
	if review.Request == nil {
		return nil, errors.New("admission review has no request")
	}
	if review.Request.UID == "" {
		return nil, errors.New("admission request has no uid")
	}
	if len(review.Request.UID) > evidence.MaxString {
		// The answer must echo the uid; no apiserver sends one this long.
		return nil, fmt.Errorf("admission request uid is %d bytes, over the %d-byte limit", len(review.Request.UID), evidence.MaxString)
	}
	return &review, nil
}

// checkObject refuses requests whose object is missing where the operation needs one.
func checkObject(req *admissionv1.AdmissionRequest) error {
	if err := checkStrings(req); err != nil {
		return err
	}
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update, admissionv1.Connect:
		if isNull(req.Object.Raw) {
			return fmt.Errorf("%s request has no object", req.Operation)
		}
	case admissionv1.Delete:
	default:
		return fmt.Errorf("unknown operation %.64q", req.Operation)
	}
	if req.Kind.Kind == "" {
		return errors.New("admission request has no kind")
	}
	return checkKind(req)
}

func isNull(raw []byte) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// fail refuses a request that could not be evaluated, with an evidence record saying why;
// res is the refusal's Result (its decision is ignored: it is an error).
func (h *Handler) fail(ctx context.Context, w http.ResponseWriter, id string, req *admissionv1.AdmissionRequest, res review.Result, start time.Time, code int32, err error) {
	if req == nil {
		req = &admissionv1.AdmissionRequest{}
	}
	msg := evidence.Bound(err.Error())
	h.Log.Error(errors.New(msg), "refusing request", logUID, uidOf(req), logDecision, decision.OutcomeError)
	h.recordFailure(ctx, id, req, res, err)
	h.respond(w, req, errorResponse(req, id, code, msg), start, decision.Decision{Outcome: decision.OutcomeError})
}

// recordFailure writes the error record of a refused request (best effort: the request is
// refused either way, and a lost record is counted).
func (h *Handler) recordFailure(ctx context.Context, id string, req *admissionv1.AdmissionRequest, res review.Result, cause error) {
	rec := evidence.NewRecord(evidence.TypeAdmission, id, req, decision.Decision{Outcome: decision.OutcomeError}, res.Basis, cause)
	err := h.Evidence.Record(ctx, &rec)
	h.Metrics.ObserveEvidence(err)
	if err != nil {
		h.Log.Error(err, "evidence record of a refused request not durable", logUID, uidOf(req))
	}
}

func (h *Handler) respond(w http.ResponseWriter, req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse, start time.Time, d decision.Decision) {
	h.Metrics.ObserveAdmission(metrics.Admission{
		Operation: string(req.Operation),
		Kind:      kindLabel(req),
		DryRun:    req.DryRun != nil && *req.DryRun,
		Decision:  d,
		Duration:  time.Since(start),
	})
	out := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionv1.SchemeGroupVersion.String(), Kind: "AdmissionReview"},
		Response: resp,
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		h.Log.Error(err, "write admission response", logUID, uidOf(req))
	}
}

// response turns a decision into the AdmissionResponse the apiserver gets; each denial and
// warning line points to its policy's page (under docsBaseURL when the config sets one).
func response(req *admissionv1.AdmissionRequest, id string, d decision.Decision, docsBaseURL string) *admissionv1.AdmissionResponse {
	resp := &admissionv1.AdmissionResponse{
		UID:              req.UID,
		Allowed:          d.Allowed(),
		Warnings:         d.Messages(policies.ActionWarn, docsBaseURL),
		AuditAnnotations: map[string]string{AnnotationDecisionID: id},
	}
	if ids := policyIDs(d); ids != "" {
		resp.AuditAnnotations[AnnotationPolicies] = ids
	}
	if !resp.Allowed {
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusForbidden,
			Reason:  metav1.StatusReasonForbidden,
			Message: strings.Join(d.Messages(policies.ActionDeny, docsBaseURL), "\n"),
		}
	}
	return resp
}

func errorResponse(req *admissionv1.AdmissionRequest, id string, code int32, msg string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{
		UID:              req.UID,
		Allowed:          false,
		AuditAnnotations: map[string]string{AnnotationDecisionID: id},
		Result:           &metav1.Status{Status: metav1.StatusFailure, Code: code, Message: msg},
	}
}

// policyIDs lists the ids of the violated policies, comma separated, without repeats.
func policyIDs(d decision.Decision) string {
	var ids []string
	for _, f := range d.Findings {
		if len(ids) == 0 || ids[len(ids)-1] != f.Policy {
			ids = append(ids, f.Policy)
		}
	}
	return strings.Join(ids, ",")
}

func uidOf(req *admissionv1.AdmissionRequest) string {
	if req == nil {
		return ""
	}
	return evidence.Bound(string(req.UID))
}
