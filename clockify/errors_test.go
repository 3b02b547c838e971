package clockify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

func TestAPIErrors(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		hdr      []string
		is       error
		code     int
		contains string
	}{
		{"unknown key", 401, `{"message":"Api key does not exist","code":4003}`, nil, ErrInvalidAPIKey, 4003, "regenerate it in Clockify"},
		{"no credential", 401, `{"message":"Multiple or none auth tokens present","code":1000}`, nil, ErrInvalidAPIKey, 1000, "spaces"},
		{"foreign workspace", 403, `{"message":"Access Denied","code":501}`, nil, ErrForbidden, 501, "no access"},
		{"unknown id", 400, `{"message":"Time entry doesn't belong to Workspace","code":501}`, nil, ErrNotFound, 501, "doesn't belong"},
		{"unknown route", 404, `{"message":"No static resource v1/x.","code":3000}`, nil, nil, 3000, "No static resource"},
		{"no running timer", 404, `{"message":"No running time entry","code":501}`, nil, ErrNotFound, 501, "No running"},
		{"404 of no Clockify code", 404, `<html>Not Found</html>`, nil, ErrNotFound, 0, "Not Found"},
		{"rate limited", 429, `{"message":"Too many requests"}`, []string{"Retry-After", "0"}, ErrRateLimited, 0, "Too many requests"},
		{"quoted code", 400, `{"message":"bad","code":"42"}`, nil, nil, 42, "bad"},
		{"quoted non-number code", 400, `{"message":"bad","code":"E42"}`, nil, nil, 0, "bad"},
		{"plain text", 400, "Page size cannot be larger than 5,000.", nil, nil, 0, "5,000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			respond(mt, "GET", coreBase+"v1/user", tc.status, tc.body, tc.hdr...)
			_, resp, err := c.Users.Current(context.Background())
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tc.status, ae.StatusCode)
			require.Equal(t, tc.status, resp.StatusCode)
			require.Equal(t, tc.code, ae.Code)
			require.Equal(t, "GET", ae.Method)
			require.Equal(t, "/api/v1/user", ae.Path)
			require.Contains(t, ae.Error(), tc.contains)
			for _, s := range []error{ErrInvalidAPIKey, ErrForbidden, ErrNotFound, ErrRateLimited} {
				require.Equal(t, s == tc.is, errors.Is(err, s), "errors.Is(%v)", s)
			}
		})
	}
}

// TestAPIErrorMessageIsShort: a proxy's HTML page or an overlong message is cut, between
// characters, so that an error string stays a line of valid UTF-8.
func TestAPIErrorMessageIsShort(t *testing.T) {
	for _, body := range []string{
		"<html> " + strings.Repeat("é", 300) + "</html>",
		`{"message":"` + strings.Repeat("ü", 5000) + `","code":501}`,
	} {
		c, mt := newMockClient(t)
		respond(mt, "GET", coreBase+"v1/user", 400, body)
		_, _, err := c.Users.Current(context.Background())
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.True(t, utf8.ValidString(ae.Message), "%q", ae.Message)
		require.LessOrEqual(t, len(ae.Message), 500)
		require.True(t, strings.HasSuffix(ae.Message, "…"))
	}

	// A page in another encoding stays valid UTF-8 too.
	c, mt := newMockClient(t)
	respond(mt, "GET", coreBase+"v1/user", 400, "proxy: caf\xe9 closed")
	_, _, err := c.Users.Current(context.Background())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "proxy: caf\uFFFD closed", ae.Message)

	// The key is removed before the cut, which could otherwise leave part of it.
	for pad := 180; pad < 200; pad++ {
		c, mt := newMockClient(t)
		respond(mt, "GET", coreBase+"v1/user", 400, strings.Repeat(".", pad)+"key "+testKey+" is odd")
		_, _, err := c.Users.Current(context.Background())
		require.NotContains(t, err.Error(), testKey[:8])
	}
}

func TestShorten(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abc…"},
		{"abcdefghijkl", 10, "abcdefg…"},
		{"ab\u00e9\u00e9\u00e9", 6, "ab…"},    // the cut would split an é
		{strings.Repeat("\x80", 20), 10, "…"}, // no character starts before the cut
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, shorten(tc.in, tc.n), "%q", tc.in)
	}
}

