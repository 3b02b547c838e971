package webhook

import (
	"crypto/sha256"
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

// Verifier checks Clockify-Signature against the tokens of the webhooks it knows. It finds
// a token by the SHA-256 digest of the signature, never by comparing bytes of a token:
// a digest changes whole with any byte of its input, so the time a check takes tells
// nothing of how much of a token a guess got right, nor of a token's length. Holding many
// tokens (a host serving many workspaces) costs a check nothing more. It accepts the old
// and the new token of a webhook until a rotation's grace period ends, and rejects
// everything when it holds no token. It is safe for concurrent use.
type Verifier struct {
	now func() time.Time

	mu sync.RWMutex
	// byDigest holds the tokens by their value's digest, in the order they were held;
	// byWebhook holds each webhook's tokens, in the same order.
	byDigest  map[[sha256.Size]byte][]*heldToken
	byWebhook map[string][]*heldToken
	// dropped holds the digests of the last maxDropped tokens forgotten (removed,
	// replaced or pruned), in the order they were: a signature with one of them that
	// matches no token held is stale, which no reload can make valid again.
	dropped      map[[sha256.Size]byte]bool
	droppedOrder [][sha256.Size]byte
}

// maxDropped bounds the digests a Verifier keeps of the tokens it forgot.
const maxDropped = 4096

// errStaleSignature is an ErrInvalidSignature whose signature is a token the Verifier
// held and holds no more, or holds past its grace: its webhook was removed or given
// another token, so reloading the tokens cannot make it valid.
var errStaleSignature = fmt.Errorf("%w (a token no longer valid)", ErrInvalidSignature)

type heldToken struct {
	webhookID   string
	event       clockify.WebhookEvent
	workspaceID string
	digest      [sha256.Size]byte
	expires     time.Time // zero: no expiry
}

func (h *heldToken) expired(now time.Time) bool { return !h.expires.IsZero() && !now.Before(h.expires) }

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
		if o != nil {
			o(v)
		}
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

// Add holds a webhook's token, replacing at once every token the webhook held: its
// current one, and those a rotation keeps for their grace.
func (v *Verifier) Add(t Token) error {
	if err := t.check(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.remove(t.WebhookID)
	v.hold(&heldToken{webhookID: t.WebhookID, event: t.Event, workspaceID: t.WorkspaceID, digest: digest(t.Value)})
	return nil
}

// AddUntil holds a token of a webhook until expires, beside the webhook's current token,
// as Rotate keeps the token it replaces: for a host that learns of a rotation made
// elsewhere (another of its processes), and of the tokens it replaced, with the time
// their grace ends. A token the webhook holds as its current one stays so; one it holds
// until a later time (a Rotate made when the host learnt of the rotation) is held until
// expires, so that the grace ends when the rotation's does. A token not held whose time
// has passed is not held.
func (v *Verifier) AddUntil(t Token, expires time.Time) error {
	if err := t.check(); err != nil {
		return err
	}
	d := digest(t.Value)
	v.mu.Lock()
	defer v.mu.Unlock()
	held := false
	for _, h := range v.byWebhook[t.WebhookID] {
		if h.digest == d {
			held = true
			if !h.expires.IsZero() && expires.Before(h.expires) {
				h.expires = expires
			}
		}
	}
	if !held && expires.After(v.clock()) {
		v.hold(&heldToken{webhookID: t.WebhookID, event: t.Event, workspaceID: t.WorkspaceID, digest: d, expires: expires})
	}
	return nil
}

// check returns why a token cannot be held, or nil.
func (t Token) check() error {
	if t.Value == "" || t.WebhookID == "" || t.Event == "" {
		return ErrBadToken
	}
	if t.Value.IsRedacted() {
		return errRedactedToken
	}
	return nil
}

func digest(value clockify.Secret) [sha256.Size]byte { return sha256.Sum256([]byte(value.Reveal())) }

// hold indexes a token; the caller holds the write lock.
func (v *Verifier) hold(h *heldToken) {
	if v.byDigest == nil {
		v.byDigest = make(map[[sha256.Size]byte][]*heldToken)
		v.byWebhook = make(map[string][]*heldToken)
	}
	v.byDigest[h.digest] = append(v.byDigest[h.digest], h)
	v.byWebhook[h.webhookID] = append(v.byWebhook[h.webhookID], h)
}

// drop forgets one token by its digest; the caller holds the write lock and updates
// byWebhook.
func (v *Verifier) drop(h *heldToken) {
	rest := slices.DeleteFunc(v.byDigest[h.digest], func(x *heldToken) bool { return x == h })
	if len(rest) > 0 {
		v.byDigest[h.digest] = rest
		return
	}
	delete(v.byDigest, h.digest)
	if v.dropped == nil {
		v.dropped = make(map[[sha256.Size]byte]bool)
	}
	if len(v.droppedOrder) == maxDropped {
		delete(v.dropped, v.droppedOrder[0])
		v.droppedOrder = v.droppedOrder[1:]
	}
	v.dropped[h.digest] = true
	v.droppedOrder = append(v.droppedOrder, h.digest)
}

// remove forgets every token of a webhook; the caller holds the write lock.
func (v *Verifier) remove(webhookID string) {
	for _, h := range v.byWebhook[webhookID] {
		v.drop(h)
	}
	delete(v.byWebhook, webhookID)
}

// Rotate installs a webhook's new token (after Clockify regenerated it) and keeps the
// old one valid for grace, so deliveries signed before the switch still verify.
func (v *Verifier) Rotate(webhookID string, newValue clockify.Secret, grace time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	var current *heldToken
	for _, h := range v.byWebhook[webhookID] {
		if h.expires.IsZero() {
			current = h
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
	next.digest = digest(newValue)
	current.expires = v.clock().Add(grace)
	v.hold(&next)
	return nil
}

var errRedactedToken = fmt.Errorf(`%w: its value is "[REDACTED]", the placeholder of a token that was encoded and decoded; pass the token Clockify returned`, ErrBadToken)

// Remove forgets every token of a webhook.
func (v *Verifier) Remove(webhookID string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.remove(webhookID)
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
// token it matched. When two webhooks of the event hold the same token, the one held
// first matches. A signature that matches none is ErrInvalidSignature; when it is a
// token the Verifier held and no longer does (its webhook removed or given another
// token; one of the last 4,096 it forgot), or holds past its grace, the error says that
// the token is no longer valid, and a [Handler] does not reload its tokens for it.
func (v *Verifier) Verify(event clockify.WebhookEvent, signature string) (Match, error) {
	if signature == "" {
		return Match{}, ErrMissingSignature
	}
	got := sha256.Sum256([]byte(signature))
	now := v.clock()
	v.mu.RLock()
	defer v.mu.RUnlock()
	held, live := v.byDigest[got], false
	for _, h := range held {
		valid := !h.expired(now)
		if valid && h.event == event {
			return Match{WebhookID: h.webhookID, WorkspaceID: h.workspaceID}, nil
		}
		live = live || valid
	}
	if len(held) > 0 && !live || len(held) == 0 && v.dropped[got] {
		return Match{}, errStaleSignature
	}
	return Match{}, ErrInvalidSignature
}

// Len returns how many tokens are held, expired ones included until they are pruned.
func (v *Verifier) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	n := 0
	for _, hs := range v.byWebhook {
		n += len(hs)
	}
	return n
}

// Prune drops tokens whose grace period has ended.
func (v *Verifier) Prune() {
	now := v.clock()
	v.mu.Lock()
	defer v.mu.Unlock()
	for id, hs := range v.byWebhook {
		for _, h := range hs {
			if h.expired(now) {
				v.drop(h)
			}
		}
		v.byWebhook[id] = slices.DeleteFunc(hs, func(h *heldToken) bool { return h.expired(now) })
	}
}
