package clockify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const (
	testKey  = "tk_SECRET_api_key_9f8e7d"
	coreBase = "https://api.test/api/"
	repBase  = "https://reports.test/report/"
	ws       = "5f11791a4e759e12c40733ba"
)

// fastPolicy retries like the default but without real waiting.
var fastPolicy = RetryPolicy{MaxAttempts: 3, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond, MaxRetryAfter: 5 * time.Millisecond}

func newMockClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	base := []Option{
		WithAPIKey(testKey),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithBaseURL(coreBase),
		WithReportsURL(repBase),
		WithRetryPolicy(fastPolicy),
		WithRateLimit(1e6, 1000),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c, mt
}

// captured is what a responder saw of a request.
type captured struct {
	method string
	url    *url.URL
	header http.Header
	body   string
}

// respond registers a responder for method+URL that records the request and answers
// with status and body (and the given headers).
func respond(mt *httpmock.MockTransport, method, rawURL string, status int, body string, hdr ...string) *captured {
	c := &captured{}
	mt.RegisterResponder(method, rawURL, func(r *http.Request) (*http.Response, error) {
		c.method, c.url, c.header = r.Method, r.URL, r.Header.Clone()
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			c.body = string(b)
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			resp.Header.Set(hdr[i], hdr[i+1])
		}
		return resp, nil
	})
	return c
}

func TestNewClientOptions(t *testing.T) {
	cases := []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"no key", nil, "API key is required"},
		{"blank key", []Option{WithAPIKey("   ")}, "API key is required"},
		{"key with inner space", []Option{WithAPIKey("ab cd")}, "spaces or control characters"},
		{"key with newline", []Option{WithAPIKey("ab\ncd")}, "spaces or control characters"},
		{"bad region", []Option{WithAPIKey("k"), WithRegion("mars1")}, "unknown region"},
		{"relative base", []Option{WithAPIKey("k"), WithBaseURL("api.clockify.me")}, "absolute http(s) URL"},
		{"ftp base", []Option{WithAPIKey("k"), WithBaseURL("ftp://x/")}, "absolute http(s) URL"},
		{"base with credentials", []Option{WithAPIKey("k"), WithBaseURL("https://u:p@x/")}, "credentials"},
		{"bad reports", []Option{WithAPIKey("k"), WithReportsURL("::")}, "absolute http(s) URL"},
		{"nil http client", []Option{WithAPIKey("k"), WithHTTPClient(nil)}, "nil HTTP client"},
		{"empty UA", []Option{WithAPIKey("k"), WithUserAgent(" ")}, "empty user agent"},
		// net/http would refuse every request with such a header value.
		{"UA with a line break", []Option{WithAPIKey("k"), WithUserAgent("x/1\r\nX-Api-Key: y")}, "user agent"},
		{"zero rate", []Option{WithAPIKey("k"), WithRateLimit(0, 1)}, "rate limit"},
		{"zero burst", []Option{WithAPIKey("k"), WithRateLimit(5, 0)}, "rate limit"},
		{"zero attempts", []Option{WithAPIKey("k"), WithRetryPolicy(RetryPolicy{})}, "MaxAttempts"},
		{"max below min", []Option{WithAPIKey("k"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinWait: 2, MaxWait: 1})}, "MinWait"},
		{"negative retry-after", []Option{WithAPIKey("k"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MaxRetryAfter: -1})}, "MaxRetryAfter"},
		{"ok", []Option{WithAPIKey("  k  "), nil, WithUserAgent("x/1"), WithLogger(nil)}, ""},
		{"nil before the key", []Option{nil, WithAPIKey("k")}, ""}, // skipped, not the options after it
		{"UA with spaces and a tab", []Option{WithAPIKey("k"), WithUserAgent("jasper/1.2 (+https://x.test)\tbuild 7")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.opts...)
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			require.Equal(t, strings.Contains(tc.name, "key with"), errors.Is(err, ErrMalformedAPIKey), "typed as a malformed key")
		})
	}
}

// TestBaseURLErrorsHideCredentials: a base URL's user and password are left out of the
// error that refuses it, whatever else is wrong with it.
func TestBaseURLErrorsHideCredentials(t *testing.T) {
	for _, raw := range []string{
		"https://me:s3cret@x.test/", "ftp://me:s3cret@x.test/", "http://me:s3cret@x.test:port/",
		"http://[me:s3cret@x.test/", "me:s3cret@x.test", "http://me:s3cret@x@x.test:port/",
	} {
		for _, opt := range []func(string) Option{WithBaseURL, WithReportsURL} {
			_, err := NewClient(WithAPIKey("k"), opt(raw))
			require.Error(t, err, raw)
			require.NotContains(t, err.Error(), "s3cret", raw)
		}
	}
	_, err := NewClient(WithAPIKey("k"), WithBaseURL("http://x.test:port/"))
	require.ErrorContains(t, err, `"http://x.test:port/"`, "a URL with no @ is repeated whole")
}

