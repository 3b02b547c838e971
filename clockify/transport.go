package clockify

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// transport paces every attempt on the shared limiter, then sends a clone of the request
// with the API key added. The caller's request is never changed.
type transport struct {
	base    http.RoundTripper
	apiKey  string
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
	r.Header.Set("X-Api-Key", t.apiKey)

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

// redactor returns a function that removes a secret from text.
func redactor(secret string) func(string) string {
	return func(s string) string {
		if secret == "" {
			return s
		}
		return strings.ReplaceAll(s, secret, "[REDACTED]")
	}
}
