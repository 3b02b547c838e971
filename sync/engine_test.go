package sync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/store/memory"
	"github.com/heyjasper/jasper-clockify/store/postgres"
	"github.com/heyjasper/jasper-clockify/store/postgres/pgtest"
	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

var now = time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)

// rig is a fake Clockify with a generated workspace, an engine over a memory store, and
// the engine's webhook handler on loopback.
type rig struct {
	srv     *clockifytest.Server
	fx      *clockifytest.Fixture
	store   clockifysync.Store
	eng     *clockifysync.Engine
	sealKey []byte
	hook    *httptest.Server
	logs    *bytes.Buffer               // what the engine, its replicas and their clients logged
	logger  *slog.Logger                // writes to logs
	lists   atomic.Int64                // requests listing a member's entries
	onList  atomic.Pointer[func(int64)] // called after each, with the count so far
	// onRequest is called after the fake has answered each request, before the answer
	// reaches the client.
	onRequest atomic.Pointer[func(clockifytest.RequestInfo)]
	// elapsed is how far the clocks of the fake and the engine are past now (advance).
	elapsed atomic.Int64
}

// linesWith returns the lines of a log that hold msg.
func linesWith(log, msg string) []string {
	var lines []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, msg) {
			lines = append(lines, line)
		}
	}
	return lines
}

// clock is the time on the fake's and the engine's clocks: now, until advance moves it.
func (r *rig) clock() time.Time { return now.Add(time.Duration(r.elapsed.Load())) }

// advance moves the fake's and the engine's clocks on by d.
func (r *rig) advance(d time.Duration) { r.elapsed.Add(int64(d)) }

const listRoute = "GET v1/workspaces/{ws}/user/{user}/time-entries"

// stores are the stores the engine's behaviour is checked, and benchmarked, on. The
// PostgreSQL one skips without JASPER_POSTGRES_URL.
var stores = []struct {
	name string
	open func(tb testing.TB) clockifysync.Store
}{
	{"memory", func(testing.TB) clockifysync.Store { return memory.New() }},
	{"sqlite", func(tb testing.TB) clockifysync.Store {
		s, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "jasper.db"))
		require.NoError(tb, err)
		tb.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(tb testing.TB) clockifysync.Store {
		s, err := postgres.New(tb.Context(), pgtest.NewDatabase(tb))
		require.NoError(tb, err)
		tb.Cleanup(func() { s.Close() })
		return s
	}},
}

// eachStore runs a test on each store.
func eachStore(t *testing.T, test func(t *testing.T, store clockifysync.Store)) {
	eachStoreOf(t, nil, test)
}

// eachStoreOf runs a test on each store named, or on every store where names is nil.
func eachStoreOf(t *testing.T, names []string, test func(t *testing.T, store clockifysync.Store)) {
	for _, s := range stores {
		if names != nil && !slices.Contains(names, s.name) {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			test(t, s.open(t))
		})
	}
}

// thisEngineAndAReplica runs a test on each store twice: with the rig's engine doing
// what the test calls on the syncing engine, and with another replica (replica true).
func thisEngineAndAReplica(t *testing.T, test func(t *testing.T, store clockifysync.Store, replica bool)) {
	for _, replica := range []bool{false, true} {
		t.Run(map[bool]string{false: "this engine", true: "another replica"}[replica], func(t *testing.T) {
			t.Parallel()
			eachStore(t, func(t *testing.T, store clockifysync.Store) { test(t, store, replica) })
		})
	}
}

// oneProcessOrTwoReplicas open the stores of tests that run two engines' calls at once:
// the rig's engine twice over a memory store, or two replicas sharing PostgreSQL (which
// skips without JASPER_POSTGRES_URL).
var oneProcessOrTwoReplicas = map[string]func(t *testing.T) clockifysync.Store{
	"one process": func(*testing.T) clockifysync.Store { return memory.New() },
	"two replicas on postgres": func(t *testing.T) clockifysync.Store {
		s, err := postgres.New(t.Context(), pgtest.NewDatabase(t))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	},
}

