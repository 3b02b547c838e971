package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// recorder is an ApplyFunc that remembers what it applied and fails on demand.
type recorder struct {
	mu      sync.Mutex
	applied []*Event
	fail    error
}

func (r *recorder) apply(_ context.Context, ev *Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.applied = append(r.applied, ev)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.applied)
}

type fixture struct {
	h     *Handler
	v     *Verifier
	clock *fakeClock
	rec   *recorder
	log   *MemoryLog
	logs  *bytes.Buffer
}

func newFixture(t *testing.T, opts ...HandlerOption) *fixture {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}
	v := newTestVerifier(t, clock)
	rec := &recorder{}
	ml := NewMemoryLog(100)
	var logs bytes.Buffer
	base := []HandlerOption{
		WithDeliveryLog(ml), WithHandlerClock(clock.Now),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	h := NewHandler(v, rec.apply, append(base, opts...)...)
	return &fixture{h: h, v: v, clock: clock, rec: rec, log: ml, logs: &logs}
}

func (f *fixture) send(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

func signed(t *testing.T, token string, event clockify.WebhookEvent, body string) *http.Request {
	t.Helper()
	req, err := NewSignedRequest("http://jasper.test/hooks/clockify", clockify.Secret(token), event, []byte(body))
	require.NoError(t, err)
	return req
}

func TestHandlerAppliesOnce(t *testing.T) {
	f := newFixture(t)
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "ok\n", w.Body.String())
	require.Equal(t, 1, f.rec.count())
	require.Equal(t, "web-app", f.rec.applied[0].TimeEntry.Project.Name)

	// A replay of the same delivery is acknowledged, not applied again.
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "duplicate\n", w.Body.String())
	require.Equal(t, 1, f.rec.count())

	recs := f.log.Recent(0)
	require.Len(t, recs, 2)
	require.Equal(t, OutcomeDuplicate, recs[0].Outcome)
	require.Equal(t, OutcomeApplied, recs[1].Outcome)
	require.Equal(t, "h-entry", recs[1].WebhookID)
	require.Equal(t, "5f118c837db7a8637ffcaf36", recs[1].EntityID)
	require.Equal(t, "ws1", recs[1].WorkspaceID)
	require.Equal(t, TimeEntryCreated, recs[1].Kind)
	require.Equal(t, "NEW_TIME_ENTRY", recs[1].EventType)
	require.Equal(t, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), recs[1].ReceivedAt)
	require.Equal(t, http.StatusOK, recs[1].Status)
}

