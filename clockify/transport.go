package clockify

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// transport paces every attempt on the shared limiter, then sends a clone of the request
// with the API key added when the request goes to one of the client's own origins. The
// caller's request is never changed; credentials the caller put on it (X-Api-Key,
// Authorization) are left out of the clone, so the client's key is the only one sent.
//
// The key is added here, at every hop, so net/http's rule of dropping credentials on a
// redirect to another host (which covers Authorization and cookies, not X-Api-Key) does
// not protect it: the origin check does. A redirect elsewhere, or from https to http,
// goes out without the key, and Clockify's answer to it is the caller's error.
type transport struct {
	base    http.RoundTripper
	apiKey  string
	origins []string // scheme://host[:port] of the core and reports APIs, see origin
	limiter *rate.Limiter
	logger  *slog.Logger
	redact  func(string) string
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.limiter.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &rateWaitError{err: err}
	}
	r := req.Clone(ctx)
	r.Header.Del("Authorization")
	r.Header.Del("X-Api-Key")
	if o := origin(req.URL); slices.Contains(t.origins, o) {
		r.Header.Set("X-Api-Key", t.apiKey)
	} else {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "clockify: API key withheld from a request to another origin",
			slog.String("method", req.Method), slog.String("origin", o))
	}

	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Duration("elapsed", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", t.redact(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "clockify: request", attrs...)
	return resp, err
}

// origin returns a URL's scheme and host in lower case, with the scheme's default port
// left out, so that https://API.clockify.me:443 and https://api.clockify.me compare equal.
func origin(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host
}

// redactor returns a function that removes a secret from text.
func redactor(secret string) func(string) string {
	return func(s string) string {
		if secret == "" {
			return s
		}
		return strings.ReplaceAll(s, secret, "[REDACTED]")
	}
}
