package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	gosync "sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/linker"
	"github.com/heyjasper/jasper-clockify/mapping"
)

// Engine connects Clockify workspaces and keeps their entries, links and mappings in a
// Store. One Engine serves many workspaces; it is safe for concurrent use. Syncs of one
// workspace run one at a time within an Engine, and so do its Connects, across Engines
// (replicas) too only on a WorkspaceLocker store (store/postgres); a call waits for the
// one running until its context ends. Across replicas, sync/riverjobs runs the syncs as
// River jobs unique per workspace.
type Engine struct {
	store       Store
	seal        *sealer
	clientOpts  []clockify.Option
	parser      *linker.Parser
	now         func() time.Time
	log         *slog.Logger
	concurrency int
	workspaces  int
	fetch       bool
	contribs    ContributorSource
	grace       time.Duration
	prevKeys    [][]byte
	onSync      func(ctx context.Context, workspaceID string, res *Result, err error)

	mu      gosync.Mutex
	clients map[string]cachedClient   // by workspace
	locks   map[string]*keyLock       // by lock key, while held or waited for: see lock
	parsers map[string]*linker.Parser // the engine's parser with one more host, by host
	tokens  trustedTokens
	applies applies
	// watched and watchedProjects collect the entries and projects deliveries store
	// while a read of them runs.
	watched, watchedProjects watched
}

// cachedClient is a workspace's client, built from the API key sealed as sealedKey for
// region: a connection stored since with another key or region (Connect on another
// replica) gets a new one.
type cachedClient struct {
	client    *clockify.Client
	sealedKey []byte
	region    clockify.Region
}

// ContributorSource lists the GitHub users a workspace's members may be mapped to. The
// SDK does not call GitHub: the host, which knows the organisation, provides them. Its
// failure (GitHub out of reach, a rate limit) does not stop a sync: the members keep the
// logins they had, and the result says why (Result.MappingErr). Its errors are logged,
// so they must hold no secret. It is called for several workspaces at once (Run syncs
// them side by side), so it must be safe for concurrent use.
type ContributorSource func(ctx context.Context, workspaceID string) ([]mapping.Contributor, error)

// Option configures an Engine.
type Option func(*Engine)

// WithClientOptions adds options to every Clockify client the engine builds (a region,
// a base URL, a rate limit, a logger, an HTTP client); the API key comes from the
// connection.
func WithClientOptions(opts ...clockify.Option) Option {
	return func(e *Engine) { e.clientOpts = append(e.clientOpts, opts...) }
}

// WithParser sets the linker's parser, for GitHub Enterprise hosts of every workspace
// (the default knows github.com); a connection adds its own (ConnectRequest.GitHubHost).
func WithParser(p *linker.Parser) Option { return func(e *Engine) { e.parser = p } }

// WithClock sets the engine's clock (time.Now by default, and when now is nil).
func WithClock(now func() time.Time) Option {
	return func(e *Engine) {
		if now != nil {
			e.now = now
		}
	}
}

// WithLogger sets the logger (silent by default, and when l is nil). No secret reaches it.
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// WithConcurrency sets how many members' entries a sync reads at once (4 by default);
// the client's rate limit still holds across them.
func WithConcurrency(n int) Option {
	return func(e *Engine) { e.concurrency = max(n, 1) }
}

// WithWorkspaceConcurrency sets how many workspaces Run syncs at once (4 by default).
// Each has its own client and rate limit, so the requests in flight reach this times
// WithConcurrency.
func WithWorkspaceConcurrency(n int) Option {
	return func(e *Engine) { e.workspaces = max(n, 1) }
}

// WithOnSync has Run call fn after each scheduled sync it runs, with the workspace, the
// sync's Result (nil when it failed before it had one) and its error, so that a host
// running Run can count what each sync stored, or alert on failures, as sync/riverjobs
// has River record each job's. fn runs on the sync's goroutine, and Run waits for it;
// with WithWorkspaceConcurrency, several calls may run at once. A sync that ctx's end
// stopped is reported too.
func WithOnSync(fn func(ctx context.Context, workspaceID string, res *Result, err error)) Option {
	return func(e *Engine) { e.onSync = fn }
}

// WithFetchOnNotify sets whether a webhook delivery makes the engine read the entity
// again from the API before applying it (the default). With it, a delivery late, out of
// order or replayed cannot roll state back; without it, the delivery's payload is
// applied as it is, which costs no request (but for a split, whose delivery tells of one
// part: the member's entries over both are read). Clockify's payloads carry no entry
// type and no rates: without the read, a stored entry keeps its type (a break, time off,
// counted as no work) and its rate, and a new one counts as work, at the workspace's
// rates, until a sync reads them.
func WithFetchOnNotify(on bool) Option { return func(e *Engine) { e.fetch = on } }