// TestTimeouts: a client made without an HTTP client bounds each attempt with
// DefaultTimeout, so that a server that never answers cannot hold a call for ever; one
// given a client keeps that client's timeout, none included.
func TestTimeouts(t *testing.T) {
	c, err := NewClient(WithAPIKey("k"))
	require.NoError(t, err)
	require.Equal(t, DefaultTimeout, c.retrying.HTTPClient.Timeout)
	require.Equal(t, DefaultTimeout, c.unsent.HTTPClient.Timeout)
	for _, d := range []time.Duration{0, time.Minute} {
		c, err = NewClient(WithAPIKey("k"), WithHTTPClient(&http.Client{Timeout: d}))
		require.NoError(t, err)
		require.Equal(t, d, c.retrying.HTTPClient.Timeout)
	}

	// What the timeout does: a server that takes the request and never answers.
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	c, err = NewClient(WithAPIKey(testKey), WithBaseURL(srv.URL+"/api/"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}),
		WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	require.NoError(t, err)
	_, _, err = c.Users.Current(context.Background())
	var timeout interface{ Timeout() bool }
	require.True(t, errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout) && timeout.Timeout(), "%v", err)
}

// TestDefaultRetryPolicy pins the defaults its doc states.
func TestDefaultRetryPolicy(t *testing.T) {
	require.Equal(t, RetryPolicy{MaxAttempts: 4, MinWait: 250 * time.Millisecond, MaxWait: 5 * time.Second, MaxRetryAfter: 30 * time.Second}, DefaultRetryPolicy())
}

func TestRegions(t *testing.T) {
	cases := []struct {
		region        Region
		core, reports string
	}{
		{RegionGlobal, "https://api.clockify.me/api/", "https://reports.api.clockify.me/"},
		{RegionEUC1, "https://euc1.clockify.me/api/", "https://euc1.clockify.me/report/"},
		{RegionUSE2, "https://use2.clockify.me/api/", "https://use2.clockify.me/report/"},
		{RegionEUW2, "https://euw2.clockify.me/api/", "https://euw2.clockify.me/report/"},
		{RegionAPSE2, "https://apse2.clockify.me/api/", "https://apse2.clockify.me/report/"},
	}
	for _, tc := range cases {
		c, err := NewClient(WithAPIKey("k"), WithRegion(tc.region))
		require.NoError(t, err)
		require.Equal(t, tc.core, c.BaseURL().String())
		require.Equal(t, tc.reports, c.ReportsURL().String())
	}
	c, err := NewClient(WithAPIKey("k"), WithRegion(RegionEUC1), WithBaseURL("http://127.0.0.1:9/api"))
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:9/api/", c.BaseURL().String(), "a trailing slash is added")
	require.Equal(t, "https://euc1.clockify.me/report/", c.ReportsURL().String())
}

func TestRequestHeadersAndCallerRequestUntouched(t *testing.T) {
	c, mt := newMockClient(t, WithUserAgent("jasper-test/9"))
	got := respond(mt, "GET", coreBase+"v1/user", 200, `{"id":"u1","email":"a@b.c","name":"A","memberships":[]}`)
	req, err := c.NewRequest(context.Background(), http.MethodGet, "v1/user", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer nope")
	var u User
	resp, err := c.Do(req, &u)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "u1", u.ID)
	require.Equal(t, testKey, got.header.Get("X-Api-Key"))
	require.Empty(t, got.header.Get("Authorization"), "Clockify rejects two credentials")
	require.Equal(t, "jasper-test/9", got.header.Get("User-Agent"))
	require.Equal(t, "application/json", got.header.Get("Accept"))
	require.Empty(t, req.Header.Get("X-Api-Key"), "the caller's request is not modified")
}

