package sync

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// TestStoredTokensKeepWhatTheGraceCovers: each rotation stores the new token with the
// tokens it replaced whose grace goes on, the latest four, and a token sealed before
// replaced tokens were kept (the token alone) opens as the current one.
func TestStoredTokensKeepWhatTheGraceCovers(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	s, err := newSealer(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	e := &Engine{seal: s, now: func() time.Time { return at }, grace: 10 * time.Minute}
	w := Webhook{WorkspaceID: "ws1", ID: "h1", Event: string(clockify.EventNewTimeEntry)}

	w.SealedToken = e.seal.seal("tok-0", w.WorkspaceID, purposeToken(w.ID))
	got, err := e.openTokens(w)
	require.NoError(t, err)
	require.Equal(t, webhookTokens{current: "tok-0"}, got, "sealed as the token alone")

	for i := 1; i <= 6; i++ {
		at = at.Add(time.Minute) // each rotation a minute after the one before
		w.SealedToken = e.sealTokens(w, webhookTokens{current: clockify.Secret(fmt.Sprint("tok-", i)), replaced: e.replacedBy(w)})
	}
	got, err = e.openTokens(w)
	require.NoError(t, err)
	require.Equal(t, clockify.Secret("tok-6"), got.current)
	var replaced []string
	for _, r := range got.replaced {
		replaced = append(replaced, fmt.Sprintf("%s until %s", r.value.Reveal(), r.until.UTC().Format("15:04")))
	}
	require.Equal(t, []string{"tok-5 until 12:16", "tok-4 until 12:15", "tok-3 until 12:14", "tok-2 until 12:13"}, replaced)

	at = at.Add(8*time.Minute + 30*time.Second) // 12:14:30: the grace of tok-2 and tok-3 has ended
	var left []string
	for _, r := range e.replacedBy(w) {
		left = append(left, r.value.Reveal())
	}
	require.Equal(t, []string{"tok-6", "tok-5", "tok-4"}, left)

	require.Empty(t, e.replacedBy(Webhook{WorkspaceID: "ws1", ID: "h1"}), "stored without a token")
	require.Empty(t, e.replacedBy(Webhook{WorkspaceID: "ws1", ID: "h1", SealedToken: []byte("sealed with another key, long enough")}))
	require.False(t, bytes.Contains(w.SealedToken, []byte("tok-")), "sealed")
}

// TestTrustedAgainAfterDistrust: a webhook's token that Handler was told to refuse
// verifies again once trusted again, the same token too (the digests of the tokens held
// forget the webhook with the verifier).
func TestTrustedAgainAfterDistrust(t *testing.T) {
	e, v, w := trustingTok1(t)
	e.distrust(w.ID)
	_, err := v.Verify(clockify.EventNewTimeEntry, "tok-1")
	require.ErrorIs(t, err, webhook.ErrInvalidSignature)
	require.NoError(t, e.trust(w, "tok-1", true))
	_, err = v.Verify(clockify.EventNewTimeEntry, "tok-1")
	require.NoError(t, err)
}

// TestTrustedAgainAfterARotation: a refresh that reads the token a rotation installed
// trusts it again as it is: nothing more is held (the replaced token, in its grace, and
// the new one), and both still verify.
func TestTrustedAgainAfterARotation(t *testing.T) {
	e, v, w := trustingTok1(t)
	require.NoError(t, e.trust(w, "tok-2", true))
	for range 3 {
		require.NoError(t, e.trust(w, "tok-2", true))
	}
	require.Equal(t, 2, v.Len())
	for _, tok := range []string{"tok-1", "tok-2"} {
		_, err := v.Verify(clockify.EventNewTimeEntry, tok)
		require.NoError(t, err, tok)
	}
}

// trustingTok1 returns an engine whose handler's verifier trusts one webhook's token,
// "tok-1" (its grace an hour), with the verifier and the webhook.
func trustingTok1(t *testing.T) (*Engine, *webhook.Verifier, Webhook) {
	t.Helper()
	v, err := webhook.NewVerifier(nil)
	require.NoError(t, err)
	e := &Engine{grace: time.Hour}
	e.tokens.v, e.tokens.held = v, map[string][sha256.Size]byte{}
	w := Webhook{WorkspaceID: "ws1", ID: "h1", Event: string(clockify.EventNewTimeEntry)}
	require.NoError(t, e.trust(w, "tok-1", false))
	return e, v, w
}
