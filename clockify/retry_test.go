package clockify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// sequence answers successive requests with the given responders, then fails the test.
func sequence(t *testing.T, rs ...httpmock.Responder) httpmock.Responder {
	i := 0
	return func(r *http.Request) (*http.Response, error) {
		if i >= len(rs) {
			t.Errorf("unexpected request %d to %s", i+1, r.URL)
			return httpmock.NewStringResponse(500, "too many"), nil
		}
		i++
		return rs[i-1](r)
	}
}

func status(code int, body string, hdr ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(code, body)
		for i := 0; i+1 < len(hdr); i += 2 {
			resp.Header.Set(hdr[i], hdr[i+1])
		}
		return resp, nil
	}
}

// truncated answers 200 with a body that fails half-way, like a dropped connection.
func truncated() httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(200, "")
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"id":"u`), errReader{io.ErrUnexpectedEOF}))
		return resp, nil
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestRetryIsLogged: each retry is logged at debug level with the number of the attempt
// it leads to, the status that caused it and whether the wait came from Retry-After.
func TestRetryIsLogged(t *testing.T) {
	var logs bytes.Buffer
	c, mt := newMockClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	mt.RegisterResponder("GET", coreBase+"v1/user", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(503, ""), httpmock.NewStringResponse(200, `{}`),
	}))
	_, _, err := c.Users.Current(context.Background())
	require.NoError(t, err)
	require.Contains(t, logs.String(), `msg="clockify: retrying" attempt=2 status=503`)
	require.Contains(t, logs.String(), "retry_after=false")
}

func TestRetries(t *testing.T) {
	ok := status(200, `{"id":"u1"}`)
	netErr := httpmock.NewErrorResponder(errors.New("connection reset by peer"))
	refused := httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	cases := []struct {
		name      string
		policy    *RetryPolicy
		method    string
		answers   []httpmock.Responder
		wantCalls int
		wantErr   error // nil means success
		status    int   // the APIError's status, when an APIError is expected
	}{
		{"503 then ok", nil, "GET", []httpmock.Responder{status(503, ``), ok}, 2, nil, 0},
		{"502 504 then ok", nil, "GET", []httpmock.Responder{status(502, ``), status(504, ``), ok}, 3, nil, 0},
		{"429 retry-after then ok", nil, "GET", []httpmock.Responder{status(429, ``, "Retry-After", "1"), ok}, 2, nil, 0},
		{"network error then ok", nil, "GET", []httpmock.Responder{netErr, ok}, 2, nil, 0},
		{"truncated body then ok", nil, "GET", []httpmock.Responder{truncated(), ok}, 2, nil, 0},
		{"500 is not retried", nil, "GET", []httpmock.Responder{status(500, `{"message":"boom"}`)}, 1, &APIError{}, 500},
		{"400 is not retried", nil, "GET", []httpmock.Responder{status(400, `{"message":"x"}`)}, 1, &APIError{}, 400},
		{"429 exhausted keeps the answer", nil, "GET", []httpmock.Responder{status(429, `{"message":"Too many requests"}`), status(429, `{"message":"Too many requests"}`), status(429, `{"message":"Too many requests"}`)}, 3, ErrRateLimited, 429},
		{"503 exhausted keeps the answer", nil, "GET", []httpmock.Responder{status(503, `{"message":"down"}`), status(503, `{"message":"down"}`), status(503, `{"message":"down"}`)}, 3, &APIError{}, 503},
		{"network errors exhausted", nil, "GET", []httpmock.Responder{netErr, netErr, netErr}, 3, &TransportError{}, 0},
		{"POST not retried", nil, "POST", []httpmock.Responder{status(503, ``)}, 1, &APIError{}, 503},
		{"POST network error not retried", nil, "POST", []httpmock.Responder{netErr}, 1, &TransportError{}, 0},
		// A 429 is refused before anything is done, and a connection never opened carried
		// nothing: a write is safe to send again.
		{"POST retried after 429", nil, "POST", []httpmock.Responder{status(429, ``, "Retry-After", "0"), ok}, 2, nil, 0},
		{"POST retried when the connection is refused", nil, "POST", []httpmock.Responder{refused, ok}, 2, nil, 0},
		{"POST 429 exhausted", nil, "POST", []httpmock.Responder{status(429, ``), status(429, ``), status(429, ``)}, 3, ErrRateLimited, 429},
		{"POST retried on opt-in", &RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond, RetryWrites: true}, "POST", []httpmock.Responder{status(503, ``), ok}, 2, nil, 0},
		{"one attempt", &RetryPolicy{MaxAttempts: 1}, "GET", []httpmock.Responder{status(503, ``)}, 1, &APIError{}, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.policy != nil {
				opts = append(opts, WithRetryPolicy(*tc.policy))
			}
			c, mt := newMockClient(t, opts...)
			path := "v1/user"
			if tc.method == "POST" {
				path = "v1/workspaces/" + ws + "/time-entries"
			}
			mt.RegisterResponder(tc.method, coreBase+path, sequence(t, tc.answers...))
			var err error
			if tc.method == "POST" {
				_, _, err = c.TimeEntries.Create(context.Background(), ws, &TimeEntryRequest{Description: "x"})
			} else {
				_, _, err = c.Users.Current(context.Background())
			}
			require.Equal(t, tc.wantCalls, mt.GetTotalCallCount())
			switch want := tc.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *APIError:
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				require.Equal(t, tc.status, ae.StatusCode)
			case *TransportError:
				var te *TransportError
				require.ErrorAs(t, err, &te)
				require.Contains(t, te.Error(), "connection reset")
				require.NotContains(t, te.Error(), "giving up")
			default:
				require.ErrorIs(t, err, want)
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				require.Equal(t, tc.status, ae.StatusCode)
			}
		})
	}
}

