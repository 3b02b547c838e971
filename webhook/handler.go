package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/internal/storable"
)

// Header names Clockify sends.
const (
	SignatureHeader = "Clockify-Signature"
	EventTypeHeader = "Clockify-Webhook-Event-Type"
)

// DefaultMaxBodyBytes caps a delivery's body.
const DefaultMaxBodyBytes = 1 << 20

// ApplyFunc applies a verified, parsed, first-seen event. It should be quick (Clockify
// waits for the answer): a host with slow work queues it. An error makes the handler
// answer 503 so that Clockify may redeliver, unless it wraps [ErrPermanent]. A panic is
// recovered: the handler answers 500, records the delivery as failed with the panic's
// value, logs its stack at error level, and a redelivery is applied.
type ApplyFunc func(ctx context.Context, ev *Event) error

// ErrPermanent marks an apply error that a redelivery cannot fix: the handler answers
// 422 and does not expect the same delivery again.
var ErrPermanent = errors.New("webhook: permanent failure")

// ErrForeignWorkspace is a verified delivery about a workspace this handler does not
// serve (or not the one its token was issued for).
var ErrForeignWorkspace = errors.New("webhook: workspace not served")

// Handler receives Clockify webhook deliveries: POST only, body capped, signature
// verified before anything else is believed, payload parsed, duplicates acknowledged
// without applying them twice, and every delivery recorded. Rejected deliveries change
// nothing. Response bodies are short fixed words and never echo a token or say why a
// signature failed.
type Handler struct {
	verifier   *Verifier
	apply      ApplyFunc
	maxBody    int64
	timeout    time.Duration
	dedupe     Deduper
	held       func(ctx context.Context, ev *Event) (bool, error)
	log        DeliveryLog
	workspaces map[string]bool
	now        func() time.Time
	logger     *slog.Logger
	reload     *tokenReload
}

// HandlerOption configures a [Handler].
type HandlerOption func(*Handler)

// WithMaxBodyBytes caps the body (DefaultMaxBodyBytes by default); larger bodies get 413.
// A cap of zero or less keeps the default: it would refuse every delivery.
func WithMaxBodyBytes(n int64) HandlerOption { return func(h *Handler) { h.maxBody = n } }

// DefaultApplyTimeout is how long the handler lets an apply run (see WithApplyTimeout).
const DefaultApplyTimeout = time.Minute

// WithApplyTimeout bounds how long an apply may run (DefaultApplyTimeout by default, and
// when d is not positive): its context ends then, and the delivery's claim lapses, so
// that a redelivery of one whose process died while applying it is applied, not taken
// for a duplicate.
func WithApplyTimeout(d time.Duration) HandlerOption { return func(h *Handler) { h.timeout = d } }

// WithDeduper replaces the in-memory de-duplication (the last delivery of 10,000
// entities) with another, such as the sync engine's store. A nil one keeps the default.
func WithDeduper(d Deduper) HandlerOption { return func(h *Handler) { h.dedupe = d } }

// WithDuplicateCheck has the handler ask, of a delivery that repeats its entity's last
// one, whether what it tells is still what the host holds. A host whose store also
// changes by other means (a sync that read the entity, an apply that read it again and
// found it changed since the delivery) answers false when it holds something else: the
// same body again is then an edit back to it, and is applied. Without it, every repeat
// is a duplicate. An error answers 503, so that Clockify delivers again.
func WithDuplicateCheck(held func(ctx context.Context, ev *Event) (bool, error)) HandlerOption {
	return func(h *Handler) { h.held = held }
}

// WithDeliveryLog replaces the in-memory delivery log (NewMemoryLog(0)). A nil one keeps
// the default.
func WithDeliveryLog(l DeliveryLog) HandlerOption { return func(h *Handler) { h.log = l } }