// WithContributors sets where members' GitHub logins come from; without it members are
// mapped by hand only.
func WithContributors(src ContributorSource) Option { return func(e *Engine) { e.contribs = src } }

// WithRotationGrace sets how long a rotated webhook token stays valid (one hour by
// default; none when d is not positive), for the deliveries already on their way.
func WithRotationGrace(d time.Duration) Option { return func(e *Engine) { e.grace = max(d, 0) } }

// WithPreviousSealKeys adds sealing keys that secrets sealed before a rotation of the
// sealing key still open with; the engine seals with New's key only. To rotate: run every
// replica with the new key and the old one here, call ResealSecrets once, then drop the
// old key. Each key is 32 bytes, as New's.
func WithPreviousSealKeys(keys ...[]byte) Option {
	return func(e *Engine) { e.prevKeys = append(e.prevKeys, keys...) }
}

// New returns an engine over store. sealKey (32 bytes, from the host's secret store)
// seals the API keys and webhook tokens at rest with AES-256-GCM.
func New(store Store, sealKey []byte, opts ...Option) (*Engine, error) {
	if store == nil {
		return nil, errors.New("clockifysync: New needs a store")
	}
	e := &Engine{
		store: store, parser: new(linker.Parser), now: time.Now,
		log: slog.New(slog.DiscardHandler), concurrency: 4, workspaces: 4, fetch: true, grace: time.Hour,
		clients: map[string]cachedClient{}, locks: map[string]*keyLock{}, parsers: map[string]*linker.Parser{},
	}
	for _, opt := range opts {
		if opt != nil {
			opt(e)
		}
	}
	var err error
	if e.seal, err = newSealer(sealKey, e.prevKeys...); err != nil {
		return nil, err
	}
	e.prevKeys = nil
	return e, nil
}

// Store returns the engine's store, for reading what it keeps.
func (e *Engine) Store() Store { return e.store }

// connection returns a connected workspace's connection, or ErrNotConnected.
func (e *Engine) connection(ctx context.Context, workspaceID string) (Connection, error) {
	conn, err := e.store.Connection(ctx, workspaceID)
	switch {
	case errors.Is(err, ErrNotFound):
		return conn, connected(workspaceID, nil)
	case err != nil:
		return conn, err
	}
	return conn, connected(workspaceID, &conn)
}

// updateSettings changes a setting the host keeps on a workspace's connection (its
// rates, its GitHub host), in one step (UpdateConnection), connected now or before. An
// empty workspace id is an InputError, a workspace never connected ErrNotConnected, and
// change's error is returned; none of them changes anything.
func (e *Engine) updateSettings(ctx context.Context, workspaceID string, change func(*Connection) error) error {
	if workspaceID == "" {
		return inputError("workspace", "required")
	}
	found := false // change's own ErrNotFound is not the connection's
	err := e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		found = true
		if err := change(c); err != nil {
			return err
		}
		c.Updated = e.now().UTC()
		return nil
	})
	if !found && errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotConnected, workspaceID)
	}
	return err
}

// connected returns ErrNotConnected unless c (nil when there is none) holds a key and
// is not disconnected.
func connected(workspaceID string, c *Connection) error {
	if c == nil || c.Status == StatusDisconnected || c.SealedAPIKey == nil {
		return fmt.Errorf("%w: %s", ErrNotConnected, workspaceID)
	}
	return nil
}

// client returns the Clockify client of a connected workspace.
func (e *Engine) client(ctx context.Context, workspaceID string) (*clockify.Client, Connection, error) {
	conn, err := e.connection(ctx, workspaceID)
	if err != nil {
		return nil, conn, err
	}
	e.mu.Lock()
	cached, ok := e.clients[workspaceID]
	e.mu.Unlock()
	if ok && bytes.Equal(cached.sealedKey, conn.SealedAPIKey) && cached.region == conn.Region {
		return cached.client, conn, nil
	}
	key, err := e.seal.open(conn.SealedAPIKey, workspaceID, purposeAPIKey)
	if err != nil {
		return nil, conn, err
	}
	c, err := e.newClient(key, conn.Region)
	if err != nil {
		return nil, conn, err
	}
	e.cacheClient(workspaceID, c, conn)
	return c, conn, nil
}

// cacheClient keeps a workspace's client, built from the connection's key and region.
func (e *Engine) cacheClient(workspaceID string, c *clockify.Client, conn Connection) {
	e.mu.Lock()
	e.clients[workspaceID] = cachedClient{client: c, sealedKey: conn.SealedAPIKey, region: conn.Region}
	e.mu.Unlock()
}