func newRig(t *testing.T, opts ...clockifysync.Option) *rig {
	t.Helper()
	return newRigOn(t, memory.New(), opts...)
}

func newRigOn(t *testing.T, store clockifysync.Store, opts ...clockifysync.Option) *rig {
	t.Helper()
	return newRigSeeded(t, store, 7, opts...)
}

// newRigSeeded is newRigOn with the fake's workspace generated from seed: rigs of
// different seeds share a store with workspaces of their own.
func newRigSeeded(t *testing.T, store clockifysync.Store, seed uint64, opts ...clockifysync.Option) *rig {
	t.Helper()
	r := &rig{store: store, logs: new(bytes.Buffer)}
	r.srv, r.fx = clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: seed, Now: now},
		clockifytest.WithClock(r.clock),
		clockifytest.WithRequestHook(func(info clockifytest.RequestInfo) {
			if fn := r.onRequest.Load(); fn != nil {
				(*fn)(info)
			}
			if info.Route == listRoute {
				n := r.lists.Add(1)
				if fn := r.onList.Load(); fn != nil {
					(*fn)(n)
				}
			}
		}))
	t.Cleanup(r.srv.Close)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	r.sealKey = key
	r.logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	base := []clockifysync.Option{
		clockifysync.WithClientOptions(clockify.WithBaseURL(r.srv.CoreURL()), clockify.WithReportsURL(r.srv.ReportsURL()), clockify.WithLogger(r.logger),
			clockify.WithRateLimit(1000, 100)), // the fake has no limit: no real-time waits
		clockifysync.WithClock(r.clock),
		clockifysync.WithLogger(r.logger),
	}
	var err error
	r.eng, err = clockifysync.New(r.store, key, append(base, opts...)...)
	require.NoError(t, err)
	h, err := r.eng.Handler(t.Context())
	require.NoError(t, err)
	r.hook = httptest.NewServer(h)
	t.Cleanup(r.hook.Close)
	return r
}

// replica returns another engine over store (the rig's store, or what a wrapper of it
// wraps), as another replica of the host would run: same seal key, its own clients.
func (r *rig) replica(t *testing.T, store clockifysync.Store) *clockifysync.Engine {
	t.Helper()
	return r.replicaSealedWith(t, store, r.sealKey)
}

// replicaSealedWith is replica with another sealing key, and options.
func (r *rig) replicaSealedWith(t *testing.T, store clockifysync.Store, sealKey []byte, opts ...clockifysync.Option) *clockifysync.Engine {
	t.Helper()
	eng, err := clockifysync.New(store, sealKey, append([]clockifysync.Option{clockifysync.WithClock(r.clock), clockifysync.WithLogger(r.logger),
		clockifysync.WithClientOptions(clockify.WithBaseURL(r.srv.CoreURL()), clockify.WithRateLimit(1000, 100), clockify.WithLogger(r.logger))}, opts...)...)
	require.NoError(t, err)
	return eng
}

// newRigBehind is newRig with a server in front of the fake Clockify: intercept answers
// the requests it takes (and returns true), the fake the others. It returns the front's
// base URL too, for other engines' clients.
func newRigBehind(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request) bool, opts ...clockifysync.Option) (*rig, string) {
	t.Helper()
	return newRigBehindOn(t, memory.New(), intercept, opts...)
}

