package sync

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
)

// ErrSealKey is returned by New for a sealing key that is not 32 bytes.
var ErrSealKey = errors.New("clockifysync: the sealing key must be 32 bytes (AES-256)")

// errUnseal is returned for a sealed secret that does not open with the engine's key: a
// different key, or bytes changed at rest. It says nothing of the secret.
var errUnseal = errors.New("clockifysync: a stored secret does not open with this sealing key")

// sealer seals secrets at rest with AES-256-GCM. The additional data binds a sealed
// value to its workspace and purpose, so that a value copied to another row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, ErrSealKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal returns nonce || ciphertext of secret, bound to workspaceID and purpose.
func (s *sealer) seal(secret, workspaceID, purpose string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("clockifysync: no randomness for a nonce") // crypto/rand does not fail on supported systems
	}
	return s.aead.Seal(nonce, nonce, []byte(secret), additional(workspaceID, purpose))
}

// open returns the secret that seal sealed for workspaceID and purpose.
func (s *sealer) open(sealed []byte, workspaceID, purpose string) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", errUnseal
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], additional(workspaceID, purpose))
	if err != nil {
		return "", errUnseal
	}
	return string(plain), nil
}

func additional(workspaceID, purpose string) []byte {
	return []byte("jasper-clockify/" + purpose + "/" + workspaceID)
}
