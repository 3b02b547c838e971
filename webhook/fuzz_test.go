package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// FuzzHandler sends the handler any method, event type, signature and body, and checks
// that it answers one of its statuses, applies only deliveries signed with the event's
// token, records every delivery, and never writes a token to a response, a record or a
// log line.
func FuzzHandler(f *testing.F) {
	f.Add("POST", "NEW_TIME_ENTRY", "tok-entry-AAAA", []byte(entryBody), false)
	f.Add("POST", "NEW_PROJECT", "tok-project-BBBB", []byte(projectBody), true)
	f.Add("GET", "NEW_TIME_ENTRY", "tok-entry-AAAA", []byte(entryBody), false)
	f.Add("POST", "NEW_TIME_ENTRY", "tok-entry-AAA", []byte(`{"id":"x","workspaceId":"ws1"}`), false)
	statuses := map[int]bool{200: true, 400: true, 401: true, 405: true, 413: true, 422: true, 500: true, 503: true}
	f.Fuzz(func(t *testing.T, method, event, signature string, body []byte, fail bool) {
		if !validMethod(method) {
			return // net/http never hands a handler such a request
		}
		fx := newFixture(t, WithMaxBodyBytes(4<<10))
		applied := 0
		fx.h.apply = func(_ context.Context, ev *Event) error {
			applied++
			require.True(t, signature == "tok-entry-AAAA" && event == "NEW_TIME_ENTRY" ||
				signature == "tok-project-BBBB" && event == "NEW_PROJECT", "applied %s signed %q", event, signature)
			if fail {
				return errors.New("store offline")
			}
			return nil
		}
		req := httptest.NewRequest(http.MethodPost, "/hooks/clockify", bytes.NewReader(body))
		req.Method = method
		req.Header.Set(SignatureHeader, signature)
		req.Header.Set(EventTypeHeader, event)
		w := fx.send(t, req)
		require.True(t, statuses[w.Code], "status %d", w.Code)
		recs := fx.log.Recent(0)
		require.Len(t, recs, 1)
		require.Equal(t, w.Code, recs[0].Status)
		require.LessOrEqual(t, len(recs[0].EventType), maxRecorded+len("…"))
		if w.Code != http.StatusOK && w.Code != http.StatusServiceUnavailable {
			require.Zero(t, applied)
		}
		for _, out := range []string{w.Body.String(), fmt.Sprintf("%+v", recs[0]), fx.logs.String()} {
			require.NotContains(t, out, "tok-entry-AAAA")
			require.NotContains(t, out, "tok-project-BBBB")
		}
	})
}

// validMethod reports whether net/http would accept m as a request method (a token).
func validMethod(m string) bool {
	return m != "" && !strings.ContainsFunc(m, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}