func TestHandlerBadInputsChangeNothing(t *testing.T) {
	huge := `{"id":"e","workspaceId":"ws1","description":"` + strings.Repeat("x", 10<<20) + `"}`
	foreign := strings.Replace(entryBody, `"workspaceId":"ws1"`, `"workspaceId":"ws-other"`, 1)
	cases := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		status  int
		body    string
		outcome Outcome
	}{
		{"wrong token", func(t *testing.T) *http.Request { return signed(t, "nope", clockify.EventNewTimeEntry, entryBody) }, 401, "unauthorized\n", OutcomeRejected},
		{"empty token", func(t *testing.T) *http.Request { return signed(t, "", clockify.EventNewTimeEntry, entryBody) }, 401, "unauthorized\n", OutcomeRejected},
		{"token of another webhook", func(t *testing.T) *http.Request {
			return signed(t, "tok-project-BBBB", clockify.EventNewTimeEntry, entryBody)
		}, 401, "unauthorized\n", OutcomeRejected},
		{"token with extra spaces", func(t *testing.T) *http.Request {
			r := signed(t, "x", clockify.EventNewTimeEntry, entryBody)
			r.Header.Set(SignatureHeader, " tok-entry-AAAA ")
			return r
		}, 401, "unauthorized\n", OutcomeRejected},
		{"no event header", func(t *testing.T) *http.Request {
			r := signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)
			r.Header.Del(EventTypeHeader)
			return r
		}, 400, "unknown event type\n", OutcomeRejected},
		{"unknown event header", func(t *testing.T) *http.Request { return signed(t, "tok-entry-AAAA", "TIME_ENTRY_EXPLODED", entryBody) }, 400, "unknown event type\n", OutcomeRejected},
		{"unknown event without signature", func(t *testing.T) *http.Request { return signed(t, "", "BOGUS", entryBody) }, 401, "unauthorized\n", OutcomeRejected},
		{"body of 10 MB", func(t *testing.T) *http.Request { return signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, huge) }, 413, "too large\n", OutcomeRejected},
		{"body of 10 MB, length unknown", func(t *testing.T) *http.Request {
			r := signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, huge)
			r.ContentLength = -1
			return r
		}, 413, "too large\n", OutcomeRejected},
		{"empty body", func(t *testing.T) *http.Request { return signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, "") }, 400, "malformed payload\n", OutcomeRejected},
		{"wrong shape", func(t *testing.T) *http.Request {
			return signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, `{"id":["x"],"timeInterval":7}`)
		}, 400, "malformed payload\n", OutcomeRejected},
		{"workspace not served", func(t *testing.T) *http.Request {
			return signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, foreign)
		}, 400, "workspace not served\n", OutcomeRejected},
		{"GET", func(t *testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/hooks/clockify", nil) }, 405, "method not allowed\n", OutcomeRejected},
		{"body that fails to read", func(t *testing.T) *http.Request {
			r := signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader("{"), failingReader{}))
			r.ContentLength = -1
			return r
		}, 400, "bad request\n", OutcomeRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := f.send(t, tc.req(t))
			require.Equal(t, tc.status, w.Code)
			require.Equal(t, tc.body, w.Body.String())
			require.Zero(t, f.rec.count(), "nothing was applied")
			recs := f.log.Recent(0)
			require.Len(t, recs, 1, "every delivery is recorded")
			require.Equal(t, tc.outcome, recs[0].Outcome)
			require.NotEmpty(t, recs[0].Reason)
			require.Equal(t, tc.status, recs[0].Status)
			if tc.status == 405 {
				require.Equal(t, "POST", w.Header().Get("Allow"))
			}
			for _, out := range []string{w.Body.String(), fmt.Sprintf("%+v", recs[0]), f.logs.String()} {
				require.NotContains(t, out, "tok-", "no token in a response, record or log line")
			}
			// The delivery left no trace in de-duplication either: a good one still applies.
			w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
			require.Equal(t, http.StatusOK, w.Code)
			require.Equal(t, 1, f.rec.count())
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestHandlerWorkspaceFilter(t *testing.T) {
	f := newFixture(t, WithWorkspaces("ws-only"))
	w := f.send(t, signed(t, "tok-project-BBBB", clockify.EventNewProject, projectBody))
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Zero(t, f.rec.count())
	f = newFixture(t, WithWorkspaces("ws1"))
	w = f.send(t, signed(t, "tok-project-BBBB", clockify.EventNewProject, projectBody))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, ProjectCreated, f.rec.applied[0].Kind)
}

// TestForeignWorkspaceFiledUnderTheToken: a delivery refused for the workspace its
// payload names (whatever its event) is recorded under its token's workspace (none when the token has none),
// the name it gave in the reason: a payload may name any number of workspaces, and each
// workspace's records are bounded apart.
func TestForeignWorkspaceFiledUnderTheToken(t *testing.T) {
	foreign := strings.Replace(entryBody, `"workspaceId":"ws1"`, `"workspaceId":"ws-other"`, 1)
	f := newFixture(t)
	require.Equal(t, http.StatusBadRequest, f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, foreign)).Code)
	require.Empty(t, f.log.RecentOf("ws-other", 0))
	recs := f.log.RecentOf("ws1", 0)
	require.Len(t, recs, 1)
	require.Equal(t, "ws1", recs[0].WorkspaceID)
	require.Contains(t, recs[0].Reason, "ws-other")

	// An event the product does not use is refused so too, not acknowledged.
	require.NoError(t, f.v.Add(Token{WebhookID: "h-tag", Event: clockify.EventNewTag, WorkspaceID: "ws1", Value: "tok-tag-CCCC"}))
	require.Equal(t, http.StatusBadRequest, f.send(t, signed(t, "tok-tag-CCCC", clockify.EventNewTag, foreign)).Code)
	require.Empty(t, f.log.RecentOf("ws-other", 0))
	require.Len(t, f.log.RecentOf("ws1", 0), 2)
	require.Equal(t, http.StatusOK, f.send(t, signed(t, "tok-tag-CCCC", clockify.EventNewTag, entryBody)).Code, "its own workspace's: ignored")

	f = newFixture(t, WithWorkspaces("ws-only"))
	require.Equal(t, http.StatusBadRequest, f.send(t, signed(t, "tok-project-BBBB", clockify.EventNewProject, projectBody)).Code)
	require.Empty(t, f.log.RecentOf("ws1", 0))
	require.Len(t, f.log.RecentOf("", 0), 1)
}