// WithWorkspaces limits the handler to deliveries about these workspaces; others are
// rejected with 400.
func WithWorkspaces(ids ...string) HandlerOption {
	return func(h *Handler) {
		h.workspaces = map[string]bool{}
		for _, id := range ids {
			h.workspaces[id] = true
		}
	}
}

// WithHandlerClock sets the clock of the delivery records (time.Now by default, and when
// now is nil).
func WithHandlerClock(now func() time.Time) HandlerOption { return func(h *Handler) { h.now = now } }

// WithLogger logs each delivery's outcome at debug level (silent by default, and when l
// is nil). Tokens are never logged.
func WithLogger(l *slog.Logger) HandlerOption { return func(h *Handler) { h.logger = l } }

// DefaultReloadInterval is how often a handler may reload its tokens once it has used
// up its ReloadBurst (see WithTokenReload).
const DefaultReloadInterval = 5 * time.Second

// ReloadBurst is how many token reloads a handler may make in a row before it waits an
// interval between two (see WithTokenReload).
const ReloadBurst = 3

// WithTokenReload has the handler call reload when a delivery's signature matches no
// token its Verifier holds, then verify the signature again. A host whose tokens change
// elsewhere (another replica registered or rotated the webhooks) passes the function
// that brings the Verifier in line with where the tokens are kept, so that the new
// tokens verify at once rather than on the host's next refresh. reload runs at most
// ReloadBurst times in a row, and then once every interval (DefaultReloadInterval when
// it is not positive), by the handler's clock: a token bucket that holds ReloadBurst and
// gains one an interval, so that forged deliveries cannot make the handler read its
// tokens' store at their pace, while tokens changed elsewhere several times in a few
// seconds (webhooks registered or rotated one after another, then rotated again) still
// verify. The misses the bucket refuses, and those that came while a reload ran, are
// verified again against what the last reload brought. A token the Verifier forgot (a
// webhook removed or given a new token: a late delivery of one) reloads nothing. When
// reload fails the delivery is answered 503, so that Clockify may send it again, and its
// error is kept in the delivery's record: it must hold no secret. A nil reload turns
// reloading off.
func WithTokenReload(reload func(ctx context.Context) error, interval time.Duration) HandlerOption {
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	return func(h *Handler) {
		h.reload = nil
		if reload != nil {
			h.reload = &tokenReload{fn: reload, bucket: rate.NewLimiter(rate.Every(interval), ReloadBurst)}
		}
	}
}

// tokenReload calls a host's reload as its bucket allows.
type tokenReload struct {
	fn     func(context.Context) error
	bucket *rate.Limiter
	mu     sync.Mutex // held while fn runs: misses that come meanwhile wait for its tokens
}

// verify calls verify again after a miss: first under the lock, which a reload that ran
// meanwhile held, and, if it still misses, after a reload when the bucket allows one at
// now. A failed reload's error is reloadErr.
func (t *tokenReload) verify(ctx context.Context, now time.Time, verify func() (Match, error)) (m Match, err, reloadErr error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, err = verify(); err == nil || errors.Is(err, errStaleSignature) || !t.bucket.AllowN(now, 1) {
		return m, err, nil
	}
	if reloadErr = t.fn(ctx); reloadErr != nil {
		return Match{}, err, reloadErr
	}
	m, err = verify()
	return m, err, nil
}