// forgetClient drops a workspace's cached client.
func (e *Engine) forgetClient(workspaceID string) {
	e.mu.Lock()
	delete(e.clients, workspaceID)
	e.mu.Unlock()
}

// parserFor returns the parser of a workspace's entries, and the GitHub host it adds to
// the engine's: the connection's, none for a workspace without one.
func (e *Engine) parserFor(ctx context.Context, workspaceID string) (*linker.Parser, string, error) {
	conn, err := e.store.Connection(ctx, workspaceID)
	if errors.Is(err, ErrNotFound) {
		return e.parser, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	p, err := e.parserOf(conn.GitHubHost)
	return p, conn.GitHubHost, err
}

// parserOf returns the engine's parser with a GitHub host added (the engine's own for
// none); a host the linker refuses is its error.
func (e *Engine) parserOf(host string) (*linker.Parser, error) {
	if host == "" {
		return e.parser, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.parsers[host]; ok {
		return p, nil
	}
	p, err := e.parser.With(linker.WithHost(host))
	if err != nil {
		return nil, err
	}
	e.parsers[host] = p
	return p, nil
}

// newClient returns a client with the key, in the region when one is given (else that
// of the engine's client options); a base URL among those still wins (a fake Clockify).
func (e *Engine) newClient(key string, region clockify.Region) (*clockify.Client, error) {
	opts := append([]clockify.Option{clockify.WithAPIKey(key)}, e.clientOpts...)
	if region != clockify.RegionGlobal {
		opts = append(opts, clockify.WithRegion(region))
	}
	return clockify.NewClient(opts...)
}

// What a lock is taken for: one at a time of each per workspace.
const (
	lockSync    = "sync"     // a sync, a Disconnect or a change of webhooks, in this process
	lockConnect = "connect"  // a Connect, in every process that shares a WorkspaceLocker store
	lockRun     = "sync run" // a sync's run of a window, in every process that shares one
)

// keyLock is one of the engine's locks: held while its channel holds a value.
type keyLock struct {
	held  chan struct{}
	users int // the calls holding it or waiting for it, under Engine.mu
}

// lock takes the workspace's lock of kind, waiting while another call holds it, until
// ctx ends; the returned function lets go of it. A Connect's lock and a run's are also
// the store's, when it is a WorkspaceLocker. Each wait is logged. A lock no call holds
// or waits for is forgotten, so calls naming workspaces that are not there (or no
// longer) leave nothing behind.
func (e *Engine) lock(ctx context.Context, kind, workspaceID string) (unlock func(), err error) {
	key := kind + "/" + workspaceID
	waiting := func() {
		e.log.DebugContext(ctx, "clockifysync: waiting for the "+kind+" of the workspace already running", "workspace", workspaceID)
	}
	e.mu.Lock()
	l := e.locks[key]
	if l == nil {
		l = &keyLock{held: make(chan struct{}, 1)}
		e.locks[key] = l
	}
	l.users++
	e.mu.Unlock()
	leave := func() {
		e.mu.Lock()
		if l.users--; l.users == 0 {
			delete(e.locks, key)
		}
		e.mu.Unlock()
	}
	select {
	case l.held <- struct{}{}:
	default:
		waiting()
		select {
		case l.held <- struct{}{}:
		case <-ctx.Done():
			leave()
			return nil, ctx.Err()
		}
	}
	unlockHere := func() {
		<-l.held
		leave()
	}
	shared, ok := e.store.(WorkspaceLocker)
	if kind == lockSync || !ok {
		return unlockHere, nil
	}
	unlockThere, err := shared.LockWorkspace(ctx, kind, workspaceID, waiting)
	if err != nil {
		unlockHere()
		return nil, err
	}
	return func() { unlockThere(); unlockHere() }, nil
}

// lockSyncRun takes a sync's locks: this process's, and its run's in every process (a
// sync on another replica would finish this one's run under it).
func (e *Engine) lockSyncRun(ctx context.Context, workspaceID string) (unlock func(), err error) {
	return e.lockAll(ctx, workspaceID, lockSync, lockRun)
}

// lockAll takes the workspace's locks of kinds in that order (the order every caller
// keeps: connect, sync, run), and returns the function that lets go of them all.
func (e *Engine) lockAll(ctx context.Context, workspaceID string, kinds ...string) (unlock func(), err error) {
	unlocks := make([]func(), 0, len(kinds))
	unlock = func() {
		for _, u := range slices.Backward(unlocks) {
			u()
		}
	}
	for _, kind := range kinds {
		u, err := e.lock(ctx, kind, workspaceID)
		if err != nil {
			unlock()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return unlock, nil
}

const purposeAPIKey = "api-key"

func purposeToken(webhookID string) string { return "webhook-token/" + webhookID }