// TestHandlerReloadsTokensOnAMiss: a token the verifier does not hold yet (another
// replica registered it) verifies after the reload the miss triggers; forged signatures
// reload at most ReloadBurst times in a row, then once an interval, and a failed reload
// asks Clockify to try again.
func TestHandlerReloadsTokensOnAMiss(t *testing.T) {
	var reloads int
	var fail error
	var f *fixture
	f = newFixture(t, WithTokenReload(func(context.Context) error {
		reloads++
		if fail != nil {
			return fail
		}
		return f.v.Add(Token{WebhookID: "h-other", Event: clockify.EventNewTimeEntry, WorkspaceID: "ws1", Value: "tok-from-elsewhere"})
	}, time.Minute))

	w := f.send(t, signed(t, "tok-from-elsewhere", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code, "the token stored elsewhere verifies after the reload")
	require.Equal(t, 1, reloads)
	require.Equal(t, "h-other", f.log.Recent(1)[0].WebhookID)

	for range ReloadBurst + 2 {
		w = f.send(t, signed(t, "forged", clockify.EventNewTimeEntry, entryBody))
		require.Equal(t, http.StatusUnauthorized, w.Code)
	}
	require.Equal(t, ReloadBurst, reloads, "misses past the burst do not reload")
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, strings.Replace(entryBody, `"id":"`, `"id":"x`, 1)))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, ReloadBurst, reloads, "a token held verifies without a reload")

	f.clock.Advance(time.Minute)
	fail = errors.New("store unavailable")
	w = f.send(t, signed(t, "forged", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "the token may be one the store could not give")
	require.Equal(t, ReloadBurst+1, reloads)
	d := f.log.Recent(1)[0]
	require.Equal(t, OutcomeFailed, d.Outcome)
	require.Contains(t, d.Reason, "store unavailable")
	require.Equal(t, 2, f.rec.count(), "nothing applied but the two verified deliveries")

	f = newFixture(t, WithTokenReload(func(context.Context) error { reloads++; return nil }, time.Minute), WithTokenReload(nil, 0))
	require.Equal(t, http.StatusUnauthorized, f.send(t, signed(t, "forged", clockify.EventNewTimeEntry, entryBody)).Code)
	require.Equal(t, ReloadBurst+1, reloads, "a nil reload turns reloading off")

	// A token the verifier forgot (its webhook removed, or its grace over) is not worth
	// a reload: late deliveries of it leave the bucket for tokens changed elsewhere.
	reloads = 0
	f = newFixture(t, WithTokenReload(func(context.Context) error { reloads++; return nil }, time.Minute))
	require.NoError(t, f.v.Rotate("h-project", "tok-project-NEW", time.Minute))
	f.v.Remove("h-entry")
	f.clock.Advance(time.Minute)
	for range ReloadBurst {
		require.Equal(t, http.StatusUnauthorized, f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)).Code)
		require.Equal(t, http.StatusUnauthorized, f.send(t, signed(t, "tok-project-BBBB", clockify.EventNewProject, projectBody)).Code)
	}
	require.Zero(t, reloads)
	require.Contains(t, f.log.Recent(1)[0].Reason, "no longer valid")

	reloads = 0
	f = newFixture(t, WithTokenReload(func(context.Context) error { reloads++; return nil }, 0))
	for _, step := range []time.Duration{0, 0, 0, 0, DefaultReloadInterval - time.Nanosecond, time.Nanosecond, 0} {
		f.clock.Advance(step)
		require.Equal(t, http.StatusUnauthorized, f.send(t, signed(t, "forged", clockify.EventNewTimeEntry, entryBody)).Code)
	}
	require.Equal(t, ReloadBurst+1, reloads, "no interval given: the burst, then one reload every DefaultReloadInterval")
}

// TestUnsignedDeliveryReloadsNothing: a delivery with no signature is refused without a
// reload of the tokens: a reload looks for a token another replica registered, and there
// is no token to look for. Unsigned requests cost no store read, nor the burst that
// forged ones share.
func TestUnsignedDeliveryReloadsNothing(t *testing.T) {
	reloads := 0
	f := newFixture(t, WithTokenReload(func(context.Context) error { reloads++; return nil }, time.Minute))
	for range ReloadBurst + 1 {
		req := signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)
		req.Header.Del(SignatureHeader)
		require.Equal(t, http.StatusUnauthorized, f.send(t, req).Code)
	}
	require.Zero(t, reloads)
	require.Equal(t, http.StatusUnauthorized, f.send(t, signed(t, "forged", clockify.EventNewTimeEntry, entryBody)).Code)
	require.Equal(t, 1, reloads, "a forged signature still reloads")
	require.Zero(t, f.rec.count())
}