// newRigBehindOn is newRigBehind on a store.
func newRigBehindOn(t *testing.T, store clockifysync.Store, intercept func(w http.ResponseWriter, r *http.Request) bool,
	opts ...clockifysync.Option) (*rig, string) {
	t.Helper()
	var fake atomic.Pointer[httputil.ReverseProxy]
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !intercept(w, r) {
			fake.Load().ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	base := front.URL + "/api/"
	r := newRigOn(t, store, append([]clockifysync.Option{clockifysync.WithClientOptions(clockify.WithBaseURL(base))}, opts...)...)
	target, err := url.Parse(r.srv.URL)
	require.NoError(t, err)
	fake.Store(httputil.NewSingleHostReverseProxy(target))
	return r, base
}

// newRigRewriting is newRigBehind with a front that changes some of the fake's answers:
// for a request that rewrite returns a function for, the front passes the request on to
// the fake and answers with what that function makes of the fake's decoded answer (a
// failure here is a 502, which fails the test's calls); the fake answers the others.
func newRigRewriting(t *testing.T, rewrite func(req *http.Request) func(body any)) *rig {
	t.Helper()
	var fake atomic.Pointer[string]
	r, _ := newRigBehind(t, func(w http.ResponseWriter, req *http.Request) bool {
		change := rewrite(req)
		if change == nil {
			return false
		}
		out, err := http.NewRequestWithContext(req.Context(), req.Method, *fake.Load()+req.URL.RequestURI(), req.Body)
		if err != nil {
			return refuse(w, http.StatusBadGateway, `{}`)
		}
		out.Header = req.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			return refuse(w, http.StatusBadGateway, `{}`)
		}
		defer resp.Body.Close()
		var body any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return refuse(w, http.StatusBadGateway, `{}`)
		}
		change(body)
		for k, v := range resp.Header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(resp.StatusCode)
		_ = json.NewEncoder(w).Encode(body)
		return true
	})
	base := r.srv.URL
	fake.Store(&base)
	return r
}

// refuse answers as Clockify does when it refuses a request.
func refuse(w http.ResponseWriter, status int, body string) bool {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
	return true
}

func (r *rig) connect(t *testing.T) *clockifysync.ConnectResult {
	t.Helper()
	res, err := r.eng.Connect(t.Context(), clockifysync.ConnectRequest{
		APIKey: "  " + r.fx.OwnerKey + "\n", WorkspaceID: r.fx.Workspace.ID, WebhookURL: r.hook.URL + "/clockify",
	})
	require.NoError(t, err)
	return res
}

