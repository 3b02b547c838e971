package clockify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy says which failures are retried and how long to wait between attempts.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one call, the first included (1 disables retries).
	MaxAttempts int
	// MinWait is the first backoff; each retry doubles it, up to MaxWait.
	MinWait time.Duration
	// MaxWait caps the exponential backoff.
	MaxWait time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make the client wait.
	MaxRetryAfter time.Duration
	// RetryWrites allows retrying POST and PATCH calls that create or change things
	// (creating a time entry, project or webhook, stopping a timer) after any failure.
	// Clockify has no idempotency key, so a retried create may create twice; it is off by
	// default, and such a call is then retried only when Clockify cannot have acted on it:
	// after a 429 (refused before any work) or a connection that could not be opened.
	RetryWrites bool
}

// DefaultRetryPolicy returns the policy a client uses unless told otherwise: four
// attempts, backoff from 250ms to 5s with jitter, Retry-After honoured up to 30s, writes
// retried only when Clockify cannot have acted on them.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   4,
		MinWait:       250 * time.Millisecond,
		MaxWait:       5 * time.Second,
		MaxRetryAfter: 30 * time.Second,
	}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("clockify: retry policy needs MaxAttempts ≥ 1 (got %d)", p.MaxAttempts)
	case p.MinWait < 0 || p.MaxWait < p.MinWait:
		return fmt.Errorf("clockify: retry policy needs 0 ≤ MinWait ≤ MaxWait (got %v, %v)", p.MinWait, p.MaxWait)
	case p.MaxRetryAfter < 0:
		return fmt.Errorf("clockify: retry policy needs MaxRetryAfter ≥ 0 (got %v)", p.MaxRetryAfter)
	}
	return nil
}

// retryableStatus reports the statuses worth another attempt.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *Client) newRetryClient(hc *http.Client, check retryablehttp.CheckRetry) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil,
		RetryWaitMin:   c.policy.MinWait,
		RetryWaitMax:   c.policy.MaxWait,
		RetryMax:       c.policy.MaxAttempts - 1,
		CheckRetry:     check,
		RequestLogHook: countAttempt,
		Backoff:        c.backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
}

// checkRetry decides after every attempt whether to try again. An answer whose
// Retry-After (as capped) would outlast the context's deadline is handed back at once:
// waiting would only turn it into a deadline error.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if _, ok := errors.AsType[*rateWaitError](err); ok {
			return false, err
		}
		if _, ok := errors.AsType[*bodyError](err); ok {
			return true, nil
		}
		// Redirect loops, bad schemes and untrusted certificates are not retried.
		return retryablehttp.ErrorPropagatedRetryPolicy(ctx, nil, err)
	}
	if !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	if wait, ok := retryAfter(resp, time.Now()); ok {
		if deadline, has := ctx.Deadline(); has && time.Until(deadline) < min(wait, c.policy.MaxRetryAfter) {
			return false, nil
		}
	}
	return true, nil
}

// checkRetryUnsent is checkRetry for a write that must not be sent twice: it retries only
// what Clockify cannot have acted on, a 429 and a connection that could not be opened.
func (c *Client) checkRetryUnsent(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, cerr := c.checkRetry(ctx, resp, err)
	if !retry {
		return false, cerr
	}
	if err != nil {
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial", nil
	}
	return resp.StatusCode == http.StatusTooManyRequests, nil
}

// backoff returns the wait before the next attempt: the server's Retry-After when it sent
// one (capped), otherwise exponential backoff with equal jitter.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	wait, fromServer := retryAfter(resp, time.Now())
	if fromServer {
		wait = min(wait, c.policy.MaxRetryAfter)
	} else {
		wait = jitter(exponential(minWait, maxWait, attempt))
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	c.logger.LogAttrs(context.Background(), slog.LevelDebug, "clockify: retrying",
		slog.Int("attempt", attempt+2), slog.Int("status", status),
		slog.Duration("wait", wait), slog.Bool("retry_after", fromServer))
	return wait
}

// exponential returns minWait·2^attempt, capped at maxWait.
func exponential(minWait, maxWait time.Duration, attempt int) time.Duration {
	d := minWait
	for range attempt {
		if d >= maxWait/2 {
			return maxWait
		}
		d *= 2
	}
	return min(d, maxWait)
}

// jitter returns a duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter reads a Retry-After header given as seconds or as an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// bodyError marks a response body that could not be read in full (a dropped connection
// or a truncated answer): a network failure worth retrying.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "read response body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// rateWaitError marks a call that could not get a rate-limit token before its deadline.
// It matches context.DeadlineExceeded as well as the limiter's error: the deadline is why
// the call was not sent, though it has not passed yet.
type rateWaitError struct{ err error }

func (e *rateWaitError) Error() string   { return "wait for rate limit: " + e.err.Error() }
func (e *rateWaitError) Unwrap() []error { return []error{e.err, context.DeadlineExceeded} }