// TestAMissVerifiedUnderTheLockReloadsNothing: a miss that verifies once it holds the
// reload's lock (a reload that ran meanwhile brought its token) reloads nothing and
// takes no place in the bucket.
func TestAMissVerifiedUnderTheLockReloadsNothing(t *testing.T) {
	reloads := 0
	var h Handler
	WithTokenReload(func(context.Context) error { reloads++; return nil }, time.Minute)(&h)
	r, now := h.reload, time.Now()
	m, err, reloadErr := r.verify(t.Context(), now, func() (Match, error) { return Match{WebhookID: "h1"}, nil })
	require.NoError(t, err)
	require.NoError(t, reloadErr)
	require.Equal(t, "h1", m.WebhookID)
	require.Zero(t, reloads)
	require.Equal(t, float64(ReloadBurst), r.bucket.TokensAt(now))
}

func TestHandlerFailures(t *testing.T) {
	f := newFixture(t)
	f.rec.fail = errors.New("database is down: caf\xe9\x00")
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "a transient failure asks for redelivery")
	require.Equal(t, OutcomeFailed, f.log.Recent(1)[0].Outcome)
	require.Equal(t, "database is down: caf\uFFFD\uFFFD", f.log.Recent(1)[0].Reason, "as text every log keeps")

	f.rec.fail = nil
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code, "the redelivery applies: the failed claim was released")
	require.Equal(t, 1, f.rec.count())

	f.rec.fail = fmt.Errorf("entry locked: %w", ErrPermanent)
	w = f.send(t, signed(t, "tok-project-BBBB", clockify.EventProjectUpdated, projectBody))
	require.Equal(t, http.StatusUnauthorized, w.Code, "the project token is for NEW_PROJECT only")
	w = f.send(t, signed(t, "tok-project-BBBB", clockify.EventNewProject, projectBody))
	require.Equal(t, http.StatusUnprocessableEntity, w.Code)

	f = newFixture(t, WithDeduper(brokenDeduper{}))
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Zero(t, f.rec.count())

	// A claim that cannot be taken back is in the delivery's record beside the failure.
	f = newFixture(t, WithDeduper(unreleasable{NewMemoryDeduper(0)}))
	f.rec.fail = errors.New("db down")
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "db down; release: store offline", f.log.Recent(1)[0].Reason)
}

// unreleasable claims like its Deduper and fails every Release.
type unreleasable struct{ Deduper }

func (unreleasable) Release(context.Context, DeliveryKey) error { return errors.New("store offline") }

type brokenDeduper struct{}

func (brokenDeduper) Claim(context.Context, DeliveryKey, time.Time, time.Duration) (Claim, error) {
	return Claimed, errors.New("store offline")
}
func (brokenDeduper) Complete(context.Context, DeliveryKey) error { return errors.New("store offline") }
func (brokenDeduper) Release(context.Context, DeliveryKey) error  { return errors.New("store offline") }

// incompletable claims like its Deduper and fails every Complete.
type incompletable struct{ Deduper }

func (incompletable) Complete(context.Context, DeliveryKey) error { return errors.New("store offline") }

func TestHandlerIgnoresOtherClockifyEvents(t *testing.T) {
	v, err := NewVerifier([]Token{{WebhookID: "h-tag", Event: "NEW_TAG", Value: "tok-tag"}})
	require.NoError(t, err)
	rec := &recorder{}
	h := NewHandler(v, rec.apply)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, "tok-tag", "NEW_TAG", `{"id":"t1","workspaceId":"ws1"}`))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "ignored\n", w.Body.String())
	require.Zero(t, rec.count())
	require.Equal(t, OutcomeIgnored, h.DeliveryLog().(*MemoryLog).Recent(1)[0].Outcome)
}

func TestHandlerConcurrentReplaysApplyOnce(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)) })
	}
	wg.Wait()
	require.Equal(t, 1, f.rec.count())
}

func TestHandlerAppliesADeliveryWhoseApplyDied(t *testing.T) {
	// A process claimed the delivery and died applying it (a crash, a deploy): its claim
	// stays pending. Clockify's redelivery is not a duplicate once the claim lapses.
	d := NewMemoryDeduper(0)
	f := newFixture(t, WithDeduper(d), WithApplyTimeout(time.Minute))
	ev, err := Parse(string(clockify.EventNewTimeEntry), []byte(entryBody))
	require.NoError(t, err)
	_, err = d.Claim(t.Context(), KeyOf(ev, []byte(entryBody)), f.clock.Now(), time.Minute)
	require.NoError(t, err)

	f.clock.Advance(30 * time.Second)
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "still being applied, as far as anyone knows: send it again")
	require.Equal(t, OutcomeDuplicate, f.log.Recent(1)[0].Outcome)
	require.Equal(t, "being applied", f.log.Recent(1)[0].Reason)
	require.Zero(t, f.rec.count())

	f.clock.Advance(30 * time.Second)
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, "ok\n", w.Body.String(), "the claim lapsed: the redelivery is applied")
	require.Equal(t, 1, f.rec.count())

	f.clock.Advance(time.Hour)
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, "duplicate\n", w.Body.String(), "an applied delivery stays applied")
}