// NewHandler returns a handler that verifies with v and applies with apply. Like
// http.Handle given a nil handler, it panics when either is nil: a programming error,
// better found at start-up than on the first delivery.
func NewHandler(v *Verifier, apply ApplyFunc, opts ...HandlerOption) *Handler {
	if v == nil || apply == nil {
		panic("webhook: NewHandler needs a Verifier and an ApplyFunc")
	}
	h := &Handler{verifier: v, apply: apply}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	// What no option set, or an option set to nothing, takes the default.
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.timeout <= 0 {
		h.timeout = DefaultApplyTimeout
	}
	if h.dedupe == nil {
		h.dedupe = NewMemoryDeduper(0)
	}
	if h.log == nil {
		h.log = NewMemoryLog(0)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	return h
}

// DeliveryLog returns the handler's delivery log.
func (h *Handler) DeliveryLog() DeliveryLog { return h.log }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	d := Delivery{ReceivedAt: h.now(), EventType: clip(r.Header.Get(EventTypeHeader))}
	status, word := h.serve(r, &d)
	d.Status, d.Elapsed = status, time.Since(start)
	// What the payload and the apply function said is kept whatever bytes it holds.
	d.WorkspaceID, d.EntityID, d.Reason = storable.Text(d.WorkspaceID), storable.Text(d.EntityID), storable.Text(d.Reason)
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, word+"\n")
	// The record is written with a context that outlives a client that hung up.
	if err := h.log.Record(context.WithoutCancel(r.Context()), d); err != nil {
		h.logger.Warn("webhook: delivery log", "error", err.Error())
	}
	h.logger.Debug("webhook: delivery", "event", d.EventType, "webhook", d.WebhookID,
		"entity", d.EntityID, "outcome", string(d.Outcome), "reason", d.Reason, "status", status)
}

// serve handles a delivery and fills its record; it returns the status and a short word.
func (h *Handler) serve(r *http.Request, d *Delivery) (int, string) {
	reject := func(status int, reason, word string) (int, string) {
		d.Outcome, d.Reason = OutcomeRejected, reason
		return status, word
	}
	if r.Method != http.MethodPost {
		return reject(http.StatusMethodNotAllowed, "method "+clip(r.Method), "method not allowed")
	}
	if r.ContentLength > h.maxBody {
		return reject(http.StatusRequestEntityTooLarge, ErrBodyTooLarge.Error(), "too large")
	}
	// Nothing is believed, and no body read, before the signature verifies. An unknown
	// event type is answered first only because no token can match it.
	wire := clockify.WebhookEvent(r.Header.Get(EventTypeHeader))
	if kind, known := KindOf(wire); !known && kind == KindIgnored {
		if r.Header.Get(SignatureHeader) == "" {
			return reject(http.StatusUnauthorized, ErrMissingSignature.Error(), "unauthorized")
		}
		return reject(http.StatusBadRequest, ErrUnknownEventType.Error(), "unknown event type")
	}
	verify := func() (Match, error) { return h.verifier.Verify(wire, r.Header.Get(SignatureHeader)) }
	match, err := verify()
	if errors.Is(err, ErrInvalidSignature) && !errors.Is(err, errStaleSignature) && h.reload != nil {
		var rerr error
		if match, err, rerr = h.reload.verify(r.Context(), h.now(), verify); rerr != nil {
			d.Outcome, d.Reason = OutcomeFailed, "reloading the tokens: "+rerr.Error()
			return http.StatusServiceUnavailable, "try again"
		}
	}
	if err != nil {
		return reject(http.StatusUnauthorized, err.Error(), "unauthorized")
	}
	d.WebhookID = match.WebhookID
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return reject(http.StatusRequestEntityTooLarge, ErrBodyTooLarge.Error(), "too large")
		}
		return reject(http.StatusBadRequest, "could not read the body", "bad request")
	}
	ev, err := Parse(string(wire), body)
	if err != nil {
		return reject(http.StatusBadRequest, err.Error(), "malformed payload")
	}
	d.Kind, d.EntityID = ev.Kind, ev.EntityID
	if (match.WorkspaceID != "" && match.WorkspaceID != ev.WorkspaceID) ||
		(h.workspaces != nil && !h.workspaces[ev.WorkspaceID]) {
		// Filed under the token's workspace, not one the refused payload names: each
		// workspace's records are bounded apart, and a payload may name any number.
		d.WorkspaceID = match.WorkspaceID
		return reject(http.StatusBadRequest, ErrForeignWorkspace.Error()+": "+clip(ev.WorkspaceID), "workspace not served")
	}
	d.WorkspaceID = ev.WorkspaceID
	if ev.Kind == KindIgnored {
		d.Outcome = OutcomeIgnored
		return http.StatusOK, "ignored"
	}
	key := KeyOf(ev, body)
	claim, err := h.dedupe.Claim(r.Context(), key, h.now(), h.timeout)
	switch {
	case err != nil:
		d.Outcome, d.Reason = OutcomeFailed, "de-duplication: "+err.Error()
		return http.StatusServiceUnavailable, "try again"
	case claim == ClaimApplied && h.held == nil:
		d.Outcome = OutcomeDuplicate
		return http.StatusOK, "duplicate"
	case claim == ClaimApplied:
		held, err := h.held(r.Context(), ev)
		if err != nil {
			d.Outcome, d.Reason = OutcomeFailed, "duplicate check: "+err.Error()
			return http.StatusServiceUnavailable, "try again"
		}
		if held {
			d.Outcome = OutcomeDuplicate
			return http.StatusOK, "duplicate"
		}
		d.Reason = "a repeat, but the entity has changed since"
	case claim == ClaimPending:
		// Another request is applying it; should that one fail, this one is wanted again.
		d.Outcome, d.Reason = OutcomeDuplicate, "being applied"
		return http.StatusServiceUnavailable, "try again"
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	err = h.safeApply(ctx, ev, key)
	if err == nil {
		d.Outcome = OutcomeApplied
		if reason := h.complete(ctx, key); reason != "" {
			d.Reason = reason
		}
		return http.StatusOK, "ok"
	}
	d.Outcome, d.Reason = OutcomeFailed, err.Error()
	if errors.Is(err, ErrPermanent) {
		if reason := h.complete(ctx, key); reason != "" {
			d.Reason += "; " + reason
		}
		return http.StatusUnprocessableEntity, "not applied"
	}
	// Let a redelivery try again.
	if rerr := h.dedupe.Release(context.WithoutCancel(ctx), key); rerr != nil {
		d.Reason += "; release: " + rerr.Error()
	}
	if errors.Is(err, errApplyPanicked) {
		return http.StatusInternalServerError, "internal error"
	}
	return http.StatusServiceUnavailable, "try again"
}

