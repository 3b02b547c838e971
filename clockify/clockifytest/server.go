package clockifytest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Server is a fake Clockify on a loopback HTTP server. Build it with [NewServer], seed it
// from Go ([Server.Load], [Server.AddMember], ...) and point a client at it with
// [Server.NewClient]. It is safe for concurrent use.
type Server struct {
	// URL is the server's root, like httptest.Server.URL ("http://clockifytest.invalid"
	// for a server WithoutListener).
	URL string

	ts         *httptest.Server // nil WithoutListener
	noListener bool
	hook       func(RequestInfo)
	now        func() time.Time
	routes     []route

	mu         sync.Mutex
	state      *state
	faults     faultState
	rateLimit  int
	arrivals   map[string][]time.Time // per credential, the last second's request times
	highest    int
	counts     map[string]int
	deliveries []Delivery
	delivery   *http.Client
	// deletionLag is how long after a deletion the list of deletions lacks it.
	deletionLag time.Duration
}

// Option configures a [Server].
type Option func(*Server)

// WithRateLimit makes the server answer 429 to a credential that sends more than
// perSecond requests in any one-second window, as Clockify does.
func WithRateLimit(perSecond int) Option {
	return func(s *Server) { s.rateLimit = perSecond }
}

// WithClock sets the server's clock (for timer starts and stops without a time, and
// delivery log times). The default, also when now is nil, is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithRequestHook calls fn after every request has been answered. Tests use it to learn,
// without sleeping, that a request reached the server.
func WithRequestHook(fn func(RequestInfo)) Option {
	return func(s *Server) { s.hook = fn }
}

// WithFaults injects faults at random, as [Server.SetFaults] does.
func WithFaults(f Faults) Option {
	return func(s *Server) { s.SetFaults(f) }
}

// WithoutListener starts no loopback listener: the server is reached only through
// [Server.Transport], which [Server.NewClient] then uses, and its URL is
// "http://clockifytest.invalid", which resolves nowhere. Such a server can be created
// inside a testing/synctest bubble, where a listener would keep the bubble's clock from
// advancing.
func WithoutListener() Option {
	return func(s *Server) { s.noListener = true }
}

// WithDeliveryClient sets the HTTP client that sends webhook deliveries. Whatever its
// redirect policy, the server follows no redirect: a 3xx answer is recorded as the
// delivery's status, so a webhook's token goes to the webhook's URL and nowhere else.
// A nil client keeps the default: a 10-second timeout, and no connection kept open
// between deliveries.
func WithDeliveryClient(hc *http.Client) Option {
	return func(s *Server) { s.delivery = hc }
}

// RequestInfo describes one request the server answered.
type RequestInfo struct {
	Method string
	// Path is the request's path ("/api/v1/workspaces/.../user/.../time-entries").
	Path string
	// Route is the matched route pattern ("GET v1/workspaces/{ws}/users"), or the raw path
	// when no route matched.
	Route string
	// Status is the HTTP status answered (0 for a dropped connection).
	Status int
	// Fault is the fault injected into the answer, if any.
	Fault Fault
}

// NewServer starts a fake Clockify with no data. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		state:    newState(),
		arrivals: map[string][]time.Time{},
		counts:   map[string]int{},
	}
	s.SetFaults(Faults{}) // the defaults of a fault scripted with FailNext
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	// What no option set, or an option set to nil, takes the default.
	if s.now == nil {
		s.now = time.Now
	}
	if s.delivery == nil {
		// No connection is kept open between deliveries: none outlives the call that made
		// it, which a testing/synctest bubble waits for.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableKeepAlives = true
		s.delivery = &http.Client{Timeout: 10 * time.Second, Transport: t}
	}
	noRedirects := *s.delivery
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.delivery = &noRedirects
	s.routes = s.buildRoutes()
	s.URL = "http://clockifytest.invalid"
	if !s.noListener {
		s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
		s.URL = s.ts.URL
	}
	return s
}

// Close shuts the server down.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// CoreURL is the base URL of the core API ("<URL>/api/").
func (s *Server) CoreURL() string { return s.URL + "/api/" }

// ReportsURL is the base URL of the reports API ("<URL>/report/").
func (s *Server) ReportsURL() string { return s.URL + "/report/" }

// NewClient returns a client for this server, authenticated with apiKey. Further options
// (rate limit, retry policy, logger) are applied after the server's URLs. A server
// WithoutListener is reached through its [Server.Transport].
func (s *Server) NewClient(apiKey string, opts ...clockify.Option) (*clockify.Client, error) {
	base := []clockify.Option{
		clockify.WithAPIKey(apiKey),
		clockify.WithBaseURL(s.CoreURL()),
		clockify.WithReportsURL(s.ReportsURL()),
	}
	if s.ts == nil {
		base = append(base, clockify.WithHTTPClient(&http.Client{Transport: s.Transport()}))
	}
	return clockify.NewClient(append(base, opts...)...)
}

