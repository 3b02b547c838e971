package clockify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// Version is the SDK version sent in the default User-Agent.
const Version = "0.1.0"

const (
	defaultUserAgent = "jasper-clockify/" + Version
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
	// maxBody bounds how much of a successful response is read: one page of 5000 hydrated
	// entries stays well under it.
	maxBody = 256 << 20
)

// DefaultTimeout bounds each attempt of a request (the answer read whole) when no HTTP
// client is given (WithHTTPClient): without it, a server that took a connection and
// never answered would hold the call until its context ended, for ever under a context
// that does not end (a scheduler's).
const DefaultTimeout = 80 * time.Second

// Client talks to Clockify's API. Build one with [NewClient]; it is safe for concurrent
// use, and every goroutine using it shares its rate limit.
type Client struct {
	baseURL    *url.URL
	reportsURL *url.URL
	userAgent  string
	logger     *slog.Logger
	limiter    *rate.Limiter
	policy     RetryPolicy
	redact     func(string) string

	// retrying sends requests that are safe to repeat; unsent sends the others, and
	// repeats them only when they were refused unread.
	retrying *retryablehttp.Client
	unsent   *retryablehttp.Client

	common service

	// Users reads the current user and a workspace's members.
	Users *UsersService
	// Workspaces reads workspaces.
	Workspaces *WorkspacesService
	// Projects reads a workspace's projects.
	Projects *ProjectsService
	// TimeEntries reads and writes time entries.
	TimeEntries *TimeEntriesService
	// Webhooks manages a workspace's webhooks and reads their delivery logs.
	Webhooks *WebhooksService
	// Reports runs reports on the reports host.
	Reports *ReportsService
	// EntityChanges reads what was created, updated and deleted in a period.
	EntityChanges *EntityChangesService
}

type service struct {
	client *Client
}

// NewClient builds a Client from options. [WithAPIKey] is required; everything else has
// a default: the global hosts, 50 requests per second, [DefaultRetryPolicy], no logging.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{
		region:    RegionGlobal,
		userAgent: defaultUserAgent,
		rps:       DefaultRateLimit,
		burst:     1,
		policy:    DefaultRetryPolicy(),
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	if s.apiKey == "" {
		return nil, ErrMissingAPIKey
	}
	core, reports := s.region.urls()
	if s.baseURL != nil {
		core = s.baseURL
	}
	if s.reportsURL != nil {
		reports = s.reportsURL
	}
	logger := s.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	c := &Client{
		baseURL:    core,
		reportsURL: reports,
		userAgent:  s.userAgent,
		logger:     logger,
		limiter:    rate.NewLimiter(rate.Limit(s.rps), s.burst),
		policy:     s.policy,
		redact:     redactor(s.apiKey),
	}
	base := s.httpClient
	if base == nil {
		base = &http.Client{Timeout: DefaultTimeout}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	hc := &http.Client{
		Transport: &transport{
			base:    rt,
			apiKey:  s.apiKey,
			origins: []string{origin(core), origin(reports)},
			limiter: c.limiter,
			logger:  logger,
			redact:  c.redact,
		},
		CheckRedirect: base.CheckRedirect,
		Jar:           base.Jar,
		Timeout:       base.Timeout,
	}
	c.retrying = c.newRetryClient(hc, c.checkRetry)
	c.unsent = c.newRetryClient(hc, c.checkRetryUnsent)

	c.common.client = c
	c.Users = (*UsersService)(&c.common)
	c.Workspaces = (*WorkspacesService)(&c.common)
	c.Projects = (*ProjectsService)(&c.common)
	c.TimeEntries = (*TimeEntriesService)(&c.common)
	c.Webhooks = (*WebhooksService)(&c.common)
	c.Reports = (*ReportsService)(&c.common)
	c.EntityChanges = (*EntityChangesService)(&c.common)
	return c, nil
}

// BaseURL returns the core API's base URL (ending in "/").
func (c *Client) BaseURL() *url.URL { u := *c.baseURL; return &u }

