package sync

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	gosync "sync"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/webhook"
)

// Handler returns an http.Handler for Clockify's deliveries to the connected workspaces:
// it verifies each against the stored webhook tokens, de-duplicates and logs it in the
// store (so that a delivery applies once whichever replica receives it), and applies it
// with Apply. Tokens this process registers or rotates are trusted at once. Those
// another replica registered or rotated are read from the store by RefreshTokens, which
// the handler calls when a signature matches no token it holds (webhook.ReloadBurst
// times in a row, then once every webhook.DefaultReloadInterval; webhook.WithTokenReload
// changes the interval) and Run calls every minute: a delivery signed with a token
// issued elsewhere after the handler used up its reloads is refused (401) until the next
// one it may make, and its change waits for a sync unless Clockify sends it again. A
// stored token that does not open with the engine's sealing keys is logged at error
// level and refused, without keeping the others from verifying. One Engine serves one
// Handler: a second call replaces the first's tokens.
func (e *Engine) Handler(ctx context.Context, opts ...webhook.HandlerOption) (*webhook.Handler, error) {
	v, err := webhook.NewVerifier(nil, webhook.WithClock(e.now))
	if err != nil {
		return nil, err
	}
	e.tokens.mu.Lock()
	e.tokens.v, e.tokens.held = v, map[string][sha256.Size]byte{}
	e.tokens.mu.Unlock()
	if err := e.refreshTokens(ctx); err != nil {
		return nil, err
	}
	all := append([]webhook.HandlerOption{webhook.WithDeduper(e.store), webhook.WithDuplicateCheck(e.held), webhook.WithDeliveryLog(e.store),
		webhook.WithHandlerClock(e.now), webhook.WithLogger(e.log),
		webhook.WithTokenReload(e.refreshTokens, webhook.DefaultReloadInterval)}, opts...)
	return webhook.NewHandler(v, e.Apply, all...), nil
}

