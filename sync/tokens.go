package sync

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// trustedTokens is the verifier of Handler and, for each webhook, the digest of the
// token it holds, to tell a token changed by another replica from the one held.
type trustedTokens struct {
	mu   gosync.Mutex
	v    *webhook.Verifier // nil until Handler is called
	held map[string][sha256.Size]byte
}

// trust makes Handler accept a webhook's token. With rotate, a different token held
// before stays valid for the rotation grace (deliveries already signed with it); without,
// it is dropped (Connect replacing a token nobody else holds).
func (e *Engine) trust(w Webhook, token clockify.Secret, rotate bool) error {
	t := &e.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.v == nil {
		return nil
	}
	d := sha256.Sum256([]byte(token.Reveal()))
	old, ok := t.held[w.ID]
	switch {
	case ok && old == d:
		return nil
	case ok && rotate:
		if err := t.v.Rotate(w.ID, token, e.grace); err != nil {
			return err
		}
	default:
		t.v.Remove(w.ID)
		if err := t.v.Add(webhook.Token{WebhookID: w.ID, Event: clockify.WebhookEvent(w.Event), WorkspaceID: w.WorkspaceID, Value: token}); err != nil {
			return err
		}
	}
	t.held[w.ID] = d
	return nil
}

// honour makes Handler accept tokens a rotation replaced until their grace ends.
func (e *Engine) honour(w Webhook, replaced []replacedToken) error {
	t := &e.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.v == nil {
		return nil
	}
	for _, r := range replaced {
		err := t.v.AddUntil(webhook.Token{WebhookID: w.ID, Event: clockify.WebhookEvent(w.Event), WorkspaceID: w.WorkspaceID, Value: r.value}, r.until)
		if err != nil {
			return err
		}
	}
	return nil
}

// distrust makes Handler refuse a webhook's tokens.
func (e *Engine) distrust(webhookID string) {
	t := &e.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.v != nil {
		t.v.Remove(webhookID)
		delete(t.held, webhookID)
	}
}

// RefreshTokens brings Handler's tokens in line with the store: the webhooks another
// replica registered are trusted, the tokens it rotated replace the old ones (which stay
// valid for the rotation grace, held or not before), and the webhooks it deleted are
// refused. The handler calls it when a signature matches no token it holds, so new
// tokens verify at once; refusing the deleted ones waits for a call: Run makes one every
// minute, and a host that schedules with sync/riverjobs makes its own. Before Handler is
// called it does nothing. A webhook stored without a token (a rotation cut short) keeps
// the token held.
//
// A token that does not open with the engine's sealing keys (sealed with a key the
// engine was not given) cannot verify anything; the others are brought in line all the
// same, and the error, an *UnreadableTokensError, names the webhooks (ResealSecrets has
// Clockify issue them new tokens).
func (e *Engine) RefreshTokens(ctx context.Context) error {
	e.tokens.mu.Lock()
	active := e.tokens.v != nil
	e.tokens.mu.Unlock()
	if !active {
		return nil
	}
	hooks, err := e.store.Webhooks(ctx, "")
	if err != nil {
		return err
	}
	stored := make(map[string]bool, len(hooks))
	var unreadable []string
	for _, w := range hooks {
		stored[w.ID] = true
		if w.SealedToken == nil {
			continue // its token being replaced (or lost with a failed rotation): the one held stays
		}
		tokens, err := e.openTokens(w)
		if err != nil {
			unreadable = append(unreadable, w.ID)
			continue
		}
		if err := e.trust(w, tokens.current, true); err != nil {
			return err
		}
		if err := e.honour(w, tokens.replaced); err != nil {
			return err
		}
	}
	e.tokens.mu.Lock()
	var gone []string
	for id := range e.tokens.held {
		if !stored[id] {
			gone = append(gone, id)
		}
	}
	e.tokens.mu.Unlock()
	for _, id := range gone {
		e.distrust(id)
	}
	if len(unreadable) > 0 {
		return &UnreadableTokensError{WebhookIDs: unreadable}
	}
	return nil
}