// ReportsURL returns the reports API's base URL (ending in "/").
func (c *Client) ReportsURL() *url.URL { u := *c.reportsURL; return &u }

// Response is Clockify's answer to one call: the HTTP response (its body already read and
// closed), the paging metadata Clockify sends, and how many attempts the call took.
type Response struct {
	*http.Response

	// LastPage is true when Clockify sent "Last-Page: true".
	LastPage bool

	// Attempts is how many times the request was sent: 1, or more after retries.
	Attempts int

	// lastPageSent is true when the answer carried a Last-Page header at all.
	lastPageSent bool
}

func newResponse(r *http.Response) *Response {
	resp := &Response{Response: r}
	if r != nil {
		// Only "true" and "false" count: any other value is read as no header at all.
		v := strings.TrimSpace(r.Header.Get("Last-Page"))
		resp.LastPage = strings.EqualFold(v, "true")
		resp.lastPageSent = resp.LastPage || strings.EqualFold(v, "false")
	}
	return resp
}

// Request is a request built by [Client.NewRequest], ready for [Client.Do].
type Request struct {
	*http.Request
	body []byte
	// Retry says whether the request may be sent again after any failure. NewRequest sets
	// it for GET, PUT, DELETE and HEAD, and for POST and PATCH when the policy's
	// RetryWrites is set. Without it, the request is sent again only after a 429 or a
	// connection that could not be opened, when Clockify cannot have acted on it.
	Retry bool
}

// NewRequest builds a request for a path relative to the core base URL (for example
// "v1/user"). A non-nil body is encoded as JSON. Callers use it to reach endpoints that
// the client does not wrap yet.
func (c *Client) NewRequest(ctx context.Context, method, path string, body any) (*Request, error) {
	return c.newRequest(ctx, c.baseURL, method, path, body)
}

func (c *Client) newRequest(ctx context.Context, base *url.URL, method, path string, body any) (*Request, error) {
	if ctx == nil {
		return nil, errors.New("clockify: nil context")
	}
	if strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("clockify: path %q must be relative to the base URL", path)
	}
	for seg := range strings.SplitSeq(strings.SplitN(path, "?", 2)[0], "/") {
		if seg == ".." || seg == "." {
			return nil, &ArgumentError{Field: "path", Reason: fmt.Sprintf("%q has a dot segment", path)}
		}
	}
	u, err := base.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("clockify: bad path: %w", err)
	}
	var buf []byte
	if body != nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("clockify: encode %s body: %w", method, err)
		}
		buf = b.Bytes()
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("clockify: %w", err)
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", c.userAgent)
	if buf != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	retry := method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete || method == http.MethodHead
	return &Request{Request: hr, body: buf, Retry: retry || c.policy.RetryWrites}, nil
}

// Do sends a request, retrying it as the policy allows, and decodes a successful JSON
// answer into v (when v is non-nil). A non-2xx answer is returned as an [*APIError];
// when ctx ends first, Do returns ctx.Err().
func (c *Client) Do(req *Request, v any) (*Response, error) {
	ctx := req.Context()
	// The retry client's request hook counts the attempts into this call's context.
	attempts := 0
	rreq, err := retryablehttp.FromRequest(req.WithContext(context.WithValue(ctx, attemptsKey{}, &attempts)))
	if err != nil {
		return nil, fmt.Errorf("clockify: %w", err)
	}
	if req.body != nil {
		if err := rreq.SetBody(req.body); err != nil {
			return nil, fmt.Errorf("clockify: %w", err)
		}
	}
	// Read the whole body inside the retry loop, so that a body cut short is retried like
	// any other network failure.
	var payload []byte
	read := false
	rreq.SetResponseHandler(func(r *http.Response) error {
		b, err := readBody(r)
		if err != nil {
			return &bodyError{err: err}
		}
		payload, read = b, true
		return nil
	})
	hc := c.unsent
	if req.Retry {
		hc = c.retrying
	}
	hr, err := hc.Do(rreq)
	if ctxErr := ctx.Err(); ctxErr != nil {
		if hr != nil {
			hr.Body.Close()
		}
		return nil, ctxErr
	}
	if err != nil {
		if hr != nil {
			hr.Body.Close()
		}
		return nil, c.transportError(req, err)
	}
	if !read {
		// The last of several retried answers (a 503, say): its body is still unread.
		payload, _ = readBody(hr)
	}
	// The request that went out carries the API key; hand back the caller's instead.
	hr.Request = req.Request
	resp := newResponse(hr)
	resp.Attempts = attempts
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		return resp, c.newAPIError(req.Request, hr, payload)
	}
	if v != nil && len(bytes.TrimSpace(payload)) > 0 {
		if err := json.Unmarshal(payload, v); err != nil {
			return resp, &decodeError{method: req.Method, path: req.URL.Path, err: err, redact: c.redact}
		}
	}
	return resp, nil
}