// inWindow returns the ids of the fake's entries started in [start, end].
func (r *rig) inWindow(start, end time.Time) []string {
	var ids []string
	for _, e := range r.srv.TimeEntries(r.fx.Workspace.ID) {
		if !e.TimeInterval.Start.Before(start) && !e.TimeInterval.Start.After(end) {
			ids = append(ids, e.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (r *rig) stored(t *testing.T, q clockifysync.EntryQuery) []string {
	t.Helper()
	q.WorkspaceID = r.fx.Workspace.ID
	entries, err := r.store.Entries(t.Context(), q)
	require.NoError(t, err)
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	return ids
}

// add creates a one-hour entry of the owner's in the fake; its webhooks deliver it before
// add returns.
func (r *rig) add(t *testing.T, desc string, start time.Time) clockify.TimeEntry {
	t.Helper()
	e, err := r.srv.AddTimeEntry(r.fx.Workspace.ID, clockify.TimeEntry{UserID: r.fx.Owner.ID, Description: desc,
		TimeInterval: clockify.TimeInterval{Start: start, End: new(start.Add(time.Hour))}})
	require.NoError(t, err)
	return e
}

// addTo adds an entry of the owner to a project in the fake, started an hour before now.
func (r *rig) addTo(t *testing.T, projectID, desc string) clockify.TimeEntry {
	t.Helper()
	e, err := r.srv.AddTimeEntry(r.fx.Workspace.ID, clockify.TimeEntry{UserID: r.fx.Owner.ID, ProjectID: projectID, Description: desc,
		TimeInterval: clockify.TimeInterval{Start: now.Add(-time.Hour), End: new(now)}})
	require.NoError(t, err)
	return e
}

// interrupt runs call with a context cancelled once two more members' entries have been
// listed, and returns the run it left pending: some members done, not all.
func (r *rig) interrupt(t *testing.T, call func(ctx context.Context) error) clockifysync.Run {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	start := r.lists.Load()
	stop := func(n int64) {
		if n == start+2 {
			cancel()
		}
	}
	r.onList.Store(&stop)
	err := call(ctx)
	r.onList.Store(nil)
	require.ErrorIs(t, err, context.Canceled)
	run, ok, err := r.store.PendingRun(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotEmpty(t, run.Done)
	require.Less(t, len(run.Done), len(r.fx.Members))
	return run
}

// editOld changes the description of an entry of last month (started 20 to 30 days
// before now) in the fake: one that no recent window holds.
func (r *rig) editOld(t *testing.T, desc string) clockify.TimeEntry {
	t.Helper()
	old := r.inWindow(now.AddDate(0, 0, -30), now.AddDate(0, 0, -20))
	require.NotEmpty(t, old)
	return r.edit(t, old[0], desc)
}

// requireDescription checks that the store holds an entry with its description.
func (r *rig) requireDescription(t *testing.T, e clockify.TimeEntry) {
	t.Helper()
	got, err := r.store.Entry(t.Context(), r.fx.Workspace.ID, e.ID)
	require.NoError(t, err)
	require.Equal(t, e.Description, got.Description)
}

// storedProject returns a project as the store holds it, failing when it holds none.
func (r *rig) storedProject(t *testing.T, id string) clockifysync.Project {
	t.Helper()
	stored, err := r.store.Projects(t.Context(), r.fx.Workspace.ID)
	require.NoError(t, err)
	i := slices.IndexFunc(stored, func(p clockifysync.Project) bool { return p.ID == id })
	require.GreaterOrEqual(t, i, 0, "project %s not stored", id)
	return stored[i]
}

// edit changes the description of an entry in the fake.
func (r *rig) edit(t *testing.T, id, desc string) clockify.TimeEntry {
	t.Helper()
	i := slices.IndexFunc(r.srv.TimeEntries(r.fx.Workspace.ID), func(e clockify.TimeEntry) bool { return e.ID == id })
	require.GreaterOrEqual(t, i, 0, "no entry %s", id)
	e := r.srv.TimeEntries(r.fx.Workspace.ID)[i]
	e.Description = desc
	e, err := r.srv.UpdateTimeEntry(r.fx.Workspace.ID, e)
	require.NoError(t, err)
	return e
}

func TestNewRefusesBadKey(t *testing.T) {
	t.Parallel()
	_, err := clockifysync.New(memory.New(), make([]byte, 16))
	require.ErrorIs(t, err, clockifysync.ErrSealKey)
	_, err = clockifysync.New(nil, make([]byte, 32))
	require.Error(t, err)
	_, err = clockifysync.New(memory.New(), make([]byte, 32), clockifysync.WithPreviousSealKeys(make([]byte, 31)))
	require.ErrorIs(t, err, clockifysync.ErrSealKey)
}

// signalOn is a slog handler that signals on seen each record whose message holds text.
type signalOn struct {
	text string
	seen chan struct{}
}

func (h signalOn) Enabled(context.Context, slog.Level) bool { return true }
func (h signalOn) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h signalOn) WithGroup(string) slog.Handler            { return h }

func (h signalOn) Handle(_ context.Context, rec slog.Record) error {
	if strings.Contains(rec.Message, h.text) {
		select {
		case h.seen <- struct{}{}:
		default:
		}
	}
	return nil
}

// TestNilOptionsKeepTheDefaults: a nil option, clock or logger leaves the engine as it
// was, rather than panicking on its first use.
func TestNilOptionsKeepTheDefaults(t *testing.T) {
	t.Parallel()
	r := newRigOn(t, memory.New(), nil, clockifysync.WithClock(nil), clockifysync.WithLogger(nil), clockifysync.WithRotationGrace(-time.Hour))
	require.NoError(t, r.srv.SetFreePlan(r.fx.Workspace.ID, true)) // so that the engine logs the webhooks refused
	res := r.connect(t)
	require.True(t, res.Connection.LastSync.Equal(now), "the rig's clock kept: %v", res.Connection.LastSync)
	require.NotEmpty(t, res.MissingEvents)
	require.Contains(t, r.logs.String(), "clockifysync: Clockify refused a webhook", "the rig's logger kept")
	require.NoError(t, r.eng.RotateWebhookTokens(t.Context(), r.fx.Workspace.ID))
}
