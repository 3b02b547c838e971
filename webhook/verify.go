package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Token is a webhook's signing token as the Verifier holds it: Clockify sends it verbatim
// in Clockify-Signature on every delivery of that webhook's one event.
type Token struct {
	WebhookID string
	// Event is the webhook's event; the token verifies deliveries of that event only.
	Event clockify.WebhookEvent
	// WorkspaceID, when set, is the only workspace whose payloads the token may sign.
	WorkspaceID string
	// Value is the token itself.
	Value clockify.Secret
}

// Verifier checks Clockify-Signature against the tokens of the webhooks it knows. It
// compares in constant time (SHA-256 digests of equal length, so neither the content nor
// the length of a token leaks through timing), accepts the old and the new token of a
// webhook until a rotation's grace period ends, and rejects everything when it holds no
// token. It is safe for concurrent use.
type Verifier struct {
	now func() time.Time

	mu     sync.RWMutex
	tokens []heldToken
}

type heldToken struct {
	webhookID   string
	event       clockify.WebhookEvent
	workspaceID string
	digest      [sha256.Size]byte
	expires     time.Time // zero: no expiry
}

// VerifierOption configures a [Verifier].
type VerifierOption func(*Verifier)

// WithClock sets the clock that ends grace periods (time.Now by default).
func WithClock(now func() time.Time) VerifierOption {
	return func(v *Verifier) { v.now = now }
}

// NewVerifier returns a verifier holding the given tokens.
func NewVerifier(tokens []Token, opts ...VerifierOption) (*Verifier, error) {
	v := &Verifier{now: time.Now}
	for _, o := range opts {
		o(v)
	}
	for _, t := range tokens {
		if err := v.Add(t); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// ErrBadToken is returned when a token to add lacks its value, webhook id or event, or
// when its value is the "[REDACTED]" placeholder of a [clockify.Secret] that went through
// JSON: holding that would accept any delivery signed "[REDACTED]".
var ErrBadToken = errors.New("webhook: a token needs a value, a webhook id and an event")

// Add holds a webhook's token, replacing the webhook's current one at once.
func (v *Verifier) Add(t Token) error {
	if t.Value == "" || t.WebhookID == "" || t.Event == "" {
		return ErrBadToken
	}
	if t.Value.IsRedacted() {
		return errRedactedToken
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tokens = slices.DeleteFunc(v.tokens, func(h heldToken) bool { return h.webhookID == t.WebhookID })
	v.tokens = append(v.tokens, hold(t))
	return nil
}

func hold(t Token) heldToken {
	return heldToken{webhookID: t.WebhookID, event: t.Event, workspaceID: t.WorkspaceID, digest: sha256.Sum256([]byte(t.Value.Reveal()))}
}

// Rotate installs a webhook's new token (after Clockify regenerated it) and keeps the
// old one valid for grace, so deliveries signed before the switch still verify.
func (v *Verifier) Rotate(webhookID string, newValue clockify.Secret, grace time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	var current *heldToken
	for i := range v.tokens {
		if v.tokens[i].webhookID == webhookID && v.tokens[i].expires.IsZero() {
			current = &v.tokens[i]
		}
	}
	if current == nil {
		return fmt.Errorf("%w: webhook %q holds no token to rotate (Add it first)", ErrBadToken, webhookID)
	}
	if newValue == "" {
		return ErrBadToken
	}
	if newValue.IsRedacted() {
		return errRedactedToken
	}
	next := *current
	next.digest = sha256.Sum256([]byte(newValue.Reveal()))
	current.expires = v.clock().Add(grace)
	v.tokens = append(v.tokens, next)
	return nil
}

var errRedactedToken = fmt.Errorf(`%w: its value is "[REDACTED]", the placeholder of a token that was encoded and decoded; pass the token Clockify returned`, ErrBadToken)

// Remove forgets every token of a webhook.
func (v *Verifier) Remove(webhookID string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tokens = slices.DeleteFunc(v.tokens, func(h heldToken) bool { return h.webhookID == webhookID })
}

func (v *Verifier) clock() time.Time {
	if v.now == nil {
		return time.Now()
	}
	return v.now()
}

// Match is what a verified signature matched.
type Match struct {
	WebhookID   string
	WorkspaceID string
}

// Verify checks a delivery's signature for its event type and returns which webhook's
// token it matched. Every held token of the event is compared, whatever matches first.
func (v *Verifier) Verify(event clockify.WebhookEvent, signature string) (Match, error) {
	if signature == "" {
		return Match{}, ErrMissingSignature
	}
	got := sha256.Sum256([]byte(signature))
	now := v.clock()
	v.mu.RLock()
	defer v.mu.RUnlock()
	var m Match
	found := 0
	for i := range v.tokens {
		h := &v.tokens[i]
		eq := subtle.ConstantTimeCompare(got[:], h.digest[:])
		live := h.event == event && (h.expires.IsZero() || now.Before(h.expires))
		if eq == 1 && live && found == 0 {
			m, found = Match{WebhookID: h.webhookID, WorkspaceID: h.workspaceID}, 1
		}
	}
	if found == 0 {
		return Match{}, ErrInvalidSignature
	}
	return m, nil
}

// Len returns how many tokens are held, expired ones included until they are pruned.
func (v *Verifier) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.tokens)
}

// Prune drops tokens whose grace period has ended.
func (v *Verifier) Prune() {
	now := v.clock()
	v.mu.Lock()
	defer v.mu.Unlock()
	v.tokens = slices.DeleteFunc(v.tokens, func(h heldToken) bool { return !h.expires.IsZero() && !now.Before(h.expires) })
}
