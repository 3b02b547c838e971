package clockifytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

func TestFaultsAndHook(t *testing.T) {
	seen := make(chan clockifytest.RequestInfo, 100)
	srv, fx := newServer(t, clockifytest.WithRequestHook(func(ri clockifytest.RequestInfo) { seen <- ri }))
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/user"
	srv.FailNext(clockifytest.FaultTooManyRequests, clockifytest.FaultTooManyRequestsRetryAfter, clockifytest.FaultInternalError,
		clockifytest.FaultBadGateway, clockifytest.FaultUnavailable, clockifytest.FaultLatency, clockifytest.FaultNone)
	for _, want := range []int{429, 429, 500, 502, 503, 200, 200} {
		status, hdr, _, _ := call(t, "GET", u, auth, "")
		require.Equal(t, want, status)
		ri := <-seen
		require.Equal(t, "GET v1/user", ri.Route)
		require.Equal(t, want, ri.Status)
		if ri.Fault == clockifytest.FaultTooManyRequestsRetryAfter {
			require.Equal(t, "1", hdr.Get("Retry-After"))
		}
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("X-Api-Key", fx.OwnerKey)
	noRetry := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	srv.FailNext(clockifytest.FaultDropConnection)
	_, err := noRetry.Do(req)
	require.Error(t, err)
	dropped := <-seen
	require.Equal(t, clockifytest.FaultDropConnection, dropped.Fault)
	require.Zero(t, dropped.Status)

	srv.FailNext(clockifytest.FaultTruncateBody)
	resp, err := noRetry.Do(req)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, clockifytest.FaultTruncateBody, (<-seen).Fault)

	// A lost answer: the webhook is created, and its delivery made, but nothing comes back.
	hooks := func() int {
		status, _, _, body := call(t, "GET", srv.CoreURL()+"v1/workspaces/"+fx.Workspace.ID+"/webhooks", auth, "")
		require.Equal(t, 200, status)
		var l clockify.WebhookList
		require.NoError(t, json.Unmarshal(body, &l))
		return len(l.Webhooks)
	}
	before := hooks()
	<-seen
	post, _ := http.NewRequest("POST", srv.CoreURL()+"v1/workspaces/"+fx.Workspace.ID+"/webhooks",
		strings.NewReader(`{"name":"lost","url":"https://example.test/h","webhookEvent":"NEW_PROJECT"}`))
	post.Header.Set("X-Api-Key", fx.OwnerKey)
	srv.FailNext(clockifytest.FaultLoseAnswer)
	_, err = noRetry.Do(post)
	require.Error(t, err)
	lost := <-seen
	require.Equal(t, clockifytest.FaultLoseAnswer, lost.Fault)
	require.Equal(t, "lose-answer", lost.Fault.String())
	require.Zero(t, lost.Status)
	require.Equal(t, before+1, hooks(), "the request was carried out")
	<-seen

	// Random faults are reproducible from the seed.
	draw := func() []int {
		srv.SetFaults(clockifytest.Faults{Seed: 4, Rate: 0.5, Kinds: []clockifytest.Fault{clockifytest.FaultUnavailable}})
		var out []int
		for range 20 {
			status, _, _, _ := call(t, "GET", u, auth, "")
			out = append(out, status)
			<-seen
		}
		return out
	}
	first := draw()
	require.Equal(t, first, draw())
	require.Contains(t, first, 503)
	require.Contains(t, first, 200)
	require.Equal(t, "503", clockifytest.FaultUnavailable.String())
	require.Equal(t, "Fault(99)", clockifytest.Fault(99).String())
	require.Equal(t, 7+1+1+40, srv.Requests("GET v1/user"), "every request is counted: 7 scripted, a drop, a truncation, 40 drawn")
}

// TestFaultRateAndRetryAfter: Rate is the share of requests that fail (a fixed seed makes
// the draw the same on every run), and Retry-After is whole seconds, rounded up.
func TestFaultRateAndRetryAfter(t *testing.T) {
	srv, fx := newServer(t)
	auth := map[string]string{"X-Api-Key": fx.OwnerKey}
	u := srv.CoreURL() + "v1/user"
	for _, rate := range []float64{0.1, 0.9} {
		srv.SetFaults(clockifytest.Faults{Seed: 7, Rate: rate, Kinds: []clockifytest.Fault{clockifytest.FaultUnavailable}})
		failed := 0
		for range 400 {
			if status, _, _, _ := call(t, "GET", u, auth, ""); status == http.StatusServiceUnavailable {
				failed++
			}
		}
		require.InDelta(t, rate*400, failed, 40, "rate %v", rate)
	}
	for _, tc := range []struct {
		after time.Duration
		want  string
	}{{0, "1"}, {time.Second + time.Nanosecond, "2"}, {1500 * time.Millisecond, "2"}, {3 * time.Second, "3"}} {
		srv.SetFaults(clockifytest.Faults{RetryAfter: tc.after})
		srv.FailNext(clockifytest.FaultTooManyRequestsRetryAfter)
		status, hdr, _, _ := call(t, "GET", u, auth, "")
		require.Equal(t, http.StatusTooManyRequests, status)
		require.Equal(t, tc.want, hdr.Get("Retry-After"), "%v", tc.after)
	}
}

// TestFaultsWithoutKindsUseEvery: Faults with a rate and no kinds draws from every kind.
func TestFaultsWithoutKindsUseEvery(t *testing.T) {
	const n = 200
	faults := make(chan clockifytest.Fault, n)
	srv, fx := newServer(t, clockifytest.WithRequestHook(func(ri clockifytest.RequestInfo) { faults <- ri.Fault }))
	srv.SetFaults(clockifytest.Faults{Seed: 3, Rate: 1, Latency: time.Nanosecond})
	// A connection each, so that net/http never sends a request again after a drop.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range n {
		req, err := http.NewRequest("GET", srv.CoreURL()+"v1/user", nil)
		require.NoError(t, err)
		req.Header.Set("X-Api-Key", fx.OwnerKey)
		if resp, err := hc.Do(req); err == nil { // a dropped connection is an error here
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	seen := map[clockifytest.Fault]int{}
	for range n {
		seen[<-faults]++
	}
	require.Zero(t, seen[clockifytest.FaultNone], "a rate of 1 faults every request")
	for _, f := range []clockifytest.Fault{clockifytest.FaultTooManyRequests, clockifytest.FaultTooManyRequestsRetryAfter, clockifytest.FaultInternalError,
		clockifytest.FaultBadGateway, clockifytest.FaultUnavailable, clockifytest.FaultDropConnection, clockifytest.FaultTruncateBody, clockifytest.FaultLatency} {
		require.Positive(t, seen[f], f.String())
	}
}