func TestReadOnlyPostsAreRetried(t *testing.T) {
	c, mt := newMockClient(t)
	mt.RegisterResponder("POST", coreBase+"v1/workspaces/"+ws+"/webhooks/h1/logs", sequence(t, status(503, ``), status(200, `[]`)))
	mt.RegisterResponder("POST", repBase+"v1/workspaces/"+ws+"/reports/detailed", sequence(t, status(502, ``), status(200, `{"timeentries":[]}`)))
	_, _, err := c.Webhooks.Logs(context.Background(), ws, "h1", nil)
	require.NoError(t, err)
	_, _, err = c.Reports.Detailed(context.Background(), ws, &DetailedReportRequest{Start: time.Now().Add(-time.Hour), End: time.Now()})
	require.NoError(t, err)
	require.Equal(t, 4, mt.GetTotalCallCount())
}

func TestBackoff(t *testing.T) {
	c, _ := newMockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 5, MinWait: 100 * time.Millisecond, MaxWait: time.Second, MaxRetryAfter: 3 * time.Second}))
	withHeader := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	now := time.Now()
	cases := []struct {
		name     string
		attempt  int
		resp     *http.Response
		min, max time.Duration
	}{
		{"first backoff", 0, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"second doubles", 1, &http.Response{StatusCode: 503}, 100 * time.Millisecond, 200 * time.Millisecond},
		{"capped", 10, nil, 500 * time.Millisecond, time.Second},
		{"retry-after seconds", 0, withHeader("2"), 2 * time.Second, 2 * time.Second},
		{"retry-after capped", 0, withHeader("120"), 3 * time.Second, 3 * time.Second},
		{"retry-after huge", 0, withHeader("99999999999"), 3 * time.Second, 3 * time.Second},
		{"retry-after date", 0, withHeader(now.Add(2 * time.Second).UTC().Format(http.TimeFormat)), 0, 2 * time.Second},
		{"retry-after past date", 0, withHeader(now.Add(-time.Hour).UTC().Format(http.TimeFormat)), 0, 0},
		{"retry-after garbage", 0, withHeader("soon"), 50 * time.Millisecond, 100 * time.Millisecond},
		{"retry-after negative", 0, withHeader("-5"), 50 * time.Millisecond, 100 * time.Millisecond},
		{"retry-after zero: at once", 1, withHeader("0"), 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 { // jitter: every draw stays in range
				d := c.backoff(100*time.Millisecond, time.Second, tc.attempt, tc.resp)
				require.GreaterOrEqual(t, d, tc.min)
				require.LessOrEqual(t, d, tc.max)
			}
		})
	}
	require.Equal(t, time.Duration(0), jitter(0))
	require.Equal(t, time.Duration(1), jitter(1))
	for range 50 {
		require.Contains(t, []time.Duration{1, 2}, jitter(2))
	}
	// Clients refused at once must not retry in step: the draws spread over [d/2, d]
	// (20 equal draws out of 500,000,001 values would be chance beyond any test run).
	draws := map[time.Duration]bool{}
	for range 20 {
		draws[jitter(time.Second)] = true
	}
	require.Greater(t, len(draws), 1, "jitter must spread the waits")
	require.Equal(t, time.Second, exponential(time.Second, time.Second, 3))
	ms := time.Millisecond
	for attempt, want := range []time.Duration{250 * ms, 500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second} {
		require.Equal(t, want, exponential(250*ms, 5*time.Second, attempt), "attempt %d", attempt)
	}
	require.Equal(t, 5*time.Second, exponential(250*ms, 5*time.Second, 100), "no overflow however many attempts")
	require.Equal(t, time.Duration(2), exponential(1, math.MaxInt64, 1))
	require.Equal(t, time.Duration(math.MaxInt64), exponential(1, math.MaxInt64, 100), "nor with the largest cap")
	// Retry-After in seconds is capped at a day before it is a Duration.
	for v, want := range map[string]time.Duration{"86400": 24 * time.Hour, "86401": 24 * time.Hour, "0": 0} {
		got, ok := retryAfter(withHeader(v), now)
		require.True(t, ok, v)
		require.Equal(t, want, got, v)
	}
}

