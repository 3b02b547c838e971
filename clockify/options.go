package clockify

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// DefaultRateLimit is the client-side pace, in requests per second: Clockify's documented
// limit for a workspace. A client paces all its calls together, whatever workspace they
// name, so one key's client serving several workspaces stays under each one's limit; a
// host that needs each workspace's full rate uses a client per workspace.
const DefaultRateLimit = 50

// Region is a Clockify data region. The zero value is the global region.
type Region string

// The regions Clockify serves.
const (
	RegionGlobal Region = ""
	RegionEUC1   Region = "euc1"  // EU (Germany)
	RegionUSE2   Region = "use2"  // USA
	RegionEUW2   Region = "euw2"  // UK
	RegionAPSE2  Region = "apse2" // Australia
)

// urls returns the core and reports base URLs of the region.
func (r Region) urls() (core, reports *url.URL) {
	if r == RegionGlobal {
		return mustURL("https://api.clockify.me/api/"), mustURL("https://reports.api.clockify.me/")
	}
	host := "https://" + string(r) + ".clockify.me/"
	return mustURL(host + "api/"), mustURL(host + "report/")
}

// Valid reports whether r is a region Clockify serves (the global one included).
func (r Region) Valid() bool {
	switch r {
	case RegionGlobal, RegionEUC1, RegionUSE2, RegionEUW2, RegionAPSE2:
		return true
	}
	return false
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// settings collects options before the client is built.
type settings struct {
	apiKey     string
	region     Region
	baseURL    *url.URL
	reportsURL *url.URL
	httpClient *http.Client
	userAgent  string
	logger     *slog.Logger
	rps        float64
	burst      int
	policy     RetryPolicy
}

// Option configures a [Client]. Options are validated by [NewClient].
type Option func(*settings) error

// ErrMissingAPIKey is returned by [NewClient] when no API key (or only spaces) was given.
var ErrMissingAPIKey = errors.New("clockify: an API key is required (WithAPIKey); generate one in Clockify under Profile settings → API")

// ErrMalformedAPIKey is returned by [NewClient] for a key with spaces or control
// characters inside, which no Clockify key has: a copy gone wrong. No request is sent.
var ErrMalformedAPIKey = errors.New("clockify: the API key contains spaces or control characters; copy it again from Clockify")

// WithAPIKey sets the API key sent in X-Api-Key. Surrounding spaces are trimmed; an empty
// key is ErrMissingAPIKey, one with spaces or control characters inside
// ErrMalformedAPIKey (neither repeats the key).
func WithAPIKey(key string) Option {
	return func(s *settings) error {
		key = strings.TrimSpace(key)
		if key == "" {
			return ErrMissingAPIKey
		}
		for _, r := range key {
			if r < 0x20 || r == 0x7f || r == ' ' {
				return ErrMalformedAPIKey
			}
		}
		s.apiKey = key
		return nil
	}
}

// WithRegion selects a data region for both the core and the reports API.
func WithRegion(r Region) Option {
	return func(s *settings) error {
		if !r.Valid() {
			return fmt.Errorf("clockify: unknown region %q (want euc1, use2, euw2, apse2 or global)", string(r))
		}
		s.region = r
		return nil
	}
}

// WithBaseURL sets the core API's base URL (for example "https://api.clockify.me/api/"
// or a clockifytest server's). A missing trailing slash is added. A URL with a user or
// password is refused, by an error that repeats neither.
func WithBaseURL(raw string) Option {
	return func(s *settings) error {
		u, err := parseBase(raw)
		if err != nil {
			return err
		}
		s.baseURL = u
		return nil
	}
}

// WithReportsURL sets the reports API's base URL (for example
// "https://reports.api.clockify.me/"), as WithBaseURL the core API's.
func WithReportsURL(raw string) Option {
	return func(s *settings) error {
		u, err := parseBase(raw)
		if err != nil {
			return err
		}
		s.reportsURL = u
		return nil
	}
}

// parseBase parses a base URL. Its errors never repeat a user or password the URL
// carries, even one it fails to parse.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err == nil && u.User != nil {
		return nil, errors.New("clockify: base URL must not carry credentials")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("clockify: base URL %q must be an absolute http(s) URL", withoutUserinfo(raw))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// withoutUserinfo returns raw with all before its last "@" elided: in a URL that is
// refused, parsed or not, that is where a user and password may be.
func withoutUserinfo(raw string) string {
	if i := strings.LastIndexByte(raw, '@'); i >= 0 {
		return "..." + raw[i:]
	}
	return raw
}

// WithHTTPClient sets the HTTP client whose transport, timeout, redirect policy and
// cookie jar are used (its timeout as it is: none when zero; DefaultTimeout applies to
// the client NewClient makes without it). The client itself is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("clockify: nil HTTP client")
		}
		s.httpClient = hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header. An empty one, or one with control characters
// (which no HTTP header may carry), is an error.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		ua = strings.TrimSpace(ua)
		if ua == "" {
			return errors.New("clockify: empty user agent")
		}
		if strings.ContainsFunc(ua, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return errors.New("clockify: the user agent contains control characters")
		}
		s.userAgent = ua
		return nil
	}
}

// WithLogger makes the client log each attempt (method, path, status, duration) and each
// retry at debug level. The client is silent without it. Keys, tokens and bodies are
// never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithRateLimit sets the client-side pace: at most rps requests per second on average,
// with bursts of up to burst requests. Every goroutine using the client shares it.
//
// Clockify's help centre limits a newly created workspace on the Free plan to 30
// requests an hour, for the whole workspace: pace a client for one with
// WithRateLimit(30.0/3600, 30). A call whose turn would come after its context's
// deadline fails at once, without waiting, with an error that matches
// context.DeadlineExceeded.
func WithRateLimit(rps float64, burst int) Option {
	return func(s *settings) error {
		if !(rps > 0) || burst < 1 {
			return fmt.Errorf("clockify: rate limit needs rps > 0 and burst ≥ 1 (got %v, %d)", rps, burst)
		}
		s.rps, s.burst = rps, burst
		return nil
	}
}

// WithRetryPolicy replaces [DefaultRetryPolicy].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if err := p.validate(); err != nil {
			return err
		}
		s.policy = p
		return nil
	}
}
