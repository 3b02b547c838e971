package webhook

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestVerifier(t *testing.T, clock *fakeClock) *Verifier {
	t.Helper()
	v, err := NewVerifier([]Token{
		{WebhookID: "h-entry", Event: clockify.EventNewTimeEntry, WorkspaceID: "ws1", Value: "tok-entry-AAAA"},
		{WebhookID: "h-project", Event: clockify.EventNewProject, Value: "tok-project-BBBB"},
	}, WithClock(clock.Now))
	require.NoError(t, err)
	return v
}

func TestVerify(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	v := newTestVerifier(t, clock)
	cases := []struct {
		name  string
		event clockify.WebhookEvent
		sig   string
		want  error
		hook  string
	}{
		{"right token", clockify.EventNewTimeEntry, "tok-entry-AAAA", nil, "h-entry"},
		{"other project token", clockify.EventNewProject, "tok-project-BBBB", nil, "h-project"},
		{"missing", clockify.EventNewTimeEntry, "", ErrMissingSignature, ""},
		{"wrong", clockify.EventNewTimeEntry, "tok-entry-AAAB", ErrInvalidSignature, ""},
		{"prefix", clockify.EventNewTimeEntry, "tok-entry-AAA", ErrInvalidSignature, ""},
		{"longer", clockify.EventNewTimeEntry, "tok-entry-AAAAA", ErrInvalidSignature, ""},
		{"extra spaces", clockify.EventNewTimeEntry, " tok-entry-AAAA ", ErrInvalidSignature, ""},
		{"another webhook's token for this event", clockify.EventNewTimeEntry, "tok-project-BBBB", ErrInvalidSignature, ""},
		{"right token, other event", clockify.EventTimerStopped, "tok-entry-AAAA", ErrInvalidSignature, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := v.Verify(tc.event, tc.sig)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.Empty(t, m.WebhookID)
				require.NotContains(t, err.Error(), "tok-")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.hook, m.WebhookID)
		})
	}
}

func TestEmptyVerifierRejectsEverything(t *testing.T) {
	v, err := NewVerifier(nil)
	require.NoError(t, err)
	for _, sig := range []string{"x", "tok", " ", "\x00"} {
		_, err := v.Verify(clockify.EventNewTimeEntry, sig)
		require.ErrorIs(t, err, ErrInvalidSignature)
	}
	var zero Verifier
	_, err = zero.Verify(clockify.EventNewTimeEntry, "x")
	require.ErrorIs(t, err, ErrInvalidSignature, "even a zero Verifier fails closed")
}

func TestRotation(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	v := newTestVerifier(t, clock)
	require.NoError(t, v.Rotate("h-entry", "tok-entry-NEW", 10*time.Minute))
	for _, sig := range []string{"tok-entry-AAAA", "tok-entry-NEW"} {
		m, err := v.Verify(clockify.EventNewTimeEntry, sig)
		require.NoError(t, err, "both tokens during the grace period")
		require.Equal(t, "h-entry", m.WebhookID)
		require.Equal(t, "ws1", m.WorkspaceID, "the new token keeps the webhook's binding")
	}
	clock.Advance(10 * time.Minute)
	_, err := v.Verify(clockify.EventNewTimeEntry, "tok-entry-AAAA")
	require.ErrorIs(t, err, ErrInvalidSignature, "the old token expires with the grace period")
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-entry-NEW")
	require.NoError(t, err)

	require.Equal(t, 3, v.Len())
	v.Prune()
	require.Equal(t, 2, v.Len())

	err = v.Rotate("nope", "x", time.Minute)
	require.ErrorIs(t, err, ErrBadToken)
	require.ErrorContains(t, err, `webhook "nope" holds no token to rotate`)
	require.ErrorIs(t, v.Rotate("h-entry", "", time.Minute), ErrBadToken)

	// Add replaces a webhook's tokens at once, the one a rotation keeps for its grace too.
	require.NoError(t, v.Rotate("h-entry", "tok-entry-NEWER", time.Hour))
	require.NoError(t, v.Add(Token{WebhookID: "h-entry", Event: clockify.EventNewTimeEntry, Value: "tok-3"}))
	for _, sig := range []string{"tok-entry-NEW", "tok-entry-NEWER"} {
		_, err = v.Verify(clockify.EventNewTimeEntry, sig)
		require.ErrorIs(t, err, ErrInvalidSignature, sig)
	}
	v.Remove("h-entry")
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-3")
	require.ErrorIs(t, err, ErrInvalidSignature)
	require.Equal(t, 1, v.Len())
}