func TestAPIKeyGoesOnlyToTheClientsOrigins(t *testing.T) {
	// Clockify answering with a redirect must not hand the key to whoever it points at:
	// net/http drops Authorization on such a redirect, but not X-Api-Key.
	cases := []struct {
		name     string
		location string
		wantKey  bool
	}{
		{"same origin", coreBase + "v1/moved", true},
		{"same origin, default port and upper case", "https://API.test:443/api/v1/moved", true},
		{"the reports origin", repBase + "v1/moved", true},
		{"another host", "https://elsewhere.test/api/v1/moved", false},
		{"a subdomain", "https://x.api.test/api/v1/moved", false},
		{"another port", "https://api.test:8443/api/v1/moved", false},
		{"https to http", "http://api.test/api/v1/moved", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			c, mt := newMockClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			respond(mt, "GET", coreBase+"v1/user", http.StatusFound, "", "Location", tc.location)
			got := respond(mt, "GET", tc.location, 200, `{"id":"u1"}`)
			_, _, err := c.Users.Current(context.Background())
			require.NoError(t, err)
			require.Equal(t, "GET", got.method, "the redirect was followed")
			if tc.wantKey {
				require.Equal(t, testKey, got.header.Get("X-Api-Key"))
				require.Empty(t, logs.String())
			} else {
				require.Empty(t, got.header.Values("X-Api-Key"))
				require.Contains(t, logs.String(), "API key withheld")
				require.NotContains(t, logs.String(), testKey)
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://API.Clockify.me:443/api": "https://api.clockify.me",
		"http://localhost:80/x":           "http://localhost",
		"http://localhost:443/x":          "http://localhost:443",
		"https://localhost:80/x":          "https://localhost:80",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		require.Equal(t, want, origin(u), raw)
	}
}

// TestCallerCredentialsStayHome: credentials a caller puts on a request themselves go no
// further than the client's own key would: to another origin, neither is sent.
func TestCallerCredentialsStayHome(t *testing.T) {
	c, mt := newMockClient(t)
	for _, target := range []string{coreBase + "v1/user", "https://elsewhere.test/api/v1/user"} {
		got := respond(mt, "GET", target, 200, `{}`)
		req, err := c.NewRequest(context.Background(), "GET", target, nil)
		require.NoError(t, err)
		req.Header.Set("X-Api-Key", "caller-key")
		req.Header.Set("Authorization", "Bearer caller-token")
		_, err = c.Do(req, nil)
		require.NoError(t, err)
		require.Empty(t, got.header.Values("Authorization"), target)
		if target == coreBase+"v1/user" {
			require.Equal(t, []string{testKey}, got.header.Values("X-Api-Key"))
		} else {
			require.Empty(t, got.header.Values("X-Api-Key"), target)
		}
	}
}

func TestNewRequestRejectsBadPaths(t *testing.T) {
	c, _ := newMockClient(t)
	for _, p := range []string{"/v1/user", "v1/../admin", "v1/./user"} {
		_, err := c.NewRequest(context.Background(), "GET", p, nil)
		require.Error(t, err, p)
	}
	//lint:ignore SA1012 a nil context is what this checks
	_, err := c.NewRequest(nil, "GET", "v1/user", nil)
	require.Error(t, err)
	_, err = c.NewRequest(context.Background(), "GET", "v1/user", func() {})
	require.ErrorContains(t, err, "encode")
	_, err = c.NewRequest(context.Background(), "BAD METHOD", "v1/user", nil)
	require.Error(t, err)
}

func TestEndpoints(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.FixedZone("AEDT", 11*3600))
	end := start.Add(48 * time.Hour)
	entryJSON := `{"id":"e1","description":"#12 Fix","userId":"u1","workspaceId":"` + ws + `","tagIds":null,"billable":true,"timeInterval":{"start":"2026-11-01T09:00:00Z","end":"2026-11-01T10:30:00Z","duration":"PT1H30M"},"hourlyRate":{"amount":10500,"currency":"AUD"},"costRate":null}`
	cases := []struct {
		name      string
		call      func(c *Client) (any, error)
		method    string
		url       string // path relative to a base, with the base's prefix
		query     url.Values
		body      string // expected JSON body (compared as JSON), "" for none
		status    int
		resp      string
		respHdr   []string
		check     func(t *testing.T, v any)
		isReports bool
	}{
		{
			name:   "current user",
			call:   func(c *Client) (any, error) { u, _, err := c.Users.Current(ctx); return u, err },
			method: "GET", url: "v1/user", status: 200,
			resp: `{"id":"u1","email":"a@b.c","name":"Ann","status":"ACTIVE","settings":{"timeZone":"Australia/Sydney","weekStart":"SUNDAY"}}`,
			check: func(t *testing.T, v any) {
				require.Equal(t, "Australia/Sydney", v.(*User).Settings.TimeZone)
				first, ok := v.(*User).Settings.FirstDayOfWeek()
				require.True(t, ok)
				require.Equal(t, time.Sunday, first)
			},
		},
		{
			name:   "workspaces",
			call:   func(c *Client) (any, error) { w, _, err := c.Workspaces.List(ctx); return w, err },
			method: "GET", url: "v1/workspaces", status: 200,
			resp:  `[{"id":"` + ws + `","name":"W","hourlyRate":{"amount":15000,"currency":"AUD"},"costRate":null}]`,
			check: func(t *testing.T, v any) { require.Equal(t, int64(15000), v.([]Workspace)[0].HourlyRate.Amount) },
		},
		{
			name:   "one workspace",
			call:   func(c *Client) (any, error) { w, _, err := c.Workspaces.Get(ctx, ws); return w, err },
			method: "GET", url: "v1/workspaces/" + ws, status: 200, resp: `{"id":"` + ws + `","name":"W"}`,
			check: func(t *testing.T, v any) { require.Equal(t, "W", v.(*Workspace).Name) },
		},
		{
			name: "members with filters",
			call: func(c *Client) (any, error) {
				u, _, err := c.Users.List(ctx, ws, &UserListOptions{Email: "ann@", Name: "Ann", Status: MemberActive,
					AccountStatuses: []AccountStatus{AccountActive, AccountLimited}, IncludeMemberships: true, ListOptions: ListOptions{Page: 2, PageSize: 10}})
				return u, err
			},
			method: "GET", url: "v1/workspaces/" + ws + "/users", status: 200,
			query: url.Values{"email": {"ann@"}, "name": {"Ann"}, "status": {"ACTIVE"}, "account-statuses": {"ACTIVE,LIMITED"}, "memberships": {"WORKSPACE"}, "page": {"2"}, "page-size": {"10"}},
			resp:  `[{"id":"u1","email":"ann@x","name":"Ann"},{"id":"u2","email":"","name":"Bo","status":"LIMITED"}]`,
			check: func(t *testing.T, v any) {
				require.Len(t, v.([]User), 2)
				require.Equal(t, AccountLimited, v.([]User)[1].Status)
			},
		},
		{
			name:   "members, no filters",
			call:   func(c *Client) (any, error) { u, _, err := c.Users.List(ctx, ws, nil); return u, err },
			method: "GET", url: "v1/workspaces/" + ws + "/users", status: 200, resp: `[]`,
		},
		{
			name: "projects with filters",
			call: func(c *Client) (any, error) {
				p, _, err := c.Projects.List(ctx, ws, &ProjectListOptions{Name: "web", StrictName: true, Archived: new(false), Billable: new(true), Hydrated: true})
				return p, err
			},
			method: "GET", url: "v1/workspaces/" + ws + "/projects", status: 200,
			query: url.Values{"name": {"web"}, "strict-name-search": {"true"}, "archived": {"false"}, "billable": {"true"}, "hydrated": {"true"}},
			resp:  `[{"id":"p1","name":"web-app","duration":"PT0S","estimate":{"estimate":"PT0S","type":"AUTO"},"hourlyRate":null,"costRate":null,"tasks":[{"id":"t1","name":"T","estimate":"PT1H30M"}]}]`,
			check: func(t *testing.T, v any) {
				p := v.([]Project)[0]
				require.Equal(t, Duration(0), *p.Duration)
				require.Equal(t, 90*time.Minute, p.Tasks[0].Estimate.Std())
			},
		},
		{
			name:   "one project",
			call:   func(c *Client) (any, error) { p, _, err := c.Projects.Get(ctx, ws, "p1"); return p, err },
			method: "GET", url: "v1/workspaces/" + ws + "/projects/p1", status: 200, resp: `{"id":"p1","name":"web-app"}`,
			check: func(t *testing.T, v any) { require.Equal(t, "web-app", v.(*Project).Name) },
		},
		{
			name: "create project",
			call: func(c *Client) (any, error) {
				p, _, err := c.Projects.Create(ctx, ws, &ProjectRequest{Name: "web-app", ClientID: "c1", Color: "#4CAF50", Note: "n", Billable: new(false), Public: new(true)})
				return p, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/projects", status: 201, resp: `{"id":"p1","name":"web-app","billable":false}`,
			body:  `{"name":"web-app","clientId":"c1","color":"#4CAF50","note":"n","billable":false,"isPublic":true}`,
			check: func(t *testing.T, v any) { require.Equal(t, "p1", v.(*Project).ID) },
		},
		{
			name: "create project, defaults",
			call: func(c *Client) (any, error) {
				p, _, err := c.Projects.Create(ctx, ws, &ProjectRequest{Name: "ab"})
				return p, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/projects", status: 201, resp: `{"id":"p1","name":"ab"}`,
			body: `{"name":"ab"}`,
		},
		{
			name: "archive project",
			call: func(c *Client) (any, error) {
				p, _, err := c.Projects.Update(ctx, ws, "p1", &ProjectUpdate{Archived: new(true), ClientID: new(""), Billable: new(false)})
				return p, err
			},
			method: "PUT", url: "v1/workspaces/" + ws + "/projects/p1", status: 200, resp: `{"id":"p1","name":"web-app","archived":true}`,
			body:  `{"archived":true,"clientId":"","billable":false}`, // a field set to "" is sent, not left out
			check: func(t *testing.T, v any) { require.True(t, v.(*Project).Archived) },
		},
		{
			name:   "delete project",
			call:   func(c *Client) (any, error) { _, err := c.Projects.Delete(ctx, ws, "p1"); return nil, err },
			method: "DELETE", url: "v1/workspaces/" + ws + "/projects/p1", status: 200, resp: `{"id":"p1","name":"web-app","archived":true}`,
		},
		{
			name:   "user entries, no filters",
			call:   func(c *Client) (any, error) { e, _, err := c.TimeEntries.List(ctx, ws, "u1", nil); return e, err },
			method: "GET", url: "v1/workspaces/" + ws + "/user/u1/time-entries", status: 200, resp: `[]`,
		},
		{
			name: "user entries in a window",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.List(ctx, ws, "u1", &TimeEntryListOptions{Start: start, End: end, Hydrated: true, InProgress: new(false), Description: "fix", Project: "p1", Task: "t1", ProjectRequired: true, TaskRequired: true, ListOptions: ListOptions{PageSize: 5000}})
				return e, err
			},
			method: "GET", url: "v1/workspaces/" + ws + "/user/u1/time-entries", status: 200,
			query: url.Values{"start": {"2026-10-31T13:00:00Z"}, "end": {"2026-11-02T13:00:00Z"}, "hydrated": {"true"}, "in-progress": {"false"}, "description": {"fix"}, "project": {"p1"}, "task": {"t1"}, "project-required": {"true"}, "task-required": {"true"}, "page-size": {"5000"}},
			resp:  `[` + entryJSON + `]`,
			check: func(t *testing.T, v any) {
				e := v.([]TimeEntry)[0]
				require.Nil(t, e.TagIDs)
				require.Equal(t, 90*time.Minute, e.TimeInterval.Duration.Std())
				require.Equal(t, time.UTC, e.TimeInterval.Start.Location())
				require.Equal(t, int64(10500), e.HourlyRate.Amount)
				require.Nil(t, e.CostRate)
				require.False(t, e.Running())
			},
		},
		{
			name:   "one entry hydrated",
			call:   func(c *Client) (any, error) { e, _, err := c.TimeEntries.Get(ctx, ws, "e1", true); return e, err },
			method: "GET", url: "v1/workspaces/" + ws + "/time-entries/e1", query: url.Values{"hydrated": {"true"}}, status: 200,
			resp: `{"id":"e1","timeInterval":{"start":"2026-11-01T09:00:00+02:00","end":null,"duration":null},"project":{"id":"p1","name":"web-app"},"user":{"id":"u1","name":"Ann","status":"ACTIVE"}}`,
			check: func(t *testing.T, v any) {
				e := v.(*TimeEntry)
				require.True(t, e.Running())
				require.Nil(t, e.TimeInterval.Duration)
				require.Equal(t, "2026-11-01T07:00:00Z", e.TimeInterval.Start.Format(time.RFC3339))
				require.Equal(t, "web-app", e.Project.Name)
			},
		},
		{
			name: "in-progress entries",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.ListInProgress(ctx, ws, &ListOptions{Page: 1, PageSize: 1000})
				return e, err
			},
			method: "GET", url: "v1/workspaces/" + ws + "/time-entries/status/in-progress", status: 200,
			query: url.Values{"page": {"1"}, "page-size": {"1000"}}, resp: `[]`,
			check: func(t *testing.T, v any) { require.Empty(t, v.([]TimeEntry)) },
		},
		{
			name: "create entry",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.Create(ctx, ws, &TimeEntryRequest{Start: start, End: new(start.Add(time.Hour)), Billable: new(true), Description: "#12 Fix", ProjectID: "p1", TagIDs: []string{"t1"}})
				return e, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/time-entries", status: 201, resp: entryJSON,
			body:  `{"start":"2026-10-31T13:00:00Z","end":"2026-10-31T14:00:00Z","billable":true,"description":"#12 Fix","projectId":"p1","tagIds":["t1"]}`,
			check: func(t *testing.T, v any) { require.Equal(t, "e1", v.(*TimeEntry).ID) },
		},
		{
			name: "create entry for user",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.CreateForUser(ctx, ws, "u2", &TimeEntryRequest{Description: "timer"})
				return e, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/user/u2/time-entries", status: 201, resp: entryJSON,
			body: `{"description":"timer"}`,
		},
		{
			name: "update entry",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.Update(ctx, ws, "e1", &TimeEntryRequest{Start: start, Description: "x", Type: TimeEntryBreak})
				return e, err
			},
			method: "PUT", url: "v1/workspaces/" + ws + "/time-entries/e1", status: 200, resp: entryJSON,
			body: `{"start":"2026-10-31T13:00:00Z","description":"x","type":"BREAK"}`,
		},
		{
			name: "stop timer",
			call: func(c *Client) (any, error) {
				e, _, err := c.TimeEntries.Stop(ctx, ws, "u1", start)
				return e, err
			},
			method: "PATCH", url: "v1/workspaces/" + ws + "/user/u1/time-entries", status: 200, resp: entryJSON,
			body: `{"end":"2026-10-31T13:00:00Z"}`,
		},
		{
			name:   "delete entry",
			call:   func(c *Client) (any, error) { _, err := c.TimeEntries.Delete(ctx, ws, "e1"); return nil, err },
			method: "DELETE", url: "v1/workspaces/" + ws + "/time-entries/e1", status: 204,
		},
		{
			name:   "list webhooks",
			call:   func(c *Client) (any, error) { l, _, err := c.Webhooks.List(ctx, ws); return l, err },
			method: "GET", url: "v1/workspaces/" + ws + "/webhooks", status: 200,
			resp: `{"webhooks":[{"id":"h1","name":"jasper","url":"https://x/hook","webhookEvent":"NEW_TIME_ENTRY","triggerSourceType":"WORKSPACE_ID","triggerSource":["` + ws + `"],"enabled":true,"deliveryEnabled":true}],"workspaceWebhookCount":1}`,
			check: func(t *testing.T, v any) {
				l := v.(*WebhookList)
				require.Equal(t, 1, l.WorkspaceWebhookCount)
				require.Equal(t, EventNewTimeEntry, l.Webhooks[0].WebhookEvent)
				require.True(t, *l.Webhooks[0].DeliveryEnabled)
			},
		},
		{
			name: "create webhook",
			call: func(c *Client) (any, error) {
				h, _, err := c.Webhooks.Create(ctx, ws, &WebhookRequest{Name: "jasper", URL: "https://x/hook", WebhookEvent: EventTimerStopped})
				return h, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/webhooks", status: 201,
			body:  `{"name":"jasper","url":"https://x/hook","webhookEvent":"TIMER_STOPPED","triggerSourceType":"WORKSPACE_ID","triggerSource":["` + ws + `"]}`,
			resp:  `{"id":"h1","authToken":"tok-123","webhookEvent":"TIMER_STOPPED"}`,
			check: func(t *testing.T, v any) { require.Equal(t, "tok-123", v.(*Webhook).AuthToken.Reveal()) },
		},
		{
			name:   "get webhook",
			call:   func(c *Client) (any, error) { h, _, err := c.Webhooks.Get(ctx, ws, "h1"); return h, err },
			method: "GET", url: "v1/workspaces/" + ws + "/webhooks/h1", status: 200, resp: `{"id":"h1"}`,
		},
		{
			name: "update webhook",
			call: func(c *Client) (any, error) {
				h, _, err := c.Webhooks.Update(ctx, ws, "h1", &WebhookRequest{Name: "jasper", URL: "https://x/h", WebhookEvent: EventNewProject, TriggerSourceType: TriggerProject, TriggerSource: []string{"p1"}})
				return h, err
			},
			method: "PUT", url: "v1/workspaces/" + ws + "/webhooks/h1", status: 200, resp: `{"id":"h1"}`,
			body: `{"name":"jasper","url":"https://x/h","webhookEvent":"NEW_PROJECT","triggerSourceType":"PROJECT_ID","triggerSource":["p1"]}`,
		},
		{
			name:   "delete webhook",
			call:   func(c *Client) (any, error) { _, err := c.Webhooks.Delete(ctx, ws, "h1"); return nil, err },
			method: "DELETE", url: "v1/workspaces/" + ws + "/webhooks/h1", status: 200, resp: `{"id":"h1"}`,
		},
		{
			name:   "regenerate token",
			call:   func(c *Client) (any, error) { h, _, err := c.Webhooks.RegenerateToken(ctx, ws, "h1"); return h, err },
			method: "PATCH", url: "v1/workspaces/" + ws + "/webhooks/h1/token", status: 200, resp: `{"id":"h1","authToken":"new"}`,
			check: func(t *testing.T, v any) { require.Equal(t, Secret("new"), v.(*Webhook).AuthToken) },
		},
		{
			name: "webhook logs",
			call: func(c *Client) (any, error) {
				l, _, err := c.Webhooks.Logs(ctx, ws, "h1", &WebhookLogOptions{From: start, To: end, Status: LogsFailed, SortByNewest: true, Page: 1, Size: 20})
				return l, err
			},
			method: "POST", url: "v1/workspaces/" + ws + "/webhooks/h1/logs", status: 200,
			query: url.Values{"page": {"1"}, "size": {"20"}},
			body:  `{"from":"2026-10-31T13:00:00Z","to":"2026-11-02T13:00:00Z","status":"FAILED","sortByNewest":true}`,
			resp:  `[{"id":"l1","webhookId":"h1","statusCode":500,"requestBody":"{}","responseBody":"","respondedAt":"2024-03-04T12:02:28.125+00:00"}]`,
			check: func(t *testing.T, v any) { require.Equal(t, 500, v.([]WebhookLog)[0].StatusCode) },
		},
		{
			name:   "webhook logs, no options",
			call:   func(c *Client) (any, error) { l, _, err := c.Webhooks.Logs(ctx, ws, "h1", nil); return l, err },
			method: "POST", url: "v1/workspaces/" + ws + "/webhooks/h1/logs", status: 200,
			body: `{"sortByNewest":false}`, resp: `[]`,
		},
		{
			name: "detailed report",
			call: func(c *Client) (any, error) {
				r, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: start, End: end, Users: []string{"u1"}, Projects: []string{"p1"}, Billable: new(true), PageSize: 200})
				return r, err
			},
			isReports: true,
			method:    "POST", url: "v1/workspaces/" + ws + "/reports/detailed", status: 200,
			body: `{"dateRangeStart":"2026-10-31T13:00:00.000Z","dateRangeEnd":"2026-11-02T13:00:00.000Z","detailedFilter":{"page":1,"pageSize":200,"sortColumn":"DATE"},
				"users":{"ids":["u1"],"contains":"CONTAINS","status":"ALL"},"projects":{"ids":["p1"],"contains":"CONTAINS","status":"ALL"},"billable":true,"timeZone":"UTC"}`,
			resp: `{"totals":[{"totalTime":5400,"entriesCount":1}],"timeentries":[{"_id":"e1","userId":"u1","timeInterval":{"start":"2026-11-01T20:00:00.000+11:00","end":"2026-11-01T21:30:00.000+11:00","duration":5400}}]}`,
			check: func(t *testing.T, v any) {
				r := v.(*DetailedReport)
				require.Equal(t, int64(5400), r.Totals[0].TotalTime)
				require.Equal(t, int64(5400), r.Entries[0].TimeInterval.Duration)
			},
		},
		{
			name: "detailed report in a zone: the range as wall-clock time there",
			call: func(c *Client) (any, error) {
				r, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: start, End: end, TimeZone: "Australia/Sydney"})
				return r, err
			},
			isReports: true,
			method:    "POST", url: "v1/workspaces/" + ws + "/reports/detailed", status: 200,
			body:  `{"dateRangeStart":"2026-11-01T00:00:00.000Z","dateRangeEnd":"2026-11-03T00:00:00.000Z","detailedFilter":{"page":1,"pageSize":1000,"sortColumn":"DATE"},"timeZone":"Australia/Sydney"}`,
			resp:  `{"totals":[],"timeentries":[]}`,
			check: func(t *testing.T, v any) { require.Empty(t, v.(*DetailedReport).Entries) },
		},
	}
	for _, tc := range cases {
		base := coreBase
		if tc.isReports {
			base = repBase
		}
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			got := respond(mt, tc.method, base+tc.url, tc.status, tc.resp, tc.respHdr...)
			v, err := tc.call(c)
			require.NoError(t, err)
			require.Equal(t, 1, mt.GetTotalCallCount())
			require.Equal(t, tc.method, got.method)
			q := tc.query
			if q == nil {
				q = url.Values{}
			}
			require.Equal(t, q, got.url.Query())
			if tc.body == "" {
				require.Empty(t, got.body)
			} else {
				require.JSONEq(t, tc.body, got.body)
				require.Equal(t, "application/json", got.header.Get("Content-Type"))
			}
			if tc.check != nil {
				tc.check(t, v)
			}
		})
		t.Run(tc.name+", refused", func(t *testing.T) {
			c, mt := newMockClient(t)
			respond(mt, tc.method, base+tc.url, 400, `{"message":"bad","code":501}`)
			v, err := tc.call(c)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, 501, ae.Code)
			require.Nil(t, v, "no value beside an error")
		})
	}
}