func TestHandlerRedeliveryDuringAFailingApply(t *testing.T) {
	// Clockify sends a delivery again while the first attempt is still being applied,
	// and that attempt then fails. Answered "duplicate", the second would be lost.
	started, result := make(chan struct{}), make(chan error)
	calls := 0
	apply := func(context.Context, *Event) error {
		calls++ // the test's sends are sequenced by the channels
		if calls == 1 {
			close(started)
			return <-result
		}
		return nil
	}
	v := newTestVerifier(t, &fakeClock{t: time.Now()})
	h := NewHandler(v, apply)
	send := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
		return w
	}
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- send() }()
	<-started
	require.Equal(t, http.StatusServiceUnavailable, send().Code, "the first attempt may yet fail: ask for it again")
	result <- errors.New("database is down")
	require.Equal(t, http.StatusServiceUnavailable, (<-first).Code)
	require.Equal(t, "ok\n", send().Body.String(), "the next redelivery is applied")
	require.Equal(t, 2, calls)
}

func TestHandlerBoundsTheApply(t *testing.T) {
	var deadline time.Time
	v := newTestVerifier(t, &fakeClock{t: time.Now()})
	h := NewHandler(v, func(ctx context.Context, _ *Event) error {
		var ok bool
		deadline, ok = ctx.Deadline()
		require.True(t, ok, "the apply has a deadline")
		return nil
	}, WithApplyTimeout(5*time.Second))
	before := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.WithinRange(t, deadline, before.Add(5*time.Second), time.Now().Add(5*time.Second))
	require.Equal(t, DefaultApplyTimeout, NewHandler(v, newFixture(t).rec.apply, WithApplyTimeout(0)).timeout)
}

func TestHandlerCompletesAPermanentFailure(t *testing.T) {
	f := newFixture(t)
	f.rec.fail = fmt.Errorf("entry locked: %w", ErrPermanent)
	require.Equal(t, http.StatusUnprocessableEntity, f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)).Code)
	f.clock.Advance(time.Hour)
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, "duplicate\n", w.Body.String(), "a redelivery cannot fix it: it is not tried again")

	// A claim that cannot be marked applied lapses instead; the apply stands.
	f = newFixture(t, WithDeduper(incompletable{NewMemoryDeduper(0)}))
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, "ok\n", w.Body.String())
	require.Equal(t, OutcomeApplied, f.log.Recent(1)[0].Outcome)
	require.Equal(t, "complete: store offline", f.log.Recent(1)[0].Reason)
	f.rec.fail = fmt.Errorf("entry locked: %w", ErrPermanent)
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, strings.Replace(entryBody, "#12", "#14", 1)))
	require.Equal(t, http.StatusUnprocessableEntity, w.Code)
	require.Equal(t, "entry locked: webhook: permanent failure; complete: store offline", f.log.Recent(1)[0].Reason)
}

func TestHandlerAppliesAnEditBackToAnEarlierState(t *testing.T) {
	// Clockify's payloads carry no modification time: an entry edited from A to B and
	// back to A sends A's body twice. The second A is a change, not a redelivery; only a
	// repeat of the last delivery is.
	f := newFixture(t)
	require.NoError(t, f.h.verifier.Add(Token{WebhookID: "h-upd", Event: clockify.EventTimeEntryUpdated, Value: "tok-upd-CCCC"}))
	a := entryBody
	b := strings.Replace(entryBody, "#12 Fix login", "#13 Fix logout", 1)
	for i, step := range []struct {
		body, answer string
	}{
		{a, "ok"}, {b, "ok"}, {a, "ok"}, {a, "duplicate"}, {b, "ok"},
	} {
		w := f.send(t, signed(t, "tok-upd-CCCC", clockify.EventTimeEntryUpdated, step.body))
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, step.answer+"\n", w.Body.String(), "delivery %d", i)
	}
	require.Equal(t, 4, f.rec.count())
	require.Equal(t, "#13 Fix logout", f.rec.applied[3].TimeEntry.Description, "the entry ends as it was last edited")
}