// TestForgottenTokensAreBounded: the Verifier remembers the last maxDropped tokens it
// forgot as no longer valid, and no more.
func TestForgottenTokensAreBounded(t *testing.T) {
	v := newTestVerifier(t, &fakeClock{})
	// forget holds and then forgets the tokens tok-from to tok-(to-1).
	forget := func(from, to int) {
		for i := from; i < to; i++ {
			id := fmt.Sprint("h", i)
			require.NoError(t, v.Add(Token{WebhookID: id, Event: clockify.EventNewTimeEntry, Value: clockify.Secret(fmt.Sprint("tok-", i))}))
			v.Remove(id)
		}
	}
	forget(0, maxDropped+1)
	_, err := v.Verify(clockify.EventNewTimeEntry, "tok-0")
	require.Equal(t, ErrInvalidSignature, err, "the first forgotten, no longer remembered")
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-1")
	require.ErrorIs(t, err, errStaleSignature)
	_, err = v.Verify(clockify.EventNewTimeEntry, fmt.Sprint("tok-", maxDropped))
	require.ErrorIs(t, err, errStaleSignature)

	forget(maxDropped+1, 3*maxDropped)
	require.Len(t, v.dropped, maxDropped, "the memory of forgotten tokens stays bounded")
	require.Len(t, v.droppedOrder, maxDropped)
}

func TestBadTokens(t *testing.T) {
	for _, tok := range []Token{{}, {WebhookID: "h", Event: "E"}, {Value: "v", Event: "E"}, {Value: "v", WebhookID: "h"}} {
		_, err := NewVerifier([]Token{tok})
		require.ErrorIs(t, err, ErrBadToken)
	}
}

func TestRedactedTokenIsRefused(t *testing.T) {
	// A webhook stored as JSON and read back carries "[REDACTED]" as its token: holding
	// it would let anyone in who signs with that word.
	var h clockify.Webhook
	b, err := json.Marshal(clockify.Webhook{ID: "h1", WebhookEvent: clockify.EventNewTimeEntry, AuthToken: "real-token"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &h))
	require.True(t, h.AuthToken.IsRedacted())

	_, err = NewVerifier([]Token{{WebhookID: h.ID, Event: h.WebhookEvent, Value: h.AuthToken}})
	require.ErrorIs(t, err, ErrBadToken)
	require.NotContains(t, err.Error(), "real-token")

	v := newTestVerifier(t, &fakeClock{})
	require.ErrorIs(t, v.Rotate("h-entry", h.AuthToken, time.Minute), ErrBadToken)
	_, err = v.Verify(clockify.EventNewTimeEntry, "[REDACTED]")
	require.ErrorIs(t, err, ErrInvalidSignature)
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-entry-AAAA")
	require.NoError(t, err, "a refused rotation leaves the current token")
}

func TestManyWorkspaces(t *testing.T) {
	// A host serving many workspaces holds seven tokens for each.
	events := productEvents()
	tokens := workspaceTokens(300)
	clock := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	v, err := NewVerifier(tokens, WithClock(clock.Now))
	require.NoError(t, err)
	require.Equal(t, len(tokens), v.Len())
	for _, tok := range tokens {
		m, err := v.Verify(tok.Event, string(tok.Value))
		require.NoError(t, err)
		require.Equal(t, Match{WebhookID: tok.WebhookID, WorkspaceID: tok.WorkspaceID}, m)
	}

	// Rotating twice within the grace period keeps three tokens of the webhook valid;
	// pruning after it drops both old ones and nothing of any other webhook.
	require.NoError(t, v.Rotate("h-7-NEW_PROJECT", "tok-7-b", time.Hour))
	clock.Advance(30 * time.Minute)
	require.NoError(t, v.Rotate("h-7-NEW_PROJECT", "tok-7-c", time.Hour))
	for _, sig := range []string{"tok-7-NEW_PROJECT", "tok-7-b", "tok-7-c"} {
		m, err := v.Verify(clockify.EventNewProject, sig)
		require.NoError(t, err, sig)
		require.Equal(t, Match{WebhookID: "h-7-NEW_PROJECT", WorkspaceID: "ws7"}, m)
	}
	clock.Advance(30 * time.Minute)
	v.Prune()
	require.Equal(t, len(tokens)+1, v.Len(), "the first token expired, the second has half an hour left")
	require.Equal(t, v.Len(), byDigestLen(v), "pruned from both indexes")
	_, err = v.Verify(clockify.EventNewProject, "tok-7-NEW_PROJECT")
	require.ErrorIs(t, err, ErrInvalidSignature)
	clock.Advance(30 * time.Minute)
	v.Prune()
	require.Equal(t, len(tokens), v.Len())
	_, err = v.Verify(clockify.EventNewProject, "tok-7-b")
	require.ErrorIs(t, err, ErrInvalidSignature)
	_, err = v.Verify(clockify.EventNewProject, "tok-7-c")
	require.NoError(t, err)

	// Removing one workspace's webhooks leaves every other token.
	for _, ev := range events {
		v.Remove(fmt.Sprintf("h-3-%s", ev))
		_, err := v.Verify(ev, fmt.Sprintf("tok-3-%s", ev))
		require.ErrorIs(t, err, ErrInvalidSignature)
	}
	require.Equal(t, len(tokens)-len(events), v.Len())
	require.Equal(t, v.Len(), byDigestLen(v), "removed from both indexes")
	m, err := v.Verify(clockify.EventTimerStopped, "tok-4-TIMER_STOPPED")
	require.NoError(t, err)
	require.Equal(t, "h-4-TIMER_STOPPED", m.WebhookID)
}