// attemptsKey keys a call's attempt counter in its request's context.
type attemptsKey struct{}

// countAttempt is the retry client's request hook: it runs before every attempt.
func countAttempt(_ retryablehttp.Logger, r *http.Request, attempt int) {
	if n, ok := r.Context().Value(attemptsKey{}).(*int); ok {
		*n = attempt + 1
	}
}

// deleted is the outcome of a DELETE: ErrNotFound after a retry means an earlier attempt
// deleted the entity and its answer was lost, so the entity is gone as asked.
func deleted(resp *Response, err error) (*Response, error) {
	if err != nil && resp != nil && resp.Attempts > 1 && errors.Is(err, ErrNotFound) {
		return resp, nil
	}
	return resp, err
}

// readBody reads a response body (bounded by its status) and leaves a re-readable copy.
func readBody(r *http.Response) ([]byte, error) {
	limit := int64(maxBody)
	if r.StatusCode < 200 || r.StatusCode > 299 {
		limit = maxErrorBody
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// transportError describes a failure with no HTTP answer, without the URL's query.
func (c *Client) transportError(req *Request, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return &TransportError{Method: req.Method, Path: req.URL.Path, Err: err, redact: c.redact}
}

// get sends a GET to the core API and decodes the answer into v.
func (c *Client) get(ctx context.Context, path string, v any) (*Response, error) {
	return c.send(ctx, c.baseURL, http.MethodGet, path, nil, v)
}

// send builds and sends one request.
func (c *Client) send(ctx context.Context, base *url.URL, method, path string, body, v any) (*Response, error) {
	req, err := c.newRequest(ctx, base, method, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(req, v)
}

// sendIdempotent sends a request that is safe to repeat whatever its method (a POST
// that Clockify uses as a query, a token regeneration), so it is retried like a GET.
func (c *Client) sendIdempotent(ctx context.Context, base *url.URL, method, path string, body, v any) (*Response, error) {
	req, err := c.newRequest(ctx, base, method, path, body)
	if err != nil {
		return nil, err
	}
	req.Retry = true
	return c.Do(req, v)
}

// pathf formats a path, escaping every argument as one path segment.
func pathf(format string, ids ...string) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = url.PathEscape(id)
	}
	return fmt.Sprintf(format, args...)
}

// requireIDs checks, before anything is sent, that no id is empty, or a dot segment
// ("." or ".."), which would name another path than the id's.
func requireIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		switch id := pairs[i+1]; {
		case strings.TrimSpace(id) == "":
			return &ArgumentError{Field: pairs[i], Reason: "is required"}
		case id == "." || id == "..":
			return &ArgumentError{Field: pairs[i], Reason: "is a dot segment, not an id"}
		}
	}
	return nil
}

// timeLayout is how Clockify writes times: UTC, second precision, "Z".
const timeLayout = "2006-01-02T15:04:05Z"

// formatTime renders a time as Clockify's filters require (timeLayout).
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout) // the layout drops fractions of a second
}