// TestHandlerAppliesARepeatTheHostNoLongerHolds: with WithDuplicateCheck, a repeat of an
// entity's last delivery is applied again when the host says it no longer holds what the
// delivery tells (its store changed by a sync since, and the entity was edited back),
// and is a duplicate when it does. A failing check asks Clockify to deliver again.
func TestHandlerAppliesARepeatTheHostNoLongerHolds(t *testing.T) {
	held, fail := true, error(nil)
	var asked []*Event
	f := newFixture(t, WithDuplicateCheck(func(_ context.Context, ev *Event) (bool, error) {
		asked = append(asked, ev)
		return held, fail
	}))
	send := func() string {
		t.Helper()
		w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
		return fmt.Sprint(w.Code, " ", strings.TrimSpace(w.Body.String()))
	}
	require.Equal(t, "200 ok", send())
	require.Empty(t, asked, "a first delivery is no repeat")
	require.Equal(t, "200 duplicate", send())
	require.Len(t, asked, 1)
	require.Equal(t, "5f118c837db7a8637ffcaf36", asked[0].EntityID)

	held = false
	require.Equal(t, "200 ok", send())
	require.Equal(t, 2, f.rec.count())
	rec := f.log.Recent(1)[0]
	require.Equal(t, OutcomeApplied, rec.Outcome)
	require.Equal(t, "a repeat, but the entity has changed since", rec.Reason)

	fail = errors.New("store offline")
	require.Equal(t, "503 try again", send())
	require.Equal(t, "duplicate check: store offline", f.log.Recent(1)[0].Reason)
	require.Equal(t, 2, f.rec.count())
}

func TestMemoryDeduperIsBounded(t *testing.T) {
	d := NewMemoryDeduper(2)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	k := func(id string) DeliveryKey { return DeliveryKey{Event: "E", EntityID: id} }
	claim := func(k DeliveryKey) Claim {
		c, err := d.Claim(ctx, k, now, time.Minute)
		require.NoError(t, err)
		return c
	}
	for _, id := range []string{"a", "b", "c"} {
		require.Equal(t, Claimed, claim(k(id)))
		require.NoError(t, d.Complete(ctx, k(id)))
	}
	require.Equal(t, 2, d.Len())
	require.Equal(t, Claimed, claim(k("a")), "the oldest key was forgotten")
	require.Equal(t, ClaimApplied, claim(k("c")))
	require.NoError(t, d.Release(ctx, k("c")))
	require.NoError(t, d.Release(ctx, k("zzz")))
	require.Equal(t, Claimed, claim(k("c")))

	// A release or a completion acts only on the entity's last claim.
	newer := DeliveryKey{Event: "E", EntityID: "c", Digest: [32]byte{1}}
	require.Equal(t, Claimed, claim(newer), "another body for the entity is a change")
	require.NoError(t, d.Release(ctx, k("c")))
	require.NoError(t, d.Complete(ctx, k("c")))
	require.NoError(t, d.Complete(ctx, k("zzz")))
	require.Equal(t, ClaimPending, claim(newer), "releasing or completing an older claim left the newer one pending")
	require.Equal(t, 2, d.Len(), "one key per entity")
	require.Equal(t, "E/a/"+strings.Repeat("0", 64), k("a").String())
	require.Equal(t, 10_000, NewMemoryDeduper(0).size)
}

func TestMemoryDeduperClaimsLapse(t *testing.T) {
	d := NewMemoryDeduper(0)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	k := DeliveryKey{Event: "E", EntityID: "e1"}
	for _, step := range []struct {
		at   time.Duration
		want Claim
	}{
		{0, Claimed},
		{time.Minute - time.Nanosecond, ClaimPending},
		{time.Minute, Claimed}, // lapsed: taken again, for another minute
		{2*time.Minute - time.Nanosecond, ClaimPending},
	} {
		c, err := d.Claim(ctx, k, t0.Add(step.at), time.Minute)
		require.NoError(t, err)
		require.Equal(t, step.want, c, "at %v", step.at)
	}
	require.NoError(t, d.Complete(ctx, k))
	c, err := d.Claim(ctx, k, t0.Add(time.Hour), time.Minute)
	require.NoError(t, err)
	require.Equal(t, ClaimApplied, c, "an applied claim does not lapse")
}

func TestMemoryLogRing(t *testing.T) {
	l := NewMemoryLog(3)
	for i := range 5 {
		require.NoError(t, l.Record(context.Background(), Delivery{WorkspaceID: "ws", EntityID: fmt.Sprint(i)}))
	}
	got := l.Recent(0)
	require.Len(t, got, 3)
	require.Equal(t, []string{"4", "3", "2"}, []string{got[0].EntityID, got[1].EntityID, got[2].EntityID})
	require.Len(t, l.Recent(2), 2)
	require.Equal(t, got, l.RecentOf("ws", 0))
	require.Len(t, NewMemoryLog(0).kept, 0)
	require.Equal(t, 1000, NewMemoryLog(0).size)
	require.Empty(t, NewMemoryLog(0).Recent(5))
}