func TestVerifierUnderConcurrentChanges(t *testing.T) {
	// Deliveries are verified while other workspaces connect, rotate, prune and leave.
	// Run with -race: the maps are shared by every goroutine.
	clock := &fakeClock{t: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	v, err := NewVerifier(workspaceTokens(50), WithClock(clock.Now))
	require.NoError(t, err)
	stable := workspaceTokens(10) // workspaces 0-9 are left alone
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 500 {
				tok := stable[(g*500+k)%len(stable)]
				m, err := v.Verify(tok.Event, string(tok.Value))
				if err != nil || m.WebhookID != tok.WebhookID {
					t.Errorf("%s: %v, %+v", tok.WebhookID, err, m)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for k := range 200 {
			w := 10 + k%40
			id := fmt.Sprintf("h-%d-%s", w, clockify.EventNewTimeEntry)
			switch k % 4 {
			case 0:
				v.Remove(id)
			case 1:
				_ = v.Add(Token{WebhookID: id, Event: clockify.EventNewTimeEntry, Value: clockify.Secret(fmt.Sprint("tok-", k))})
			case 2:
				_ = v.Rotate(id, clockify.Secret(fmt.Sprint("tok-rotated-", k)), time.Minute)
			default:
				v.Prune()
				_ = v.Len()
			}
		}
	})
	wg.Wait()
	for _, tok := range stable {
		_, err := v.Verify(tok.Event, string(tok.Value))
		require.NoError(t, err)
	}
}

func TestSharedTokenValue(t *testing.T) {
	// Clockify gives every webhook its own token, but a host may be handed two equal ones
	// (a test fixture, a copy-paste): the webhook held first matches, and each keeps its
	// token when the other one goes.
	v, err := NewVerifier([]Token{
		{WebhookID: "h-a", Event: clockify.EventNewTimeEntry, WorkspaceID: "ws-a", Value: "same"},
		{WebhookID: "h-b", Event: clockify.EventNewTimeEntry, WorkspaceID: "ws-b", Value: "same"},
		{WebhookID: "h-c", Event: clockify.EventNewProject, WorkspaceID: "ws-c", Value: "same"},
	})
	require.NoError(t, err)
	verify := func(ev clockify.WebhookEvent) string {
		t.Helper()
		m, err := v.Verify(ev, "same")
		if err != nil {
			return ""
		}
		return m.WebhookID
	}
	require.Equal(t, "h-a", verify(clockify.EventNewTimeEntry))
	require.Equal(t, "h-c", verify(clockify.EventNewProject), "the event picks among equal tokens")
	v.Remove("h-a")
	require.Equal(t, "h-b", verify(clockify.EventNewTimeEntry))
	require.NoError(t, v.Add(Token{WebhookID: "h-a", Event: clockify.EventNewTimeEntry, Value: "same"}))
	require.Equal(t, "h-b", verify(clockify.EventNewTimeEntry), "held again, h-a now comes after h-b")
	require.NoError(t, v.Add(Token{WebhookID: "h-b", Event: clockify.EventNewTimeEntry, Value: "other"}))
	require.Equal(t, "h-a", verify(clockify.EventNewTimeEntry))
	require.Equal(t, 3, v.Len())
	v.Remove("h-a")
	v.Remove("h-c")
	require.Empty(t, verify(clockify.EventNewTimeEntry))
	require.Empty(t, verify(clockify.EventNewProject))
	require.Equal(t, 1, v.Len())
}

// productEvents are the events of the webhooks a host registers for each workspace.
func productEvents() []clockify.WebhookEvent {
	return []clockify.WebhookEvent{
		clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated, clockify.EventTimeEntryDeleted,
		clockify.EventTimerStopped, clockify.EventNewProject, clockify.EventProjectUpdated, clockify.EventProjectDeleted,
	}
}

// workspaceTokens returns the tokens of a host serving n workspaces: one webhook per
// event of productEvents in each, webhook "h-W-EVENT" signing with "tok-W-EVENT".
func workspaceTokens(n int) []Token {
	var tokens []Token
	for w := range n {
		for _, ev := range productEvents() {
			tokens = append(tokens, Token{
				WebhookID: fmt.Sprintf("h-%d-%s", w, ev), Event: ev, WorkspaceID: fmt.Sprintf("ws%d", w),
				Value: clockify.Secret(fmt.Sprintf("tok-%d-%s", w, ev)),
			})
		}
	}
	return tokens
}

// byDigestLen counts the tokens the verifier finds by digest, to check that the index
// agrees with Len.
func byDigestLen(v *Verifier) int {
	n := 0
	for _, hs := range v.byDigest {
		n += len(hs)
	}
	return n
}