func TestAPIErrorString(t *testing.T) {
	e := &APIError{Method: "GET", Path: "/api/v1/x", StatusCode: 400, Code: 501, Message: "bad"}
	require.Equal(t, "clockify: GET /api/v1/x: 400 Bad Request (code 501): bad", e.Error())
	e.Code, e.Message = 0, ""
	require.Equal(t, "clockify: GET /api/v1/x: 400 Bad Request", e.Error())
	e.StatusCode, e.RetryAfter = 429, 90*time.Second
	require.Equal(t, "clockify: GET /api/v1/x: 429 Too Many Requests; retry after 1m30s", e.Error())
	e.RetryAfter = 0
	require.Equal(t, "clockify: GET /api/v1/x: 429 Too Many Requests", e.Error(), "no wait asked for, none told")
}

// TestTransportErrorString: a network error that quotes the key (a proxy echoing the
// request's headers, say) is redacted in the error and in the log; a TransportError built
// by hand formats as well.
func TestTransportErrorString(t *testing.T) {
	var logs bytes.Buffer
	c, mt := newMockClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	cause := errors.New("proxy refused X-Api-Key: " + testKey)
	mt.RegisterResponder("GET", coreBase+"v1/user", httpmock.NewErrorResponder(cause))
	_, _, err := c.Users.Current(context.Background())
	var te *TransportError
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, cause, "the network error is unwrapped")
	require.Equal(t, "clockify: GET /api/v1/user: proxy refused X-Api-Key: "+redacted, err.Error())
	require.Contains(t, logs.String(), "proxy refused X-Api-Key: "+redacted)
	require.NotContains(t, logs.String(), testKey)

	te = &TransportError{Method: "GET", Path: "/api/v1/user", Err: errors.New("reset")}
	require.Equal(t, "clockify: GET /api/v1/user: reset", te.Error())
}

func TestDecodeErrorIsReported(t *testing.T) {
	c, mt := newMockClient(t)
	respond(mt, "GET", coreBase+"v1/user", 200, `{"id":`)
	_, _, err := c.Users.Current(context.Background())
	require.ErrorContains(t, err, "decode response")
}

// TestDecodeErrorQuotesNothingFromTheBody: an answer that echoes the key into a value
// that does not decode leaves no part of it in the error, even where Go's own error
// would cut the value in the middle of the key.
func TestDecodeErrorQuotesNothingFromTheBody(t *testing.T) {
	interval := func(start, duration string) string {
		return `{"id":"e1","timeInterval":{"start":"` + start + `","duration":"` + duration + `"}}`
	}
	cases := []struct {
		name, body, want string
		is               error
	}{
		{"time", interval("000000000"+testKey, "PT1H"), "decode response: a time that is not RFC 3339", nil},
		{"duration cut inside the key", interval("2026-11-01T09:00:00Z", "PT1H"+strings.Repeat("x", 16)+testKey),
			"decode response: a duration that is not a strict ISO-8601 duration", ErrBadDuration},
		{"number for a string", `{"id":12,"description":"` + testKey + `"}`, "decode response: a JSON number where id is a string", nil},
		{"syntax", `{"description":"` + testKey + `",`, "decode response: invalid JSON at byte", nil},
		{"object for a list", `{"tags":{"x":1}}`, "decode response: a JSON object where tags is a []clockify.Tag", nil},
		{"list for the entry", `["` + testKey + `"]`, "decode response: a JSON array where the body is a clockify.TimeEntry", nil},
		// encoding/json reports this one as time.Time's own error; built on json/v2
		// (GOEXPERIMENT=jsonv2), as a type mismatch.
		{"number for a time", `{"timeInterval":{"start":12}}`, "decode response: a value of the wrong shape|decode response: a JSON number where start is a time.Time", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			respond(mt, "GET", coreBase+"v1/workspaces/"+ws+"/time-entries/e1", 200, tc.body)
			_, _, err := c.TimeEntries.Get(context.Background(), ws, "e1", false)
			require.Error(t, err)
			checkNoKey(t, err.Error())
			checkNoKey(t, fmt.Sprintf("%+v", err))
			wants := strings.Split(tc.want, "|")
			for i := range wants {
				wants[i] = "clockify: GET /api/v1/workspaces/" + ws + "/time-entries/e1: " + wants[i]
			}
			require.True(t, slices.ContainsFunc(wants, func(w string) bool { return strings.Contains(err.Error(), w) }),
				"%q holds none of %q", err, wants)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
		})
	}
}