// complete marks a delivery's claim applied, and returns why it could not ("" when it
// could): the claim then lapses, and a redelivery is applied again.
func (h *Handler) complete(ctx context.Context, key DeliveryKey) string {
	if err := h.dedupe.Complete(context.WithoutCancel(ctx), key); err != nil {
		return "complete: " + err.Error()
	}
	return ""
}

var errApplyPanicked = errors.New("apply panicked")

// safeApply calls apply and turns a panic into an error (logged with its stack), so that
// the claim is taken back and the delivery recorded rather than lost with the connection.
// http.ErrAbortHandler, net/http's way to abort a response, is passed on once the claim
// is released.
func (h *Handler) safeApply(ctx context.Context, ev *Event, key DeliveryKey) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			_ = h.dedupe.Release(context.WithoutCancel(ctx), key)
			panic(p)
		}
		h.logger.Error("webhook: apply panicked", "event", string(ev.Wire), "entity", ev.EntityID,
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		err = fmt.Errorf("%w: %v", errApplyPanicked, p)
	}()
	return h.apply(ctx, ev)
}

// maxRecorded bounds the text of a request that a record keeps as sent: Clockify's longest
// event name has 32 bytes, and an unsigned request must not fill the log's memory.
const maxRecorded = 64

// clip makes s text every log keeps (storable.Text; a header may hold any byte), then
// cuts it to at most maxRecorded bytes, between characters, marking the cut with "…".
// In that order: each NUL becomes three bytes.
func clip(s string) string {
	s = storable.Text(s)
	if len(s) > maxRecorded {
		cut := maxRecorded
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