// UnreadableTokensError names the stored webhooks whose tokens do not open with the
// engine's sealing keys: their deliveries are refused until ResealSecrets (run with the
// key that sealed them given to WithPreviousSealKeys, or without it) has Clockify issue
// new tokens. It holds no secret.
type UnreadableTokensError struct {
	WebhookIDs []string
}

// Error names the webhooks.
func (e *UnreadableTokensError) Error() string {
	return fmt.Sprintf("clockifysync: the tokens of webhooks %s do not open with this sealing key; ResealSecrets replaces them",
		strings.Join(e.WebhookIDs, ", "))
}

// refreshTokens is RefreshTokens for the handler: tokens it cannot open are logged, not a
// failure, so that they do not keep every other workspace's deliveries from verifying.
func (e *Engine) refreshTokens(ctx context.Context) error {
	err := e.RefreshTokens(ctx)
	if u, ok := errors.AsType[*UnreadableTokensError](err); ok {
		e.log.ErrorContext(ctx, "clockifysync: reading the webhook tokens", "error", u.Error())
		return nil
	}
	return err
}

// webhookTokens is what a stored webhook's SealedToken holds: the webhook's token, and
// the tokens rotations replaced whose grace has not ended, so that every replica honours
// them, not only those that held them (a replica that first reads the tokens after a
// rotation, or reads none between two). Sealed, it is the token on a line of its own,
// then a line for each token replaced: when its grace ends (Unix milliseconds), a space
// and the token. A token is sent in an HTTP header, which holds no line break. A token
// sealed before replaced tokens were kept is the token alone, which reads the same.
type webhookTokens struct {
	current  clockify.Secret
	replaced []replacedToken
}

// replacedToken is a token a rotation replaced, valid until its grace ends.
type replacedToken struct {
	value clockify.Secret
	until time.Time
}

// maxReplaced bounds the replaced tokens a webhook keeps (the latest), should a host
// rotate over and over within one grace.
const maxReplaced = 4

// sealTokens seals a webhook's tokens for the store.
func (e *Engine) sealTokens(w Webhook, t webhookTokens) []byte {
	var b strings.Builder
	b.WriteString(t.current.Reveal())
	for _, r := range t.replaced {
		fmt.Fprintf(&b, "\n%d %s", r.until.UnixMilli(), r.value.Reveal())
	}
	return e.seal.seal(b.String(), w.WorkspaceID, purposeToken(w.ID))
}

// openTokens opens a stored webhook's tokens.
func (e *Engine) openTokens(w Webhook) (webhookTokens, error) {
	text, err := e.seal.open(w.SealedToken, w.WorkspaceID, purposeToken(w.ID))
	if err != nil {
		return webhookTokens{}, err
	}
	lines := strings.Split(text, "\n")
	t := webhookTokens{current: clockify.Secret(lines[0])}
	for _, line := range lines[1:] {
		ms, value, _ := strings.Cut(line, " ")
		if until, err := strconv.ParseInt(ms, 10, 64); err == nil && value != "" {
			t.replaced = append(t.replaced, replacedToken{clockify.Secret(value), time.UnixMilli(until)})
		}
	}
	return t, nil
}

// replacedBy returns the tokens a new token of a stored webhook replaces: its token, for
// the rotation grace from now, and the tokens it replaced whose grace goes on (the
// latest maxReplaced in all). A webhook stored without a token, or with one that does
// not open, leaves none.
func (e *Engine) replacedBy(w Webhook) []replacedToken {
	if w.SealedToken == nil {
		return nil
	}
	old, err := e.openTokens(w)
	if err != nil {
		return nil
	}
	now := e.now()
	out := []replacedToken{{old.current, now.Add(e.grace)}}
	for _, r := range old.replaced {
		if r.until.After(now) && len(out) < maxReplaced {
			out = append(out, r)
		}
	}
	return out
}