// TestMemoryLogKeepsWorkspacesApart: forged requests, which name no workspace, and a
// busy workspace push no other workspace's records out of the log.
func TestMemoryLogKeepsWorkspacesApart(t *testing.T) {
	ctx := t.Context()
	l := NewMemoryLog(3)
	require.NoError(t, l.Record(ctx, Delivery{WorkspaceID: "quiet", EntityID: "e1"}))
	for i := range 5 {
		require.NoError(t, l.Record(ctx, Delivery{Outcome: OutcomeRejected, EntityID: fmt.Sprint("forged", i)}))
		require.NoError(t, l.Record(ctx, Delivery{WorkspaceID: "busy", EntityID: fmt.Sprint("busy", i)}))
	}
	entities := func(ds []Delivery) (ids []string) {
		for _, d := range ds {
			ids = append(ids, d.EntityID)
		}
		return ids
	}
	require.Equal(t, []string{"e1"}, entities(l.RecentOf("quiet", 0)))
	require.Equal(t, []string{"busy4", "busy3", "busy2"}, entities(l.RecentOf("busy", 0)))
	require.Equal(t, []string{"forged4", "forged3"}, entities(l.RecentOf("", 2)))
	require.Equal(t, []string{"busy4", "forged4", "busy3", "forged3", "busy2", "forged2", "e1"}, entities(l.Recent(0)))
	require.Equal(t, []string{"busy4", "forged4"}, entities(l.Recent(2)))

	l.Forget("busy")
	require.Empty(t, l.RecentOf("busy", 0))
	require.Equal(t, []string{"forged4", "forged3", "forged2", "e1"}, entities(l.Recent(0)), "the others kept")
}

func TestNewSignedRequest(t *testing.T) {
	req, err := NewSignedRequest("http://x/hook", "tok", clockify.EventNewProject, map[string]string{"id": "p"})
	require.NoError(t, err)
	b, _ := io.ReadAll(req.Body)
	require.JSONEq(t, `{"id":"p"}`, string(b))
	require.Equal(t, "tok", req.Header.Get(SignatureHeader))
	require.Equal(t, "NEW_PROJECT", req.Header.Get(EventTypeHeader))
	_, err = NewSignedRequest("http://x/hook", "tok", clockify.EventNewProject, func() {})
	require.Error(t, err)
	_, err = NewSignedRequest("::", "tok", clockify.EventNewProject, []byte("{}"))
	require.Error(t, err)
}

type failingLog struct{}

func (failingLog) Record(context.Context, Delivery) error { return errors.New("disk full") }

func TestHandlerSurvivesLogFailure(t *testing.T) {
	f := newFixture(t, WithDeliveryLog(failingLog{}))
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, f.logs.String(), "disk full")
}

// watchedBody records whether anything read it.
type watchedBody struct{ read bool }

func (b *watchedBody) Read([]byte) (int, error) { b.read = true; return 0, io.EOF }
func (b *watchedBody) Close() error             { return nil }

func TestUnverifiedBodiesAreNotRead(t *testing.T) {
	f := newFixture(t)
	for _, sig := range []string{"", "forged"} {
		req := signed(t, "x", clockify.EventNewTimeEntry, entryBody)
		req.Header.Set(SignatureHeader, sig)
		body := &watchedBody{}
		req.Body, req.ContentLength = body, -1
		w := f.send(t, req)
		require.Equal(t, http.StatusUnauthorized, w.Code)
		require.False(t, body.read, "the body of an unverified delivery is never read")
	}
}

// TestHandlerRecordsAreBounded: an unsigned request cannot make a record or a log line
// hold much of what it sent, so a burst of them cannot fill the delivery log's memory.
func TestHandlerRecordsAreBounded(t *testing.T) {
	long := strings.Repeat("É", 50_000)
	f := newFixture(t)
	cases := []*http.Request{
		signed(t, "", clockify.WebhookEvent(long), entryBody),
		signed(t, "tok-entry-AAAA", clockify.WebhookEvent(long), entryBody),
		httptest.NewRequest("PATCH"+strings.Repeat("X", 100_000), "/hooks/clockify", nil),
	}
	for _, req := range cases {
		f.send(t, req)
		d := f.log.Recent(1)[0]
		require.Equal(t, OutcomeRejected, d.Outcome)
		require.LessOrEqual(t, len(d.EventType)+len(d.Reason), 200, "%.80q", d.EventType)
		require.True(t, utf8.ValidString(d.EventType), "cut between characters")
	}
	require.Less(t, f.logs.Len(), 2_000, "log lines")
}