// RequestCounts returns how many requests each route received ("GET v1/user" → 3).
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	maps.Copy(out, s.counts)
	return out
}

// Requests returns how many requests a route received.
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// HighestRate returns the most requests one credential sent in any one-second window.
func (s *Server) HighestRate() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.highest
}

// apiError is Clockify's error body.
type apiError struct {
	status  int
	Message string `json:"message"`
	Code    int    `json:"code,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.Message) }

func errNotInWorkspace(entity string) *apiError {
	return &apiError{status: http.StatusBadRequest, Message: entity + " doesn't belong to Workspace", Code: 501}
}

func errBadRequest(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, Message: msg, Code: 501}
}

// errInvalidField is Clockify's answer to a value it refuses in a request's field or query
// parameter.
func errInvalidField(field string) *apiError {
	return errBadRequest("You entered invalid value for field: [" + field + "]")
}

var errAccessDenied = &apiError{status: http.StatusForbidden, Message: "Access Denied", Code: 501}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeError(w http.ResponseWriter, e *apiError) { writeJSON(w, e.status, e) }

// writeResult writes out with status, or err instead when there is one.
func writeResult(w http.ResponseWriter, status int, out any, err *apiError) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, out)
}

// serveHTTP authenticates, counts, rate-limits, injects faults, then routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, allowed := s.match(r)
	name := r.Method + " " + r.URL.Path
	if rt != nil {
		name = rt.method + " " + rt.pattern
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	info := RequestInfo{Method: r.Method, Path: r.URL.Path, Route: name}
	defer func() {
		info.Status = rec.status
		if s.hook != nil {
			s.hook(info)
		}
	}()

	cred, userID, authErr := s.authenticate(r)
	s.mu.Lock()
	s.counts[name]++
	limited := s.recordArrival(cred)
	fault := s.faults.next()
	s.mu.Unlock()
	info.Fault = fault

	if authErr != nil {
		writeError(rec, authErr)
		return
	}
	if limited {
		writeError(rec, &apiError{status: http.StatusTooManyRequests, Message: "Too many requests"})
		return
	}
	if s.applyFault(rec, r, fault) {
		return
	}
	if rt == nil {
		if len(allowed) > 0 {
			sort.Strings(allowed)
			rec.Header().Set("Allow", strings.Join(allowed, ", "))
			writeError(rec, &apiError{status: http.StatusMethodNotAllowed, Message: "Request method '" + r.Method + "' is not supported", Code: 3000})
			return
		}
		writeError(rec, &apiError{status: http.StatusNotFound, Message: "No static resource " + strings.TrimPrefix(r.URL.Path, "/") + ".", Code: 3000})
		return
	}
	switch fault {
	case FaultTruncateBody:
		s.serveTruncated(rec, r, rt, params, userID)
		return
	case FaultLoseAnswer:
		s.serveLost(rec, r, rt, params, userID)
		return
	}
	rt.handle(rec, r, params, userID)
}

// recordArrival notes a request of a credential and reports whether it is over the
// simulated rate limit. The caller holds s.mu.
func (s *Server) recordArrival(cred string) bool {
	now := time.Now()
	times := s.arrivals[cred]
	keep := 0
	for keep < len(times) && now.Sub(times[keep]) >= time.Second {
		keep++
	}
	times = append(times[keep:], now)
	s.arrivals[cred] = times
	if len(times) > s.highest {
		s.highest = len(times)
	}
	return s.rateLimit > 0 && len(times) > s.rateLimit
}

// authenticate checks that exactly one credential was sent, and that it is known.
func (s *Server) authenticate(r *http.Request) (cred, userID string, err *apiError) {
	key, hasKey := r.Header["X-Api-Key"]
	tok, hasTok := r.Header["X-Addon-Token"]
	_, hasBearer := r.Header["Authorization"]
	if hasKey == hasTok || hasBearer {
		return "", "", &apiError{status: http.StatusUnauthorized, Message: "Multiple or none auth tokens present", Code: 1000}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if hasKey {
		uid, ok := s.state.keys[key[0]]
		if !ok {
			return "", "", &apiError{status: http.StatusUnauthorized, Message: "Api key does not exist", Code: 4003}
		}
		return "key:" + key[0], uid, nil
	}
	uid, ok := s.state.addonTokens[tok[0]]
	if !ok {
		return "", "", &apiError{status: http.StatusUnauthorized, Message: "Token is not valid", Code: 4017}
	}
	return "addon:" + tok[0], uid, nil
}

// statusRecorder remembers the status written, for the request hook.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