func TestArgumentErrorsSendNothing(t *testing.T) {
	ctx := context.Background()
	c, mt := newMockClient(t)
	calls := map[string]func() error{
		"members no ws": func() error { _, _, err := c.Users.List(ctx, "", nil); return err },
		"members page size": func() error {
			_, _, err := c.Users.List(ctx, ws, &UserListOptions{ListOptions: ListOptions{PageSize: 5001}})
			return err
		},
		"members empty account status": func() error {
			_, _, err := c.Users.List(ctx, ws, &UserListOptions{AccountStatuses: []AccountStatus{AccountActive, ""}})
			return err
		},
		"members account status with a comma": func() error {
			_, _, err := c.Users.List(ctx, ws, &UserListOptions{AccountStatuses: []AccountStatus{"ACTIVE,LIMITED"}})
			return err
		},
		"members page": func() error {
			_, _, err := c.Users.List(ctx, ws, &UserListOptions{ListOptions: ListOptions{Page: -1}})
			return err
		},
		"ws":               func() error { _, _, err := c.Workspaces.Get(ctx, " "); return err },
		"ws a dot segment": func() error { _, _, err := c.Workspaces.Get(ctx, ".."); return err },
		"entry a dot segment": func() error {
			_, _, err := c.TimeEntries.Get(ctx, ws, ".", false)
			return err
		},
		"projects": func() error { _, _, err := c.Projects.List(ctx, "", nil); return err },
		"projects size": func() error {
			_, _, err := c.Projects.List(ctx, ws, &ProjectListOptions{ListOptions: ListOptions{PageSize: -1}})
			return err
		},
		"project":            func() error { _, _, err := c.Projects.Get(ctx, ws, ""); return err },
		"project create nil": func() error { _, _, err := c.Projects.Create(ctx, ws, nil); return err },
		"project create ws":  func() error { _, _, err := c.Projects.Create(ctx, "", &ProjectRequest{Name: "ab"}); return err },
		"project update nil": func() error { _, _, err := c.Projects.Update(ctx, ws, "p", nil); return err },
		"project update id":  func() error { _, _, err := c.Projects.Update(ctx, ws, "", &ProjectUpdate{}); return err },
		"project delete id":  func() error { _, err := c.Projects.Delete(ctx, ws, ".."); return err },
		"entries user":       func() error { _, _, err := c.TimeEntries.List(ctx, ws, "", nil); return err },
		"entries size": func() error {
			_, _, err := c.TimeEntries.List(ctx, ws, "u", &TimeEntryListOptions{ListOptions: ListOptions{PageSize: 10000}})
			return err
		},
		"entries window": func() error {
			_, _, err := c.TimeEntries.List(ctx, ws, "u", &TimeEntryListOptions{Start: time.Now(), End: time.Now().Add(-time.Hour)})
			return err
		},
		"entry": func() error { _, _, err := c.TimeEntries.Get(ctx, ws, "", false); return err },
		"in progress": func() error {
			_, _, err := c.TimeEntries.ListInProgress(ctx, ws, &ListOptions{PageSize: 1001})
			return err
		},
		"in progr ws": func() error { _, _, err := c.TimeEntries.ListInProgress(ctx, "", nil); return err },
		"create nil":  func() error { _, _, err := c.TimeEntries.Create(ctx, ws, nil); return err },
		"create ws":   func() error { _, _, err := c.TimeEntries.Create(ctx, "", &TimeEntryRequest{}); return err },
		"create for":  func() error { _, _, err := c.TimeEntries.CreateForUser(ctx, ws, "", &TimeEntryRequest{}); return err },
		"create order": func() error {
			_, _, err := c.TimeEntries.Create(ctx, ws, &TimeEntryRequest{Start: time.Now(), End: new(time.Now().Add(-time.Hour))})
			return err
		},
		"update start": func() error { _, _, err := c.TimeEntries.Update(ctx, ws, "e", &TimeEntryRequest{}); return err },
		"update id":    func() error { _, _, err := c.TimeEntries.Update(ctx, ws, "", &TimeEntryRequest{}); return err },
		"stop end":     func() error { _, _, err := c.TimeEntries.Stop(ctx, ws, "u", time.Time{}); return err },
		"stop user":    func() error { _, _, err := c.TimeEntries.Stop(ctx, ws, "", time.Now()); return err },
		"delete":       func() error { _, err := c.TimeEntries.Delete(ctx, ws, ""); return err },
		"hooks":        func() error { _, _, err := c.Webhooks.List(ctx, ""); return err },
		"hook":         func() error { _, _, err := c.Webhooks.Get(ctx, ws, ""); return err },
		"hook name": func() error {
			_, _, err := c.Webhooks.Create(ctx, ws, &WebhookRequest{Name: "x", URL: "https://x", WebhookEvent: "E"})
			return err
		},
		"hook url": func() error {
			_, _, err := c.Webhooks.Create(ctx, ws, &WebhookRequest{Name: "xy", URL: "x", WebhookEvent: "E"})
			return err
		},
		"hook event": func() error {
			_, _, err := c.Webhooks.Create(ctx, ws, &WebhookRequest{Name: "xy", URL: "https://x"})
			return err
		},
		"hook nil":     func() error { _, _, err := c.Webhooks.Create(ctx, ws, nil); return err },
		"hook ws":      func() error { _, _, err := c.Webhooks.Create(ctx, "", &WebhookRequest{}); return err },
		"hook update":  func() error { _, _, err := c.Webhooks.Update(ctx, ws, "", &WebhookRequest{}); return err },
		"hook delete":  func() error { _, err := c.Webhooks.Delete(ctx, ws, ""); return err },
		"hook token":   func() error { _, _, err := c.Webhooks.RegenerateToken(ctx, ws, ""); return err },
		"hook logs":    func() error { _, _, err := c.Webhooks.Logs(ctx, ws, "", nil); return err },
		"hook logs pg": func() error { _, _, err := c.Webhooks.Logs(ctx, ws, "h", &WebhookLogOptions{Page: -1}); return err },
		"report nil":   func() error { _, _, err := c.Reports.Detailed(ctx, ws, nil); return err },
		"report ws":    func() error { _, _, err := c.Reports.Detailed(ctx, "", nil); return err },
		"report order": func() error {
			_, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: time.Now(), End: time.Now().Add(-time.Hour)})
			return err
		},
		"report page": func() error {
			_, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: time.Now(), End: time.Now(), Page: -1})
			return err
		},
		"report zone": func() error {
			_, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: time.Now(), End: time.Now(), TimeZone: "Mars/Olympus_Mons"})
			return err
		},
		"report local zone": func() error {
			_, _, err := c.Reports.Detailed(ctx, ws, &DetailedReportRequest{Start: time.Now(), End: time.Now(), TimeZone: "Local"})
			return err
		},
	}
	for name, req := range map[string]*ProjectRequest{
		"no name":                {},
		"name of one character":  {Name: "é"},
		"name too long":          {Name: strings.Repeat("é", 251)},
		"name not UTF-8":         {Name: "web\xff"},
		"client not UTF-8":       {Name: "web", ClientID: "\xc3"},
		"colour of three digits": {Name: "web", Color: "#fff"},
		"colour not hex":         {Name: "web", Color: "#4CAF5G"},
		"colour without #":       {Name: "web", Color: "04CAF50"},
		"note too long":          {Name: "web", Note: strings.Repeat("n", 16385)},
	} {
		calls["project "+name] = func() error { _, _, err := c.Projects.Create(ctx, ws, req); return err }
	}
	for name, req := range map[string]*ProjectUpdate{
		"blank name":     {Name: new("  ")},
		"empty colour":   {Color: new("")},
		"note not UTF-8": {Note: new("caf\xe9")},
	} {
		calls["project update "+name] = func() error { _, _, err := c.Projects.Update(ctx, ws, "p", req); return err }
	}
	for name, req := range map[string]*TimeEntryRequest{
		"holiday":               {Type: TimeEntryHoliday},
		"description too long":  {Description: strings.Repeat("d", 3001)},
		"description not UTF-8": {Description: "caf\xe9"},
	} {
		calls["entry create "+name] = func() error { _, _, err := c.TimeEntries.Create(ctx, ws, req); return err }
		calls["entry update "+name] = func() error {
			upd := *req
			upd.Start = time.Now()
			_, _, err := c.TimeEntries.Update(ctx, ws, "e", &upd)
			return err
		}
	}
	for name, call := range calls {
		err := call()
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae, name)
		require.NotEmpty(t, ae.Error())
	}
	require.Zero(t, mt.GetTotalCallCount(), "nothing is sent for a bad argument")
}