// TestHandlerApplyPanics: a panicking apply function must not lose the event. Its claim
// is taken back (so Clockify's redelivery applies), the delivery is recorded, and Clockify
// gets a 500 instead of a dropped connection.
func TestHandlerApplyPanics(t *testing.T) {
	panics := true
	f := newFixture(t)
	f.h.apply = func(ctx context.Context, ev *Event) error {
		if panics {
			panic("nil map in the host's store")
		}
		return f.rec.apply(ctx, ev)
	}
	w := f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	d := f.log.Recent(1)[0]
	require.Equal(t, OutcomeFailed, d.Outcome)
	require.Contains(t, d.Reason, "nil map in the host's store")
	require.Contains(t, f.logs.String(), "panicked")

	panics = false
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code, "the redelivery applies")
	require.Equal(t, 1, f.rec.count())

	// http.ErrAbortHandler is net/http's way to abort a response: it goes on up.
	f.h.apply = func(context.Context, *Event) error { panic(http.ErrAbortHandler) }
	body := strings.Replace(entryBody, "#12 Fix login", "#14", 1)
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, body))
	})
	f.h.apply = f.rec.apply
	w = f.send(t, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, body))
	require.Equal(t, http.StatusOK, w.Code, "the aborted delivery's claim was taken back too")
	require.Equal(t, 2, f.rec.count())
}

func TestNewHandlerNeedsAVerifierAndAnApplyFunc(t *testing.T) {
	v, err := NewVerifier(nil)
	require.NoError(t, err)
	require.Panics(t, func() { NewHandler(nil, (&recorder{}).apply) })
	require.Panics(t, func() { NewHandler(v, nil) })
}

// TestBodyLimitIsExact: a body of exactly the limit is read, one byte more is 413, whether
// or not the request states its length; a limit of zero or less keeps the default.
func TestBodyLimitIsExact(t *testing.T) {
	n := int64(len(entryBody))
	for _, known := range []bool{true, false} {
		for _, tc := range []struct {
			limit  int64
			status int
		}{{n, http.StatusOK}, {n - 1, http.StatusRequestEntityTooLarge}, {0, http.StatusOK}, {-1, http.StatusOK}} {
			fx := newFixture(t, WithMaxBodyBytes(tc.limit))
			req := signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody)
			if !known {
				req.ContentLength = -1
			}
			require.Equal(t, tc.status, fx.send(t, req).Code, "limit %d, length known %v", tc.limit, known)
			require.Equal(t, tc.status == http.StatusOK, fx.rec.count() == 1)
		}
	}
}

func TestClip(t *testing.T) {
	a := strings.Repeat("a", maxRecorded)
	cases := []struct{ in, want string }{
		{"NEW_TIME_ENTRY", "NEW_TIME_ENTRY"},
		{a, a},
		{a + "b", a + "…"},
		{a[1:] + "é", a[1:] + "…"},                   // the cut would split é: it goes before it
		{strings.Repeat("\x80", 70), "\uFFFD"},       // one run of bad bytes: one U+FFFD, nothing to cut
		{"\xff\xfeNEW_PROJECT", "\uFFFDNEW_PROJECT"}, // not UTF-8: a run of bad bytes becomes one U+FFFD
		{"NEW\x00PROJECT", "NEW\uFFFDPROJECT"},
		{strings.Repeat("\x00", 30), strings.Repeat("\uFFFD", 21) + "…"}, // each NUL three bytes, then cut
	}
	for _, tc := range cases {
		got := clip(tc.in)
		require.Equal(t, tc.want, got, "%q", tc.in)
		require.LessOrEqual(t, len(got), maxRecorded+len("…"))
	}
}

// TestNilOptionsKeepDefaults: a nil option, or a nil clock, logger, deduper or log given to
// an option, keeps the default instead of panicking on every delivery.
func TestNilOptionsKeepDefaults(t *testing.T) {
	v, err := NewVerifier([]Token{{WebhookID: "h-entry", Event: clockify.EventNewTimeEntry, Value: "tok-entry-AAAA"}}, WithClock(nil), nil)
	require.NoError(t, err)
	require.NoError(t, v.Rotate("h-entry", "tok-entry-CCCC", time.Hour), "the grace period reads the clock")
	rec := &recorder{}
	h := NewHandler(v, rec.apply, nil, WithDeduper(nil), WithDeliveryLog(nil), WithHandlerClock(nil), WithLogger(nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signed(t, "tok-entry-AAAA", clockify.EventNewTimeEntry, entryBody))
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 1, rec.count())
	recent := h.DeliveryLog().(*MemoryLog).Recent(0)
	require.Len(t, recent, 1)
	require.False(t, recent[0].ReceivedAt.IsZero())
}
