package clockify

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors matched by [*APIError] through errors.Is.
var (
	// ErrInvalidAPIKey: Clockify rejected the credentials (HTTP 401).
	ErrInvalidAPIKey = errors.New("clockify: API key rejected")
	// ErrForbidden: the key's user may not do this, or the workspace is not theirs (HTTP 403).
	ErrForbidden = errors.New("clockify: access denied")
	// ErrNotFound: the entity does not exist (HTTP 404, or Clockify's 400 "... doesn't
	// belong to Workspace"). Clockify's 404 for a path it has no route for ("No static
	// resource", code 3000) is not one: it says nothing of any entity.
	ErrNotFound = errors.New("clockify: not found")
	// ErrRateLimited: Clockify still answered 429 after every retry.
	ErrRateLimited = errors.New("clockify: rate limited")
)

// APIError is a non-2xx answer from Clockify. StatusCode is the HTTP status; Code is
// Clockify's own error code from the body (0 when the body had none), which is not an
// HTTP status: Clockify answers 400 with code 501 for an unknown id, for example.
type APIError struct {
	StatusCode int
	Code       int
	Message    string
	Method     string
	// Path is the request's URL path, without its query.
	Path string
	// RetryAfter is the wait the server asked for, when it sent Retry-After.
	RetryAfter time.Duration
	// Response is the HTTP response; its body has been read.
	Response *http.Response
}

// codeNoRoute is Clockify's code for a path it has no route for (404, "No static
// resource v1/...") and for a method a path does not take (405).
const codeNoRoute = 3000

// errorBody is Clockify's error JSON.
type errorBody struct {
	Message string          `json:"message"`
	Code    json.RawMessage `json:"code"`
}

func (c *Client) newAPIError(req *http.Request, resp *http.Response, body []byte) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     req.Method,
		Path:       req.URL.Path,
		Response:   resp,
	}
	if d, ok := retryAfter(resp, time.Now()); ok {
		e.RetryAfter = d
	}
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Message = shorten(c.redact(b.Message), 500)
		// The code is a JSON number; a json.Number also takes a quoted one.
		var n json.Number
		if json.Unmarshal(b.Code, &n) == nil {
			if v, err := n.Int64(); err == nil {
				e.Code = int(v)
			}
		}
	}
	if e.Message == "" {
		// Not Clockify's JSON: a proxy's page, say.
		e.Message = shorten(c.redact(strings.ToValidUTF8(strings.TrimSpace(string(body)), "\uFFFD")), 200)
	}
	return e
}

// shorten cuts s to at most n bytes, between characters, marking the cut with "…".
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Error describes the failure, and for a rejected key says what to do about it.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clockify: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		b.WriteString("; the API key was rejected: regenerate it in Clockify (Profile settings → API), " +
			"check that no spaces or line breaks were pasted with it, and that its user belongs to the workspace")
	case e.StatusCode == http.StatusForbidden:
		b.WriteString("; the key's user has no access to this workspace or lacks the role this call needs")
	case e.StatusCode == http.StatusTooManyRequests && e.RetryAfter > 0:
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Is matches the sentinel errors by HTTP status, and ErrNotFound by Clockify's code and
// message too (see [ErrNotFound]).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrInvalidAPIKey:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrNotFound:
		return (e.StatusCode == http.StatusNotFound && e.Code != codeNoRoute) ||
			(e.StatusCode == http.StatusBadRequest && strings.Contains(e.Message, "doesn't belong to"))
	}
	return false
}

// TransportError is a call that got no HTTP answer (connection refused, reset, a body cut
// short) after every retry.
type TransportError struct {
	Method string
	Path   string
	Err    error
	redact func(string) string
}

// Error describes the failure without secrets.
func (e *TransportError) Error() string {
	msg := fmt.Sprintf("clockify: %s %s: %v", e.Method, e.Path, e.Err)
	if e.redact != nil {
		msg = e.redact(msg)
	}
	return msg
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// decodeError is a 2xx answer whose body did not decode. Its message names the call and
// what failed, but quotes no text of the body: Go's decoding errors quote what they could
// not read (a time, a duration), cut to a length that may split a secret, and an answer
// can echo the API key. Unwrap returns the decoding error, for errors.Is and errors.As.
type decodeError struct {
	method, path string
	err          error
	redact       func(string) string
}

// Error describes the failure without quoting the body.
func (e *decodeError) Error() string {
	return e.redact(fmt.Sprintf("clockify: %s %s: decode response: %s", e.method, e.path, whyUndecodable(e.err)))
}

// whyUndecodable says why JSON did not decode without quoting it: the errors of
// encoding/json and time quote values, which may be anything a server sent.
func whyUndecodable(err error) string {
	var (
		syntax *json.SyntaxError
		kind   *json.UnmarshalTypeError
		clock  *time.ParseError
	)
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &kind):
		// The field's path is the types' own names, and the keys of any map on the way,
		// which the caller redacts.
		value, _, _ := strings.Cut(kind.Value, " ") // "number 1e999": the kind, not the number
		return fmt.Sprintf("a JSON %s where %s is a %s", value, cmp.Or(kind.Field, "the body"), kind.Type)
	case errors.Is(err, ErrBadDuration):
		return "a duration that is not a strict ISO-8601 duration"
	case errors.As(err, &clock):
		return "a time that is not RFC 3339"
	default:
		return "a value of the wrong shape"
	}
}

// Unwrap returns the decoding error, which may quote the body.
func (e *decodeError) Unwrap() error { return e.err }

// ArgumentError is a call rejected before anything was sent.
type ArgumentError struct {
	Field  string
	Reason string
}

// Error says which argument is wrong and why.
func (e *ArgumentError) Error() string {
	return fmt.Sprintf("clockify: %s %s", e.Field, e.Reason)
}
