package sync

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSealerOpensOnlyWhatItSealed: a sealed secret opens with its key (or a previous
// one, which open reports) for its workspace and purpose only; any other, and any bytes
// changed or cut short at rest, give errUnseal, never a panic.
func TestSealerOpensOnlyWhatItSealed(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	old, err := newSealer(oldKey)
	require.NoError(t, err)
	s, err := newSealer(newKey, oldKey)
	require.NoError(t, err)

	for _, secret := range []string{"", "key-0123456789abcdef"} {
		sealed := s.seal(secret, "ws1", "api-key")
		got, previous, err := s.openWhich(sealed, "ws1", "api-key")
		require.NoError(t, err, "%q", secret)
		require.Equal(t, secret, got)
		require.False(t, previous)

		got, previous, err = s.openWhich(old.seal(secret, "ws1", "api-key"), "ws1", "api-key")
		require.NoError(t, err, "%q sealed with the previous key", secret)
		require.Equal(t, secret, got)
		require.True(t, previous)

		_, err = old.open(sealed, "ws1", "api-key")
		require.ErrorIs(t, err, errUnseal, "a key that did not seal it")
		_, err = s.open(sealed, "ws2", "api-key")
		require.ErrorIs(t, err, errUnseal, "another workspace")
		_, err = s.open(sealed, "ws1", purposeToken("h1"))
		require.ErrorIs(t, err, errUnseal, "another purpose")
		for n := range len(sealed) {
			_, err = s.open(sealed[:n], "ws1", "api-key")
			require.ErrorIs(t, err, errUnseal, "cut to %d bytes", n)
		}
		for i := range sealed {
			changed := bytes.Clone(sealed)
			changed[i] ^= 0x80
			_, err = s.open(changed, "ws1", "api-key")
			require.ErrorIs(t, err, errUnseal, "byte %d changed", i)
		}
	}
}