// TestEmptySuccessBodyIsNoError: like go-github, an empty 2xx answer leaves v as it was
// (Clockify answers some writes with no body).
func TestEmptySuccessBodyIsNoError(t *testing.T) {
	for _, body := range []string{"", " \n"} {
		c, mt := newMockClient(t)
		respond(mt, "GET", coreBase+"v1/user", 200, body)
		u, _, err := c.Users.Current(context.Background())
		require.NoError(t, err, "%q", body)
		require.Equal(t, &User{}, u)
	}
}

// TestSuccessIsEvery2xx: any 2xx answer is decoded whole (an error body is cut at 64 KiB,
// a success is not); 300 is an error.
func TestSuccessIsEvery2xx(t *testing.T) {
	name := strings.Repeat("n", maxErrorBody)
	for _, status := range []int{200, 201, 299, 300} {
		c, mt := newMockClient(t)
		respond(mt, "GET", coreBase+"v1/user", status, `{"name":"`+name+`"}`)
		u, _, err := c.Users.Current(context.Background())
		if status == 300 {
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			b, err := io.ReadAll(ae.Response.Body)
			require.NoError(t, err)
			require.Len(t, b, maxErrorBody, "an error body is read up to 64 KiB")
			continue
		}
		require.NoError(t, err, status)
		require.Equal(t, name, u.Name)
	}
}
