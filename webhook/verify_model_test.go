package webhook

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// modelToken is a token as the naive model of TestVerifierAgreesWithModel holds it.
type modelToken struct {
	Token
	expires time.Time // zero: no expiry
}

// verifierModel is the Verifier's documented behaviour written the plain way: one list of
// tokens in the order they were held, searched from the start, and the values of the
// tokens it forgot.
type verifierModel struct {
	tokens  []modelToken
	dropped map[clockify.Secret]bool
}

// forget drops the tokens that match, and remembers the values no token held keeps.
func (m *verifierModel) forget(match func(modelToken) bool) {
	var gone []clockify.Secret
	for _, t := range m.tokens {
		if match(t) {
			gone = append(gone, t.Value)
		}
	}
	m.tokens = slices.DeleteFunc(m.tokens, match)
	for _, v := range gone {
		if !slices.ContainsFunc(m.tokens, func(t modelToken) bool { return t.Value == v }) {
			if m.dropped == nil {
				m.dropped = map[clockify.Secret]bool{}
			}
			m.dropped[v] = true
		}
	}
}

func (m *verifierModel) add(t Token) {
	m.remove(t.WebhookID)
	m.tokens = append(m.tokens, modelToken{Token: t})
}

func (m *verifierModel) remove(webhookID string) {
	m.forget(func(t modelToken) bool { return t.WebhookID == webhookID })
}

func (m *verifierModel) rotate(webhookID string, value clockify.Secret, expires time.Time) bool {
	i := slices.IndexFunc(m.tokens, func(t modelToken) bool { return t.WebhookID == webhookID && t.expires.IsZero() })
	if i < 0 {
		return false
	}
	next := m.tokens[i].Token
	next.Value = value
	m.tokens[i].expires = expires
	m.tokens = append(m.tokens, modelToken{Token: next})
	return true
}

func (m *verifierModel) addUntil(t Token, expires, now time.Time) {
	held := false
	for i, h := range m.tokens {
		if h.WebhookID == t.WebhookID && h.Value == t.Value {
			held = true
			if !h.expires.IsZero() && expires.Before(h.expires) {
				m.tokens[i].expires = expires
			}
		}
	}
	if !held && expires.After(now) {
		m.tokens = append(m.tokens, modelToken{Token: t, expires: expires})
	}
}

func (m *verifierModel) prune(now time.Time) {
	m.forget(func(t modelToken) bool { return !t.expires.IsZero() && !now.Before(t.expires) })
}

// verify matches the first token held; a signature that matches none is stale when
// every token held with its value is past its grace, or when it was forgotten.
func (m *verifierModel) verify(event clockify.WebhookEvent, signature string, now time.Time) (Match, error) {
	if signature == "" {
		return Match{}, ErrMissingSignature
	}
	held, live := false, false
	for _, t := range m.tokens {
		if t.Value.Reveal() != signature {
			continue
		}
		valid := t.expires.IsZero() || now.Before(t.expires)
		if t.Event == event && valid {
			return Match{WebhookID: t.WebhookID, WorkspaceID: t.WorkspaceID}, nil
		}
		held, live = true, live || valid
	}
	if held && !live || !held && m.dropped[clockify.Secret(signature)] {
		return Match{}, errStaleSignature
	}
	return Match{}, ErrInvalidSignature
}

// TestVerifierAgreesWithModel runs seeded streams of adds, rotations (with graces that
// end before, at and after the clock's steps), tokens held until a time (passed, now or
// to come), removals, prunes and steps of the clock over a few webhooks whose tokens
// often share a value, and checks every signature, bad inputs included, against the
// naive model above after each step.
func TestVerifierAgreesWithModel(t *testing.T) {
	hooks := []string{"h1", "h2", "h3", "h4"}
	events := []clockify.WebhookEvent{clockify.EventNewTimeEntry, clockify.EventTimeEntryDeleted, clockify.EventNewProject}
	values := []clockify.Secret{"tok-a", "tok-b", "tok-c", "tok-d", "tok-e", "tok-f"}
	signatures := append([]string{"", "tok-", "tok-aa", "[REDACTED]"}, func() (s []string) {
		for _, v := range values {
			s = append(s, v.Reveal())
		}
		return s
	}()...)
	for seed := range uint64(200) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 7))
			clock := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
			v, err := NewVerifier(nil, WithClock(clock.Now))
			require.NoError(t, err)
			var m verifierModel
			var matched int
			for step := range 60 {
				hook, value := hooks[rnd.IntN(len(hooks))], values[rnd.IntN(len(values))]
				switch op := rnd.IntN(11); {
				case op < 3 || op == 8: // a token held, or held until a time
					tok := Token{WebhookID: hook, Event: events[rnd.IntN(len(events))], WorkspaceID: []string{"", "ws1", "ws2"}[rnd.IntN(3)], Value: value}
					until := clock.Now().Add(time.Duration(rnd.IntN(4)-1) * time.Minute)
					add := func() error { return v.Add(tok) }
					if op == 8 {
						add = func() error { return v.AddUntil(tok, until) }
					}
					switch rnd.IntN(8) {
					case 0:
						tok.Value = ""
					case 1:
						tok.Value = "[REDACTED]"
					case 2:
						tok.Event = ""
					default:
						require.NoError(t, add())
						if op == 8 {
							m.addUntil(tok, until, clock.Now())
						} else {
							m.add(tok)
						}
						continue
					}
					require.ErrorIs(t, add(), ErrBadToken, "step %d", step)
				case op < 6:
					grace := time.Duration(rnd.IntN(4)) * time.Minute
					switch rnd.IntN(8) {
					case 0:
						value = ""
					case 1:
						value = "[REDACTED]"
					}
					err := v.Rotate(hook, value, grace)
					if value == "" || value.IsRedacted() {
						require.ErrorIs(t, err, ErrBadToken, "step %d", step)
						continue
					}
					if m.rotate(hook, value, clock.Now().Add(grace)) {
						require.NoError(t, err, "step %d", step)
					} else {
						require.ErrorIs(t, err, ErrBadToken, "step %d: nothing to rotate", step)
					}
				case op < 7:
					v.Remove(hook)
					m.remove(hook)
				case op < 8:
					v.Prune()
					m.prune(clock.Now())
				default:
					clock.Advance(time.Duration(rnd.IntN(3)) * time.Minute)
				}
				require.Equal(t, len(m.tokens), v.Len(), "step %d", step)
				for _, ev := range events {
					for _, sig := range signatures {
						want, wantErr := m.verify(ev, sig, clock.Now())
						got, err := v.Verify(ev, sig)
						require.Equal(t, wantErr, err, "step %d: %s signed %q", step, ev, sig)
						require.Equal(t, want, got, "step %d: %s signed %q", step, ev, sig)
						if wantErr == nil {
							matched++
						}
					}
				}
			}
			require.Positive(t, matched)
		})
	}
}
