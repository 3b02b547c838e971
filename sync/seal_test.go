package sync_test

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

// TestSecretsStaySealed checks that neither the API key nor a webhook token is stored,
// logged or reported in the clear.
func TestSecretsStaySealed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	secrets := []string{r.fx.OwnerKey}
	for _, h := range r.srv.Webhooks(ws) {
		secrets = append(secrets, h.AuthToken.Reveal())
	}
	require.NoError(t, r.eng.RotateWebhookTokens(ctx, ws))
	for _, h := range r.srv.Webhooks(ws) {
		secrets = append(secrets, h.AuthToken.Reveal())
	}
	conn, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	hooks, err := r.store.Webhooks(ctx, ws)
	require.NoError(t, err)
	for _, s := range secrets {
		require.NotEmpty(t, s)
		require.False(t, bytes.Contains(conn.SealedAPIKey, []byte(s)))
		for _, h := range hooks {
			require.False(t, bytes.Contains(h.SealedToken, []byte(s)))
		}
		require.NotContains(t, r.logs.String(), s)
	}

	// A sealed key copied to another workspace does not open there.
	other := conn
	other.WorkspaceID = "another-workspace"
	require.NoError(t, r.store.PutConnection(ctx, other))
	_, err = r.eng.SyncRecent(ctx, "another-workspace")
	require.Error(t, err)
	require.NotContains(t, err.Error(), r.fx.OwnerKey)

	// A delivery signed with a new token applies (the old ones: TestRotationGraceEnds).
	added := r.add(t, "after rotation", now.Add(-time.Hour))
	_, err = r.store.Entry(ctx, ws, added.ID)
	require.NoError(t, err)
}

// TestSealKeyRotation: an engine given the old sealing key as a previous one reads what
// was sealed with it, and ResealSecrets leaves nothing that needs the old key: the API
// key is sealed again, and the webhooks get new tokens. A second call changes nothing,
// and a disconnected workspace (no secret left) is no failure.
func TestSealKeyRotation(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	require.NoError(t, r.store.PutConnection(ctx, clockifysync.Connection{WorkspaceID: "disconnected",
		Status: clockifysync.StatusDisconnected, Schedule: clockifysync.ScheduleHourly}))
	newKey := make([]byte, 32)
	_, _ = rand.Read(newKey)
	engine := func(key []byte, opts ...clockifysync.Option) *clockifysync.Engine {
		return r.replicaSealedWith(t, r.store, key, opts...)
	}
	tokens := func() map[string]clockify.Secret {
		out := map[string]clockify.Secret{}
		for _, h := range r.srv.Webhooks(ws) {
			out[h.ID] = h.AuthToken
		}
		return out
	}

	_, err := engine(newKey).SyncRecent(ctx, ws)
	require.Error(t, err, "the new key alone does not open the old seal")
	rotating := engine(newKey, clockifysync.WithPreviousSealKeys(r.sealKey))
	_, err = rotating.SyncRecent(ctx, ws)
	require.NoError(t, err)

	before := tokens()
	require.NoError(t, rotating.ResealSecrets(ctx))
	after := tokens()
	require.Len(t, after, len(before))
	for id, tok := range after {
		require.NotEqual(t, before[id], tok, "webhook %s has a new token", id)
	}
	resealed, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.NoError(t, rotating.ResealSecrets(ctx))
	require.Equal(t, after, tokens(), "nothing left to reseal")
	again, err := r.store.Connection(ctx, ws)
	require.NoError(t, err)
	require.Equal(t, resealed.SealedAPIKey, again.SealedAPIKey, "an API key sealed with the new key is left as it is")

	rotated := engine(newKey)
	_, err = rotated.SyncRecent(ctx, ws)
	require.NoError(t, err, "the new key alone opens the API key")
	_, err = rotated.Handler(ctx)
	require.NoError(t, err, "and every webhook token")
	_, err = engine(r.sealKey).SyncRecent(ctx, ws)
	require.Error(t, err, "the old key opens nothing")
}

// TestResealGoesPastABrokenWorkspace: a workspace whose API key opens with no key the
// engine has keeps no other workspace from being resealed; the error names it.
func TestResealGoesPastABrokenWorkspace(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.connect(t)
	ws := r.fx.Workspace.ID
	ctx := t.Context()
	broken := "0-broken" // listed before the rig's workspace
	require.NoError(t, r.store.PutConnection(ctx, clockifysync.Connection{WorkspaceID: broken, Status: clockifysync.StatusConnected,
		SealedAPIKey: []byte("sealed with a key nobody has any more"), Schedule: clockifysync.ScheduleManual}))
	newKey := make([]byte, 32)
	_, _ = rand.Read(newKey)
	before := r.srv.Webhooks(ws)[0].AuthToken

	err := r.replicaSealedWith(t, r.store, newKey, clockifysync.WithPreviousSealKeys(r.sealKey)).ResealSecrets(ctx)
	require.ErrorContains(t, err, broken)
	require.NotContains(t, err.Error(), ws, "the other workspace was resealed")
	require.NotEqual(t, before, r.srv.Webhooks(ws)[0].AuthToken, "its webhooks have new tokens")
	_, err = r.replicaSealedWith(t, r.store, newKey).SyncRecent(ctx, ws)
	require.NoError(t, err, "the new key alone opens its API key")
}
