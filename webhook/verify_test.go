package webhook

import (
	"encoding/json"
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

	// Add replaces a webhook's token at once.
	require.NoError(t, v.Add(Token{WebhookID: "h-entry", Event: clockify.EventNewTimeEntry, Value: "tok-3"}))
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-entry-NEW")
	require.ErrorIs(t, err, ErrInvalidSignature)
	v.Remove("h-entry")
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-3")
	require.ErrorIs(t, err, ErrInvalidSignature)
	require.Equal(t, 1, v.Len())
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