// Apply applies one verified delivery to the store; it is the webhook.ApplyFunc of
// Handler. With fetch-on-notify (the default) the entity is read again from Clockify,
// and what Clockify holds now is stored: an entry it no longer has is marked deleted,
// whatever the delivery said; an entity it will not let the key read (another member's
// entry, a private project, to a member's key) is stored as the delivery tells. After a
// TIME_ENTRY_SPLIT, which tells of one part of the entry split, the member's entries
// over the time of both are read again. Of deliveries about one entity applied at once
// by this process, what the one that began last read is stored, whichever finishes last;
// across replicas the store keeps the entry read last (Entry.Synced). A delivery for a
// workspace not connected wraps webhook.ErrPermanent, and so does one applied while its
// workspace was purged, whose write is deleted again, and one whose entry as it would be
// stored (the payload's, without fetch-on-notify) has no start or ends before it starts:
// no report could count it. A nil event, or one of an entry or a project whose id no
// Clockify entity has (one SetProjectMapping would refuse), is an InputError that wraps
// webhook.ErrPermanent, and stores nothing.
func (e *Engine) Apply(ctx context.Context, ev *webhook.Event) error {
	if ev == nil {
		return fmt.Errorf("%w: %w", webhook.ErrPermanent, inputError("event", "required"))
	}
	if ev.Kind.IsTimeEntry() || ev.Kind.IsProject() {
		if err := checkID("entity id", ev.EntityID); err != nil {
			return fmt.Errorf("%w: %w", webhook.ErrPermanent, err)
		}
	}
	ws := ev.WorkspaceID
	client, _, err := e.client(ctx, ws)
	if err != nil {
		if errors.Is(err, ErrNotConnected) {
			return fmt.Errorf("%w: %w", webhook.ErrPermanent, err)
		}
		return err
	}
	switch {
	case ev.Kind.IsTimeEntry():
		var before Entry // as stored before a split
		if ev.Wire == clockify.EventTimeEntrySplit {
			if before, err = e.store.Entry(ctx, ws, ev.EntityID); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		var te *clockify.TimeEntry
		te, err = e.applyEntry(ctx, client, ws, ev.EntityID, ev.TimeEntry, ev.Kind == webhook.TimeEntryDeleted, e.fetch)
		if err == nil && ev.Wire == clockify.EventTimeEntrySplit {
			err = e.readSplit(ctx, client, ws, before, ev.TimeEntry, te)
		}
		if err == nil {
			e.watched.note(ws, ev.EntityID)
			// A timer that runs, or ran when Clockify sent the delivery, stopped the
			// member's other one.
			for _, x := range []*clockify.TimeEntry{te, ev.TimeEntry} {
				if x != nil && x.TimeInterval.End == nil && x.UserID != "" {
					err = e.stopOthers(ctx, client, ws, x.UserID, ev.EntityID)
					break
				}
			}
		}
	case ev.Kind.IsProject():
		err = e.applyProject(ctx, client, ws, ev.EntityID, ev.Project, ev.Kind == webhook.ProjectDeleted, e.fetch)
		if err == nil {
			e.watchedProjects.note(ws, ev.EntityID)
		}
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if err := e.unlessPurged(ctx, ws); err != nil {
		if errors.Is(err, ErrNotConnected) {
			return fmt.Errorf("%w: %w", webhook.ErrPermanent, err) // refused for good
		}
		return err
	}
	return nil
}

// errConnected ends the check of unlessPurged.
var errConnected = errors.New("clockifysync: the workspace has a connection")

// unlessPurged follows a write of what the store keeps of a workspace made after a read
// of it (a delivery's apply, a mapping, a link by hand). Should the workspace have been
// purged meanwhile (a "delete my account" that calls Disconnect and Purge, on this
// replica or another), the write would keep what the purge deleted, a member's name and
// email among it. Then what the store keeps of the workspace is deleted again, under
// Purge's locks, unless a Connect made it anew meanwhile, and ErrNotConnected returned.
// The connection is looked up with UpdateConnection, which changes nothing here: unlike
// a read, it waits for a Purge under way in another process, whose DeleteWorkspace may
// not yet have seen the write.
func (e *Engine) unlessPurged(ctx context.Context, ws string) error {
	switch err := e.store.UpdateConnection(ctx, ws, func(*Connection) error { return errConnected }); {
	case errors.Is(err, errConnected):
		return nil
	case !errors.Is(err, ErrNotFound):
		return err // nil only from a store that did not call the change
	}
	unlock, err := e.lockAll(ctx, ws, lockConnect, lockSync, lockRun)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := e.store.Connection(ctx, ws); !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := e.store.DeleteWorkspace(ctx, ws); err != nil {
		return err
	}
	e.log.InfoContext(ctx, "clockifysync: a write made while its workspace was purged is deleted again", "workspace", ws)
	return fmt.Errorf("%w: %s was purged", ErrNotConnected, ws)
}

// applyProject stores a project as Clockify holds it now: read again with fetch, else as
// p gives it, and marked deleted when Clockify no longer has it (or, without fetch, when
// gone says so). It takes its place in the order of applies.
func (e *Engine) applyProject(ctx context.Context, client *clockify.Client, ws, id string, p *clockify.Project, gone, fetch bool) error {
	store, done := e.applies.begin(id)
	defer done()
	now := e.now().UTC() // before the read, as in applyEntry
	if fetch {
		got, _, err := client.Projects.Get(ctx, ws, id)
		switch {
		case errors.Is(err, clockify.ErrForbidden) && (p != nil || gone):
			// The key may not read it (a private project, to a member's key): the
			// verified delivery's account stands.
		case errors.Is(err, clockify.ErrNotFound):
			gone = true
		case err != nil:
			return err
		default:
			p, gone = got, false
		}
	}
	if gone {
		return store(func() error {
			err := e.store.MarkProjectDeleted(ctx, ws, id, now)
			if errors.Is(err, ErrNotFound) {
				return nil // a project never stored: nothing to mark
			}
			return err
		})
	}
	if p == nil || p.ID == "" {
		return fmt.Errorf("%w: delivery without its project", webhook.ErrPermanent)
	}
	return store(func() error { return e.store.PutProjects(ctx, []Project{projectOf(ws, p, now)}) })
}

// held is the handler's duplicate check (webhook.WithDuplicateCheck): it reports whether
// the store holds what a repeated delivery tells, in the fields a payload carries. A
// sync, or an apply that read the entity again, may have stored another state since the
// delivery was first applied; an edit back to the delivered state then sends the same
// body again, which must be applied, not taken for a duplicate.
func (e *Engine) held(ctx context.Context, ev *webhook.Event) (bool, error) {
	ws := ev.WorkspaceID
	switch {
	case ev.Kind.IsTimeEntry():
		stored, err := e.store.Entry(ctx, ws, ev.EntityID)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if ev.Kind == webhook.TimeEntryDeleted || ev.TimeEntry == nil {
			return !stored.Deleted.IsZero(), nil
		}
		told := entryOf(ws, ev.TimeEntry, time.Time{})
		return stored.Deleted.IsZero() && stored.UserID == told.UserID && stored.ProjectID == told.ProjectID &&
			stored.TaskID == told.TaskID && stored.Description == told.Description && stored.Billable == told.Billable &&
			(told.Type == "" || stored.Type == told.Type) && // Clockify's sample payloads carry no type
			stored.Start.Equal(told.Start) && stored.End.Equal(told.End), nil
	case ev.Kind.IsProject():
		projects, err := e.store.Projects(ctx, ws)
		if err != nil {
			return false, err
		}
		i := slices.IndexFunc(projects, func(p Project) bool { return p.ID == ev.EntityID })
		if i < 0 {
			return false, nil
		}
		stored := projects[i]
		if ev.Kind == webhook.ProjectDeleted || ev.Project == nil {
			return !stored.Deleted.IsZero(), nil
		}
		told := projectOf(ws, ev.Project, time.Time{})
		return stored.Deleted.IsZero() && stored.Name == told.Name && stored.Billable == told.Billable && stored.Archived == told.Archived, nil
	}
	return true, nil
}

// applyEntry stores an entry as Clockify holds it now: read again with fetch, else as
// te gives it, and marked deleted when Clockify no longer has it (or, without fetch, when
// gone says so). It takes its place in the order of applies, and returns the entry it
// stored (nil for one marked deleted).
func (e *Engine) applyEntry(ctx context.Context, client *clockify.Client, ws, id string, te *clockify.TimeEntry, gone, fetch bool) (*clockify.TimeEntry, error) {
	store, done := e.applies.begin(id)
	defer done()
	now := e.now().UTC() // before the read: what it reads is at least this recent
	if fetch {
		got, _, err := client.TimeEntries.Get(ctx, ws, id, false)
		switch {
		case errors.Is(err, clockify.ErrForbidden) && (te != nil || gone):
			// The key may not read it (another member's, to a member's key that took
			// over from an admin's): the verified delivery's account stands.
			fetch = false
		case errors.Is(err, clockify.ErrNotFound):
			gone = true
		case err != nil:
			return nil, err
		default:
			te, gone = got, false
		}
	}
	if gone {
		return nil, store(func() error { return e.store.MarkEntriesDeleted(ctx, ws, []string{id}, now) })
	}
	if te == nil || te.ID == "" {
		return nil, fmt.Errorf("%w: delivery without its entry", webhook.ErrPermanent)
	}
	if why := e.skip(ctx, ws, te); why != "" {
		return nil, fmt.Errorf("%w: an entry with %s", webhook.ErrPermanent, why)
	}
	en := entryOf(ws, te, now)
	if !fetch && (en.Type == "" || te.HourlyRate == nil) {
		// Clockify's payloads carry no entry type and no rates: a break or time off
		// stays one, and an entry keeps the rate it was read with.
		old, err := e.store.Entry(ctx, ws, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if en.Type == "" {
			en.Type = old.Type
		}
		if te.HourlyRate == nil {
			en.HourlyRate, en.Currency = old.HourlyRate, old.Currency
		}
	}
	return te, store(func() error { return e.putEntries(ctx, ws, []Entry{en}) })
}

// splitLookback bounds how long before the new part of an entry split in two the entry
// may have started and still be found stored (readSplit): a timer left running over a
// long weekend, which Split is for, is found.
const splitLookback = 7 * 24 * time.Hour

// readSplit reads again a member's entries over the time of an entry that Clockify's
// Split cut in two, after a delivery told of one part: Clockify documents neither which
// part it tells of nor a delivery for the other. Without it, the store would keep the
// entry as it was (before, counting the later part's time twice) or lack the other part
// until a sync. The time read spans the part as told and as read now (parts: it may
// have changed since, a delivery coming late), the entry as stored before (which
// reaches over the other part, should Clockify's list leave out one that starts where
// the part ends), and the member's stored entries that overlap the part (the entry
// split, when it is the new part, if it started at most splitLookback before): one
// request, more only for entries there that Clockify no longer lists.
func (e *Engine) readSplit(ctx context.Context, client *clockify.Client, ws string, before Entry, parts ...*clockify.TimeEntry) error {
	now := e.now().UTC()
	endOf := func(en Entry) time.Time {
		if en.Running() {
			return maxTime(now, en.Start)
		}
		return en.End
	}
	var from, to time.Time
	widen := func(en Entry) {
		if from.IsZero() || en.Start.Before(from) {
			from = en.Start
		}
		to = maxTime(to, endOf(en))
	}
	if before.ID != "" {
		widen(before)
	}
	user := ""
	for _, te := range slices.Compact(parts) { // the same twice without fetch-on-notify
		if te == nil || te.UserID == "" || te.TimeInterval.Start.IsZero() {
			continue
		}
		user = te.UserID
		part := entryOf(ws, te, now)
		widen(part)
		// The member's entries that overlap the part and started less than splitLookback
		// before it: the entry split, when the part is the new one.
		stored, err := e.store.Entries(ctx, EntryQuery{WorkspaceID: ws, UserID: user, From: part.Start.Add(-splitLookback), To: endOf(part)})
		if err != nil {
			return err
		}
		for _, en := range stored {
			if en.ID != te.ID && endOf(en).After(part.Start) {
				widen(en)
			}
		}
	}
	if user == "" {
		return nil
	}
	watch := e.watched.start(ws)
	defer watch.stop()
	if _, _, _, err := e.readMember(ctx, client, ws, user, from, to); err != nil {
		return err
	}
	if err := e.reread(ctx, client, watch); err != nil {
		return err
	}
	// The read may have stored an entry no delivery told of. Should it be deleted before
	// the next scheduled sync, Clockify's list of deletions would leave it out if asked
	// over a span it was also created in: the read counts as a window's (WindowReads).
	// A workspace purged meanwhile has no connection to note it in; Apply then deletes
	// what the read stored.
	err := e.store.UpdateConnection(ctx, ws, func(c *Connection) error {
		if now.After(c.ChangesRead) {
			c.WindowReads = addWindowRead(c.WindowReads, now)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// stopOthers reads again a member's entries other than the one delivered (id) that the
// store holds running, after a delivery told of a timer of theirs running: Clockify runs
// one timer per member and stops the one running when another starts, and no
// TIMER_STOPPED is documented for that stop. Without it, the stopped entry would run on
// in the store, counting up to now in every report, until a sync read it.
func (e *Engine) stopOthers(ctx context.Context, client *clockify.Client, ws, userID, id string) error {
	stored, err := e.store.Entries(ctx, EntryQuery{WorkspaceID: ws, UserID: userID, Running: true})
	if err != nil {
		return err
	}
	for _, other := range stored {
		if other.ID == id {
			continue
		}
		read, err := e.readAgain(ctx, client, ws, other.ID)
		if errors.Is(err, clockify.ErrForbidden) {
			continue // the key may not read it: left to the syncs
		}
		if err != nil {
			return err
		}
		if read {
			e.watched.note(ws, other.ID)
		}
	}
	return nil
}

// watched collects, for each read of a workspace's entries (or projects) in this process
// that stores what it read later (a window sync, a read of Clockify's changes, the
// project list), the entities that deliveries stored meanwhile. Such a read may have
// read one of them before its change and write that older read after the delivery's,
// so it reads them again at its end.
type watched struct {
	mu    gosync.Mutex
	reads map[string]map[*watch]bool // by workspace
}

// watch is what one read collects.
type watch struct {
	w   *watched
	ws  string
	ids map[string]bool
}

// start begins collecting a workspace's entries for one read; stop ends it.
func (w *watched) start(ws string) *watch {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reads == nil {
		w.reads = map[string]map[*watch]bool{}
	}
	if w.reads[ws] == nil {
		w.reads[ws] = map[*watch]bool{}
	}
	r := &watch{w: w, ws: ws, ids: map[string]bool{}}
	w.reads[ws][r] = true
	return r
}

// note records an entry a delivery stored, for each read of its workspace under way.
func (w *watched) note(ws, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for r := range w.reads[ws] {
		r.ids[id] = true
	}
}

// stop ends the read's collecting.
func (r *watch) stop() {
	r.w.mu.Lock()
	defer r.w.mu.Unlock()
	delete(r.w.reads[r.ws], r)
	if len(r.w.reads[r.ws]) == 0 {
		delete(r.w.reads, r.ws)
	}
}

// take returns the entries the read collected so far, and forgets them.
func (r *watch) take() []string {
	r.w.mu.Lock()
	defer r.w.mu.Unlock()
	ids := slices.Sorted(maps.Keys(r.ids))
	clear(r.ids)
	return ids
}

// reread stores again, as Clockify holds them now, the entries deliveries stored while a
// read ran.
func (e *Engine) reread(ctx context.Context, client *clockify.Client, r *watch) error {
	for _, id := range r.take() {
		if _, err := e.readAgain(ctx, client, r.ws, id); err != nil {
			return err
		}
	}
	return nil
}

// readAgain stores an entry as Clockify holds it now (applyEntry, fetching it). One that
// Clockify holds such that no report could count it (uncountable, logged by skip) stays
// as stored: read is false, and err nil.
func (e *Engine) readAgain(ctx context.Context, client *clockify.Client, ws, id string) (read bool, err error) {
	_, err = e.applyEntry(ctx, client, ws, id, nil, false, true)
	if errors.Is(err, webhook.ErrPermanent) {
		return false, nil
	}
	return err == nil, err
}

// applies orders the writes of one entity that this process makes from a single read
// (the deliveries, and a sync's reading again of what they stored). Each takes a number
// when it begins, before it reads the entity from Clockify, and stores what it read only
// if none that began after it has stored first: two deliveries applied at once (an entry
// edited twice, or edited then deleted, within a second) then leave what the later one
// read, whichever finishes last. An entity is held only while one of them runs.
type applies struct {
	mu   gosync.Mutex
	byID map[string]*entityApplies
}

type entityApplies struct {
	begun, running int // guarded by applies.mu

	mu     gosync.Mutex // held while one of them stores
	stored int          // the number of the last that stored
}

// begin begins a write of an entity: store runs the write unless one that began later
// has stored first, and done ends it.
func (a *applies) begin(id string) (store func(write func() error) error, done func()) {
	a.mu.Lock()
	if a.byID == nil {
		a.byID = map[string]*entityApplies{}
	}
	x := a.byID[id]
	if x == nil {
		x = &entityApplies{}
		a.byID[id] = x
	}
	x.begun++
	x.running++
	n := x.begun
	a.mu.Unlock()
	store = func(write func() error) error {
		x.mu.Lock()
		defer x.mu.Unlock()
		if n < x.stored {
			return nil // what a later delivery read is stored: this read is older
		}
		if err := write(); err != nil {
			return err
		}
		x.stored = n
		return nil
	}
	done = func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if x.running--; x.running == 0 {
			delete(a.byID, id)
		}
	}
	return store, done
}

// RotateWebhookTokens has Clockify generate new tokens for the workspace's webhooks and
// stores them. The old tokens stay valid for the rotation grace (WithRotationGrace), for
// the deliveries already signed with them: in this process's Handler at once, in another
// replica's once it reloads the tokens, as the store keeps with each new token the
// tokens it replaced whose grace goes on (the last four). A webhook someone deleted in
// Clockify's settings is registered again, with a new token, and its old token is
// trusted no more. It also mends a token someone regenerated in Clockify's settings,
// which the engine cannot see (Clockify listed no tokens when probed): that webhook's
// deliveries are refused as unsigned until then. A Disconnect meanwhile, on this replica
// or another, wins: no token stays stored, and the call returns ErrNotConnected. A
// rotation cut short (its context ending, Clockify or the store failing) once Clockify
// was asked for a webhook's new token leaves that webhook stored without a token, as the
// answer may be lost: its deliveries are refused until the next scheduled sync, or a
// rotation run again, has Clockify issue it another.
func (e *Engine) RotateWebhookTokens(ctx context.Context, workspaceID string) error {
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return err
	}
	unlock, err := e.lockWebhooks(ctx, workspaceID)
	if err != nil {
		return err
	}
	defer unlock()
	return e.undoIfDisconnected(ctx, client, workspaceID, e.rotateTokens(ctx, client, workspaceID))
}

// rotateTokens is RotateWebhookTokens under its locks. A webhook Clockify no longer has
// (deleted in its settings) gets no new token: it is forgotten, its old token no longer
// trusted, and its event registered again, with a new webhook and token.
func (e *Engine) rotateTokens(ctx context.Context, client *clockify.Client, workspaceID string) error {
	hooks, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return err
	}
	var gone []clockify.WebhookEvent
	for _, w := range hooks {
		replaced := e.replacedBy(w)
		// Once Clockify is asked, the stored token may be stale: the answer may be lost
		// (a cancelled context, a dropped connection) after Clockify switched tokens.
		// The webhook is stored without a token first, which the next registration (a
		// scheduled sync's repair) replaces with a new one; until the new token is
		// stored, the handlers keep the token they hold.
		if err := e.store.PutWebhook(ctx, Webhook{WorkspaceID: w.WorkspaceID, ID: w.ID, Event: w.Event, URL: w.URL}); err != nil {
			return err
		}
		got, _, err := client.Webhooks.RegenerateToken(ctx, workspaceID, w.ID)
		if errors.Is(err, clockify.ErrNotFound) {
			gone = append(gone, clockify.WebhookEvent(w.Event))
			continue
		}
		if err != nil {
			return err
		}
		w.SealedToken = e.sealTokens(w, webhookTokens{current: got.AuthToken, replaced: replaced})
		if err := e.store.PutWebhook(ctx, w); err != nil {
			return err
		}
		if err := e.trust(w, got.AuthToken, true); err != nil {
			return err
		}
	}
	if len(gone) == 0 {
		return nil
	}
	conn, err := e.connection(ctx, workspaceID)
	if err != nil {
		return err
	}
	if hooks, err = e.store.Webhooks(ctx, workspaceID); err != nil {
		return err
	}
	_, err = e.registerWebhooks(ctx, client, conn, gone, hooks)
	return err
}
