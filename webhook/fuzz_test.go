package webhook

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse checks that any event type and body parse without panic into either a
// well-formed event or one of the sentinel errors.
func FuzzParse(f *testing.F) {
	f.Add("NEW_TIME_ENTRY", []byte(entryBody))
	f.Add("TIMER_STOPPED", []byte(entryBody))
	f.Add("PROJECT_DELETED", []byte(projectBody))
	f.Add("NEW_TAG", []byte(`{"id":"t"}`))
	f.Add("FOO", []byte(`{}`))
	f.Add("NEW_TIME_ENTRY", []byte(`{"id":"e","workspaceId":"w","timeInterval":{"start":"2020-07-17T11:35:01Z","end":null,"duration":null}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		ev, err := Parse(event, body)
		if err != nil {
			require.Nil(t, ev)
			require.True(t, errors.Is(err, ErrUnknownEventType) || errors.Is(err, ErrMalformedPayload), "unexpected error %v", err)
			require.Less(t, len(err.Error()), 200, "errors never quote the body")
			return
		}
		require.Equal(t, event, string(ev.Wire))
		switch {
		case ev.Kind.IsTimeEntry():
			require.NotNil(t, ev.TimeEntry)
			require.NotEmpty(t, ev.EntityID)
			require.NotEmpty(t, ev.WorkspaceID)
		case ev.Kind.IsProject():
			require.NotNil(t, ev.Project)
			require.NotEmpty(t, ev.EntityID)
		default:
			require.Equal(t, KindIgnored, ev.Kind)
			require.Nil(t, ev.TimeEntry)
			require.Nil(t, ev.Project)
		}
	})
}