func TestRateWaitBeyondDeadlineIsNotRetried(t *testing.T) {
	c, mt := newMockClient(t, WithRateLimit(0.001, 1))
	mt.RegisterResponder("GET", coreBase+"v1/user", status(200, `{}`))
	_, _, err := c.Users.Current(context.Background()) // takes the one token
	require.NoError(t, err)
	// The next token is ~17 minutes away, beyond the deadline: fail at once, send nothing.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Second))
	defer cancel()
	_, _, err = c.Users.Current(ctx)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	require.ErrorContains(t, err, "rate limit")
	require.ErrorIs(t, err, context.DeadlineExceeded, "the deadline is why it was not sent")
	require.Equal(t, 1, mt.GetTotalCallCount(), "the call never reached the server")
}

func TestRetryAfterBeyondDeadlineReturnsTheAnswer(t *testing.T) {
	// Waiting out a Retry-After that ends after the caller's deadline would only turn a
	// 429 into a deadline error: the call returns the 429, and how long to wait, at once.
	c, mt := newMockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: time.Millisecond, MaxRetryAfter: time.Hour}))
	mt.RegisterResponder("GET", coreBase+"v1/user", status(429, `{"message":"Too many requests"}`, "Retry-After", "600"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err := c.Users.Current(ctx)
	require.ErrorIs(t, err, ErrRateLimited)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 10*time.Minute, ae.RetryAfter)
	require.Equal(t, 1, mt.GetTotalCallCount())
	require.NoError(t, ctx.Err())
}

func TestCancelledContext(t *testing.T) {
	c, mt := newMockClient(t)
	mt.RegisterResponder("GET", coreBase+"v1/user", status(200, `{}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := c.Users.Current(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, mt.GetTotalCallCount())
}

// TestRetriedDeleteOfAGoneEntity: when an attempt's answer is lost (a 503 from a proxy, a
// reset connection) after Clockify deleted the entity, the retry is told it does not
// exist. The entity is gone, as asked: Delete reports success. Without a retry, a missing
// id is still ErrNotFound; a retry told that the path has no route (404, code 3000) fails.
func TestRetriedDeleteOfAGoneEntity(t *testing.T) {
	gone := status(400, `{"message":"Time entry doesn't belong to Workspace","code":501}`)
	entryURL := coreBase + "v1/workspaces/" + ws + "/time-entries/e1"
	hookURL := coreBase + "v1/workspaces/" + ws + "/webhooks/h1"
	netErr := httpmock.NewErrorResponder(errors.New("connection reset by peer"))

	c, mt := newMockClient(t)
	mt.RegisterResponder("DELETE", entryURL, sequence(t, status(503, ``), gone))
	mt.RegisterResponder("DELETE", hookURL, sequence(t, netErr, gone))
	resp, err := c.TimeEntries.Delete(context.Background(), ws, "e1")
	require.NoError(t, err)
	require.Equal(t, 2, resp.Attempts)
	resp, err = c.Webhooks.Delete(context.Background(), ws, "h1")
	require.NoError(t, err)
	require.Equal(t, 2, resp.Attempts)

	c, mt = newMockClient(t)
	mt.RegisterResponder("DELETE", entryURL, sequence(t, gone))
	mt.RegisterResponder("DELETE", hookURL, sequence(t, gone))
	resp, err = c.TimeEntries.Delete(context.Background(), ws, "e1")
	require.ErrorIs(t, err, ErrNotFound)
	require.Equal(t, 1, resp.Attempts)
	_, err = c.Webhooks.Delete(context.Background(), ws, "h1")
	require.ErrorIs(t, err, ErrNotFound)

	c, mt = newMockClient(t)
	mt.RegisterResponder("DELETE", hookURL, sequence(t, netErr, status(404, `{"message":"No static resource v1/x.","code":3000}`)))
	resp, err = c.Webhooks.Delete(context.Background(), ws, "h1")
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 3000, ae.Code)
	require.Equal(t, 2, resp.Attempts)
}

// TestRegenerateTokenIsRetried: each regeneration replaces the token, so sending one again
// after a lost or failed answer only ends with a token the caller knows.
func TestRegenerateTokenIsRetried(t *testing.T) {
	c, mt := newMockClient(t)
	mt.RegisterResponder("PATCH", coreBase+"v1/workspaces/"+ws+"/webhooks/h1/token",
		sequence(t, httpmock.NewErrorResponder(errors.New("connection reset by peer")), status(200, `{"id":"h1","authToken":"new"}`)))
	h, resp, err := c.Webhooks.RegenerateToken(context.Background(), ws, "h1")
	require.NoError(t, err)
	require.Equal(t, "new", h.AuthToken.Reveal())
	require.Equal(t, 2, resp.Attempts)
}
