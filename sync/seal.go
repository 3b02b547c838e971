package sync

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
)

// ErrSealKey is returned by New for a sealing key that is not 32 bytes.
var ErrSealKey = errors.New("clockifysync: the sealing key must be 32 bytes (AES-256)")

// errUnseal is returned for a sealed secret that does not open with the engine's keys: a
// different key, or bytes changed at rest. It says nothing of the secret.
var errUnseal = errors.New("clockifysync: a stored secret does not open with this sealing key")

// sealer seals secrets at rest with AES-256-GCM. The additional data binds a sealed
// value to its workspace and purpose, so that a value copied to another row does not open.
type sealer struct {
	aeads []cipher.AEAD // the key that seals, then the previous keys, which only open
}

func newSealer(key []byte, previous ...[]byte) (*sealer, error) {
	s := &sealer{}
	for _, k := range append([][]byte{key}, previous...) {
		if len(k) != 32 {
			return nil, ErrSealKey
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// seal returns nonce || ciphertext of secret, bound to workspaceID and purpose.
func (s *sealer) seal(secret, workspaceID, purpose string) []byte {
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("clockifysync: no randomness for a nonce") // crypto/rand does not fail on supported systems
	}
	return aead.Seal(nonce, nonce, []byte(secret), additional(workspaceID, purpose))
}

// open returns the secret that seal sealed for workspaceID and purpose.
func (s *sealer) open(sealed []byte, workspaceID, purpose string) (string, error) {
	secret, _, err := s.openWhich(sealed, workspaceID, purpose)
	return secret, err
}

// openWhich is open, also reporting whether the secret was sealed with a previous key.
func (s *sealer) openWhich(sealed []byte, workspaceID, purpose string) (secret string, previous bool, err error) {
	for i, aead := range s.aeads {
		n := aead.NonceSize()
		if len(sealed) < n+aead.Overhead() {
			return "", false, errUnseal
		}
		if plain, err := aead.Open(nil, sealed[:n], sealed[n:], additional(workspaceID, purpose)); err == nil {
			return string(plain), i > 0, nil
		}
	}
	return "", false, errUnseal
}

func additional(workspaceID, purpose string) []byte {
	return []byte("jasper-clockify/" + purpose + "/" + workspaceID)
}

// ResealSecrets seals again, with the engine's sealing key, every secret stored sealed
// with a previous one (WithPreviousSealKeys): it reseals the workspaces' API keys, and
// has Clockify issue new tokens for the webhooks of a workspace whose tokens were sealed
// with a previous key (RotateWebhookTokens), since a sealing key is rotated when it may
// have leaked. Secrets already sealed with the engine's key are left as they are, so a
// call that failed part way (Clockify out of reach) may be repeated. A workspace that
// fails (its key revoked, its secrets sealed with a key the engine was not given) keeps
// no other from being resealed: the error joins each workspace's.
func (e *Engine) ResealSecrets(ctx context.Context) error {
	conns, err := e.store.Connections(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, conn := range conns {
		if err := e.reseal(ctx, conn.WorkspaceID); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// reseal reseals one workspace's secrets (see ResealSecrets).
func (e *Engine) reseal(ctx context.Context, ws string) error {
	err := e.store.UpdateConnection(ctx, ws, func(c *Connection) error {
		if c.SealedAPIKey == nil {
			return nil
		}
		key, previous, err := e.seal.openWhich(c.SealedAPIKey, ws, purposeAPIKey)
		if err != nil || !previous {
			return err
		}
		c.SealedAPIKey = e.seal.seal(key, ws, purposeAPIKey)
		return nil
	})
	if err != nil {
		return fmt.Errorf("resealing the API key of %s: %w", ws, err)
	}
	hooks, err := e.store.Webhooks(ctx, ws)
	if err != nil {
		return err
	}
	// A token that opens with no key at all is replaced too.
	stale := slices.ContainsFunc(hooks, func(w Webhook) bool {
		_, previous, err := e.seal.openWhich(w.SealedToken, ws, purposeToken(w.ID))
		return err != nil || previous
	})
	if !stale {
		return nil
	}
	if err := e.RotateWebhookTokens(ctx, ws); err != nil {
		return fmt.Errorf("resealing the webhook tokens of %s: %w", ws, err)
	}
	return nil
}
