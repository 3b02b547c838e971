package clockifytest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// answer is what a client sees of one round trip.
type answer struct {
	status     int
	retryAfter string
	lastPage   string
	body       string
	err        string // of the round trip
	bodyErr    error  // of reading the body
}

func roundTrip(t *testing.T, rt http.RoundTripper, method, url, key, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Api-Key", key)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return answer{err: err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
		lastPage: resp.Header.Get("Last-Page"), body: string(b), bodyErr: err}
}

// TestTransportAnswersAsTheNetworkDoes: every fault, served in-process, gives the client
// what the loopback server gives it.
func TestTransportAnswersAsTheNetworkDoes(t *testing.T) {
	srv, fx := newServer(t)
	network := &http.Transport{DisableKeepAlives: true} // a dropped connection is not retried on another
	projects := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/projects?page-size=2"
	for _, f := range []clockifytest.Fault{clockifytest.FaultNone, clockifytest.FaultTooManyRequests,
		clockifytest.FaultTooManyRequestsRetryAfter, clockifytest.FaultInternalError, clockifytest.FaultBadGateway,
		clockifytest.FaultUnavailable, clockifytest.FaultLatency, clockifytest.FaultTruncateBody,
		clockifytest.FaultDropConnection, clockifytest.FaultLoseAnswer} {
		t.Run(f.String(), func(t *testing.T) {
			srv.FailNext(f)
			want := roundTrip(t, network, "GET", projects, fx.OwnerKey, "")
			srv.FailNext(f)
			got := roundTrip(t, srv.Transport(), "GET", projects, fx.OwnerKey, "")
			if want.err != "" {
				require.Equal(t, "EOF", got.err, "no answer: the error net/http gives for a closed connection")
				require.Contains(t, want.err, "EOF")
				return
			}
			require.Empty(t, got.err)
			require.Equal(t, want, got)
		})
	}
	srv.FailNext(clockifytest.FaultTruncateBody)
	require.ErrorIs(t, roundTrip(t, srv.Transport(), "GET", projects, fx.OwnerKey, "").bodyErr, io.ErrUnexpectedEOF)
}

// TestTransportCarriesWrites: a request body reaches the fake, and a lost answer leaves the
// write done.
func TestTransportCarriesWrites(t *testing.T) {
	srv, fx := newServer(t)
	hooks := srv.CoreURL() + "v1/workspaces/" + fx.Workspace.ID + "/webhooks"
	create := `{"name":"in-process","url":"https://example.test/h","webhookEvent":"NEW_PROJECT"}`
	count := func() int {
		a := roundTrip(t, srv.Transport(), "GET", hooks, fx.OwnerKey, "")
		require.Equal(t, http.StatusOK, a.status)
		return strings.Count(a.body, `"id":`)
	}
	before := count()
	created := roundTrip(t, srv.Transport(), "POST", hooks, fx.OwnerKey, create)
	require.Equal(t, http.StatusCreated, created.status, created.body)
	require.Contains(t, created.body, `"name":"in-process"`)
	srv.FailNext(clockifytest.FaultLoseAnswer)
	require.Equal(t, "EOF", roundTrip(t, srv.Transport(), "POST", hooks, fx.OwnerKey, create).err)
	require.Equal(t, before+2, count(), "the lost answer's webhook was created too")

	// A write with no body at all (as http.NewRequest makes for a nil reader) is refused
	// as over the network, not read through a nil body.
	req, err := http.NewRequest("POST", hooks, nil)
	require.NoError(t, err)
	req.Header.Set("X-Api-Key", fx.OwnerKey)
	resp, err := srv.Transport().RoundTrip(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Same(t, req, resp.Request)
	require.NoError(t, resp.Body.Close())
}

// TestLatencyOnTheFakeClock: in a synctest bubble the in-process transport lets a test
// measure the latency fault exactly: 50ms by default, Faults.Latency when set, and cut
// short by the caller's context.
func TestLatencyOnTheFakeClock(t *testing.T) {
	srv, fx := newServer(t)
	user := srv.CoreURL() + "v1/user"
	synctest.Test(t, func(t *testing.T) {
		timed := func(ctx context.Context) (time.Duration, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", user, nil)
			require.NoError(t, err)
			req.Header.Set("X-Api-Key", fx.OwnerKey)
			srv.FailNext(clockifytest.FaultLatency)
			start := time.Now()
			resp, err := srv.Transport().RoundTrip(req)
			if err == nil {
				require.Equal(t, http.StatusOK, resp.StatusCode)
				resp.Body.Close()
			}
			return time.Since(start), err
		}
		took, err := timed(context.Background())
		require.NoError(t, err)
		require.Equal(t, 50*time.Millisecond, took, "the default latency")

		srv.SetFaults(clockifytest.Faults{Latency: 3 * time.Second})
		took, err = timed(context.Background())
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, took)

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		took, err = timed(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, time.Second, took, "the wait ends with the caller's context")
		srv.SetFaults(clockifytest.Faults{})
	})
}

// TestDeliveriesFromABubble: a write served in-process in a synctest bubble delivers its
// webhook over the network, and the bubble can end: the default delivery client keeps no
// connection open (one kept open would make synctest.Test wait for it until the test
// times out).
func TestDeliveriesFromABubble(t *testing.T) {
	recv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer recv.Close()
	srv, fx := newServer(t)
	synctest.Test(t, func(t *testing.T) {
		c, err := srv.NewClient(fx.OwnerKey, clockify.WithHTTPClient(&http.Client{Transport: srv.Transport()}))
		require.NoError(t, err)
		ctx := context.Background()
		_, _, err = c.Webhooks.Create(ctx, fx.Workspace.ID, &clockify.WebhookRequest{Name: "bubble", URL: recv.URL, WebhookEvent: clockify.EventNewTimeEntry})
		require.NoError(t, err)
		_, _, err = c.TimeEntries.Create(ctx, fx.Workspace.ID, &clockify.TimeEntryRequest{Description: "#12", Start: time.Now().Add(-time.Hour), End: new(time.Now())})
		require.NoError(t, err)
	})
	ds := srv.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode)
}

// TestWithoutListener: a server without a listener is created inside a bubble, and the
// client its NewClient builds reaches it in-process: an hour's Retry-After passes on the
// bubble's clock.
func TestWithoutListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, fx := newServer(t, clockifytest.WithoutListener(), clockifytest.WithFaults(clockifytest.Faults{RetryAfter: time.Hour}))
		require.Equal(t, "http://clockifytest.invalid", srv.URL)
		c, err := srv.NewClient(fx.OwnerKey, clockify.WithRetryPolicy(clockify.RetryPolicy{MaxAttempts: 2, MaxRetryAfter: time.Hour}))
		require.NoError(t, err)
		srv.FailNext(clockifytest.FaultTooManyRequestsRetryAfter)
		start := time.Now()
		u, _, err := c.Users.Current(context.Background())
		require.NoError(t, err)
		require.Equal(t, fx.Owner.ID, u.ID)
		require.Equal(t, time.Hour, time.Since(start))
	})
}
