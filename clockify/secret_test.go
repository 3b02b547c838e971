package clockify

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2-token")
	h := Webhook{ID: "h", AuthToken: s}
	for _, out := range []string{
		s.String(), s.GoString(),
		fmt.Sprintf("%v %s %q %x %+v %#v %d", s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", h, h, &h),
	} {
		require.NotContains(t, out, "hunter2")
	}
	require.Equal(t, "hunter2-token", s.Reveal())
	require.Equal(t, `[REDACTED] clockify.Secret("[REDACTED]")`, fmt.Sprintf("%v %#v", s, s))
	require.Equal(t, "", Secret("").String())
	b, err := json.Marshal(h)
	require.NoError(t, err)
	require.NotContains(t, string(b), "hunter2", "JSON encoding redacts too")
	var back Webhook
	require.NoError(t, json.Unmarshal([]byte(`{"authToken":"hunter2-token"}`), &back))
	require.Equal(t, s, back.AuthToken, "decoding keeps the value")
	require.False(t, back.AuthToken.IsRedacted())
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, back.AuthToken.IsRedacted(), "a Secret that went through JSON holds only the placeholder")
	require.True(t, strings.Contains(s.LogValue().String(), "REDACTED"))
}
