package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/mapping"
)

// ConnectRequest is what Connect needs.
type ConnectRequest struct {
	// APIKey is the Clockify API key (spaces around it are trimmed). It is stored sealed.
	APIKey string
	// WorkspaceID is the workspace to connect; empty means the key user's active one.
	WorkspaceID string
	// WebhookURL is the public URL of the host's webhook handler (Engine.Handler); empty
	// registers no webhooks, and the schedule's syncs alone keep the store current.
	WebhookURL string
	// InitialDays is how many days the initial sync reads: 30 when zero, at most 365.
	InitialDays int
	// Schedule is ScheduleRealtime when a WebhookURL is given, else ScheduleHourly,
	// unless set.
	Schedule Schedule
	// Region is the workspace's data region (a workspace on a paid plan may keep its
	// data in the EU, the USA, the UK or Australia): the engine reaches the workspace's
	// API there, from Connect on. Empty is the region of the engine's client options,
	// global unless WithClientOptions names one. One engine serves workspaces of every
	// region.
	Region clockify.Region
}

// ConnectResult says what Connect did.
type ConnectResult struct {
	Connection Connection
	// Webhooks counts the webhooks that deliver to the connection, registered now or
	// found registered.
	Webhooks int
	// MissingEvents are the events Clockify would not register a webhook for, or holds
	// theirs disabled (a Free plan allows three webhooks; a downgrade disables the
	// others until an upgrade): the schedule's reconciles repair what they would have
	// told, and try the refused ones again. After one refusal Connect creates no more.
	MissingEvents []clockify.WebhookEvent
	// InitialSync is the initial sync's result.
	InitialSync *Result
	// OwnEntriesOnly is set when the key's user is no workspace admin: Clockify then lets
	// it read its own entries only, and the engine syncs those.
	OwnEntriesOnly bool
	// MappingErr says why the members could not be mapped to GitHub logins (the
	// contributor source failed, or the matcher refused its list); Connect went on
	// without them. Nil when they were mapped.
	MappingErr error
}

// events are the webhook events the engine registers, most needed first, so that a plan
// that allows few webhooks gets those.
var events = [...]clockify.WebhookEvent{
	clockify.EventNewTimeEntry, clockify.EventTimeEntryUpdated, clockify.EventTimeEntryDeleted,
	clockify.EventTimerStopped, clockify.EventNewProject, clockify.EventProjectUpdated,
	clockify.EventProjectDeleted, clockify.EventNewTimerStarted, clockify.EventTimeEntryRestored,
	clockify.EventTimeEntrySplit,
}

// Connect connects a workspace: it checks the key and the workspace, stores the key
// sealed, imports and maps the members and projects, registers one webhook per event
// (reusing those already registered at the same URL), and runs the initial sync. Each
// step is recorded in the connection's Step; calling Connect again after a failure
// resumes, and repeats nothing that would duplicate. A rejected key is ErrInvalidAPIKey,
// a workspace without access ErrWorkspaceAccess, a bad request an InputError; none of
// them stores anything. A Disconnect while Connect runs, on this replica or another,
// wins: Connect stops with ErrNotConnected, and unregisters the webhooks it registered.
// A second Connect of the workspace (a form sent twice) waits for the first, then finds
// its webhooks registered, and a sync of the workspace running meanwhile ends before
// Connect imports the members and projects: in this process, and in every replica when
// the store is a WorkspaceLocker.
func (e *Engine) Connect(ctx context.Context, req ConnectRequest) (*ConnectResult, error) {
	key := strings.TrimSpace(req.APIKey)
	if key == "" {
		return nil, inputError("api key", "required")
	}
	days := cmp.Or(req.InitialDays, DefaultInitialDays)
	if days < 1 || days > MaxInitialDays {
		return nil, inputError("initial days", "between 1 and %d", MaxInitialDays)
	}
	if err := checkWebhookURL(req.WebhookURL); err != nil {
		return nil, err
	}
	schedule := req.Schedule
	switch {
	case schedule == "" && req.WebhookURL != "":
		schedule = ScheduleRealtime
	case schedule == "":
		schedule = ScheduleHourly
	case !schedule.valid():
		return nil, inputError("schedule", "unknown schedule %q", schedule)
	}
	if !req.Region.Valid() {
		return nil, inputError("region", "unknown region %q (want euc1, use2, euw2, apse2, or empty for global)", req.Region)
	}

	client, ws, err := e.checkKey(ctx, key, req.Region, req.WorkspaceID)
	if err != nil {
		return nil, err
	}
	// Two Connects of one workspace at once would each register every webhook: the
	// second waits for the first, then finds the webhooks registered.
	unlock, err := e.lock(ctx, lockConnect, ws.ID)
	if err != nil {
		return nil, err
	}
	defer unlock()

	// The connection's own fields are written in one step, so that what another writer
	// changed meanwhile (a sync's end) stays.
	now := e.now().UTC()
	sealed := e.seal.seal(key, ws.ID, purposeAPIKey)
	begin := func(c *Connection) {
		if c.Status != StatusConnected {
			// What changed while the workspace was disconnected is the initial sync's.
			c.Status, c.Step, c.ChangesRead = StatusConnecting, StepValidated, time.Time{}
		}
		c.WorkspaceName, c.SealedAPIKey = storable(ws.Name), sealed
		c.HourlyRate, c.Currency = 0, ""
		if r := ws.HourlyRate; r != nil {
			c.HourlyRate, c.Currency = r.Amount, r.Currency
		}
		c.WebhookURL, c.Schedule, c.InitialDays, c.Region, c.Updated = req.WebhookURL, schedule, days, req.Region, now
	}
	var conn Connection
	err = e.store.UpdateConnection(ctx, ws.ID, func(c *Connection) error { begin(c); conn = *c; return nil })
	if errors.Is(err, ErrNotFound) {
		conn = Connection{WorkspaceID: ws.ID, Created: now}
		begin(&conn)
		err = e.store.PutConnection(ctx, conn)
	}
	if err != nil {
		return nil, err
	}
	e.cacheClient(ws.ID, client, conn)

	// step records that Connect got past s. A Disconnect since Connect began (here or on
	// another replica) wins, being the later action: Connect stops, and unregisters the
	// webhooks it registered after the Disconnect deleted the others.
	var reg registration
	step := func(s Step) error {
		err := e.store.UpdateConnection(ctx, ws.ID, func(c *Connection) error {
			if c.Status == StatusDisconnected {
				return fmt.Errorf("%w: %s was disconnected while Connect ran", ErrNotConnected, ws.ID)
			}
			if stepOrder(c.Step) < stepOrder(s) {
				c.Step = s
			}
			if s == StepWebhooks {
				c.MissingEvents = reg.missing
			}
			if s == StepInitialSync {
				c.Status = StatusConnected
				if c.ChangesRead.IsZero() { // the changes before are the initial sync's
					c.ChangesRead = c.LastSync
				}
			}
			c.Updated = e.now().UTC()
			conn = *c
			return nil
		})
		if errors.Is(err, ErrNotConnected) {
			return e.abandon(ctx, client, ws.ID, err)
		}
		return err
	}
	res := &ConnectResult{}
	got, err := e.importDirectory(ctx, client, ws.ID, step)
	if err != nil {
		return nil, err
	}
	res.OwnEntriesOnly, res.MappingErr = got.ownOnly, got.mappingErr
	stored, err := e.store.Webhooks(ctx, ws.ID)
	if err != nil {
		return nil, e.failed(ctx, ws.ID, err)
	}
	reg, err = e.registerWebhooks(ctx, client, conn, events[:], stored)
	if err != nil {
		return nil, e.failed(ctx, ws.ID, err)
	}
	res.Webhooks, res.MissingEvents = reg.live, reg.missing
	if err := step(StepWebhooks); err != nil {
		return nil, err
	}

	w := Window{Start: now.AddDate(0, 0, -days), End: now}
	if res.InitialSync, err = e.sync(ctx, ws.ID, w, false, true); err != nil {
		return nil, err
	}
	if err := step(StepInitialSync); err != nil {
		return nil, err
	}
	res.Connection = conn
	return res, nil
}

// checkWebhookURL refuses a webhook URL that is not empty or an absolute http(s) URL.
func checkWebhookURL(raw string) error {
	if raw == "" {
		return nil
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return inputError("webhook url", "want an absolute http(s) URL")
	}
	return nil
}

// WebhookResult says what SetWebhookURL did.
type WebhookResult struct {
	// Webhooks counts the webhooks that deliver to the URL, registered now or found
	// registered.
	Webhooks int
	// MissingEvents are the events Clockify would not register a webhook for, or holds
	// theirs disabled, as in ConnectResult.
	MissingEvents []clockify.WebhookEvent
}

// SetWebhookURL moves a connected workspace's webhooks to another public URL of the
// host's handler (a new domain, or a host that had none), with the API key stored at
// Connect, so that no customer is asked for it again: the engine's webhooks at any other
// URL are deleted in Clockify, and one per event registered at the new one (those found
// there are kept). An empty URL deletes them all, and the schedule's syncs alone keep the
// store current. The schedule stays as it is (SetSchedule changes it). A bad URL is an
// InputError, and a workspace not connected ErrNotConnected; neither changes anything.
// A Disconnect meanwhile, on this replica or another, wins. After a failure part way,
// calling it again finishes the move.
func (e *Engine) SetWebhookURL(ctx context.Context, workspaceID, webhookURL string) (*WebhookResult, error) {
	if err := checkWebhookURL(webhookURL); err != nil {
		return nil, err
	}
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	unlock, err := e.lockWebhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	var conn Connection
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if err := connected(workspaceID, c); err != nil {
			return err
		}
		c.WebhookURL, c.Updated = webhookURL, e.now().UTC()
		conn = *c
		return nil
	})
	if err != nil {
		return nil, err
	}
	stored, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	reg, err := e.registerWebhooks(ctx, client, conn, events[:], stored)
	if err == nil {
		err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
			if c.Status != StatusDisconnected { // a Disconnect meanwhile cleared them
				c.MissingEvents = reg.missing
			}
			return nil
		})
	}
	if err := e.undoIfDisconnected(ctx, client, workspaceID, err); err != nil {
		return nil, err
	}
	return &WebhookResult{Webhooks: reg.live, MissingEvents: reg.missing}, nil
}

// checkKey returns a client with the key, in the region, and the workspace it reads
// (the key user's active one when workspaceID is empty): ErrInvalidAPIKey when Clockify
// rejects the key, ErrWorkspaceAccess when its user cannot read the workspace.
func (e *Engine) checkKey(ctx context.Context, key string, region clockify.Region, workspaceID string) (*clockify.Client, *clockify.Workspace, error) {
	client, err := e.newClient(key, region)
	if err != nil {
		return nil, nil, err
	}
	me, _, err := client.Users.Current(ctx)
	if errors.Is(err, clockify.ErrInvalidAPIKey) {
		return nil, nil, &keyError{err: err}
	}
	if err != nil {
		return nil, nil, err
	}
	wsID := cmp.Or(workspaceID, me.ActiveWorkspace, me.DefaultWorkspace)
	ws, _, err := client.Workspaces.Get(ctx, wsID)
	if errors.Is(err, clockify.ErrForbidden) || errors.Is(err, clockify.ErrNotFound) {
		return nil, nil, &accessError{workspaceID: wsID, err: err}
	}
	if err != nil {
		return nil, nil, err
	}
	return client, ws, nil
}

// SetAPIKey replaces a connected workspace's API key (its user generated a new one,
// which makes Clockify refuse the old, or another admin's key takes over), without what
// Connect does again: importing the members and projects, registering the webhooks, and
// an initial sync of up to a year. The key is checked against the workspace, in its
// region, and stored sealed; the schedule's backoff after syncs that failed on the old
// key ends, so the next is due on the schedule again. A key Clockify rejects is
// ErrInvalidAPIKey, one whose user cannot read the workspace ErrWorkspaceAccess, an
// empty one an InputError, and a workspace not connected ErrNotConnected (connect it
// instead); none of them changes anything. A key whose user is no workspace admin reads
// that user's entries only, from the next sync on.
func (e *Engine) SetAPIKey(ctx context.Context, workspaceID, apiKey string) error {
	key := strings.TrimSpace(apiKey)
	if key == "" {
		return inputError("api key", "required")
	}
	// Under Connect's lock: a Connect stores a key and a region of its own.
	unlock, err := e.lock(ctx, lockConnect, workspaceID)
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := e.connection(ctx, workspaceID)
	if err != nil {
		return err
	}
	client, _, err := e.checkKey(ctx, key, conn.Region, workspaceID)
	if err != nil {
		return err
	}
	sealed := e.seal.seal(key, workspaceID, purposeAPIKey)
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		if err := connected(workspaceID, c); err != nil {
			return err // disconnected meanwhile: the later action wins
		}
		if c.LastError == ErrInvalidAPIKey.Error() {
			c.LastError = "" // the schedule's backoff for the old key ends
		}
		c.SealedAPIKey, c.Updated = sealed, e.now().UTC()
		conn = *c
		return nil
	})
	if err != nil {
		return err
	}
	e.cacheClient(workspaceID, client, conn)
	return nil
}

// importDirectory imports the members and projects for Connect, recording each step,
// under a sync's locks: a sync of the workspace running meanwhile, here or on another
// replica, stores its read of them before Connect reads them, not after it.
func (e *Engine) importDirectory(ctx context.Context, client *clockify.Client, ws string, step func(Step) error) (imported, error) {
	unlock, err := e.lockSyncRun(ctx, ws)
	if err != nil {
		return imported{}, err
	}
	defer unlock()
	got, err := e.refreshMembers(ctx, client, ws)
	if err != nil {
		return got, e.failed(ctx, ws, err)
	}
	if err := step(StepMembers); err != nil {
		return got, err
	}
	if err := e.refreshProjects(ctx, client, ws, !got.ownOnly); err != nil {
		return got, e.failed(ctx, ws, err)
	}
	return got, step(StepProjects)
}

func (s Schedule) valid() bool {
	switch s {
	case ScheduleRealtime, ScheduleHourly, ScheduleDaily, ScheduleManual:
		return true
	}
	return false
}

// stepOrder is a step's place in Connect, -1 for none.
func stepOrder(s Step) int {
	return slices.Index([]Step{StepValidated, StepMembers, StepProjects, StepWebhooks, StepInitialSync}, s)
}

// imported is what refreshMembers imported.
type imported struct {
	members []Member
	// ownOnly is set when the key's user is no admin: Clockify lists only that user.
	ownOnly bool
	// mappingErr says why the members could not be mapped to GitHub logins again (the
	// contributor source failed, or the matcher refused its list): they keep the logins
	// stored before, and the sync goes on.
	mappingErr error
}

// refreshMembers imports the workspace's members who may have tracked time in it (the
// deactivated and limited users too; not those invited who never joined), maps them to
// GitHub logins, and stores them.
func (e *Engine) refreshMembers(ctx context.Context, client *clockify.Client, workspaceID string) (imported, error) {
	var got imported
	var users []clockify.User
	opts := &clockify.UserListOptions{Status: clockify.MemberAll, IncludeMemberships: true, AccountStatuses: []clockify.AccountStatus{
		clockify.AccountActive, clockify.AccountPendingEmailVerification, clockify.AccountNotRegistered, clockify.AccountLimited,
	}}
	for u, err := range client.Users.All(ctx, workspaceID, opts) {
		if errors.Is(err, clockify.ErrForbidden) {
			me, _, err := client.Users.Current(ctx)
			if err != nil {
				return got, err
			}
			users, got.ownOnly = []clockify.User{*me}, true
			break
		}
		if err != nil {
			return got, err
		}
		users = append(users, u)
	}
	members := make([]Member, 0, len(users))
	for _, u := range users {
		status := membershipStatus(u, workspaceID)
		if status == clockify.MemberPending || status == clockify.MemberDeclined {
			continue
		}
		members = append(members, Member{WorkspaceID: workspaceID, ID: u.ID, Name: storable(u.Name), Email: storable(u.Email),
			Status: string(status)})
	}
	err := e.mapMembers(ctx, workspaceID, members)
	if err != nil && ctx.Err() == nil {
		// GitHub's side failing must not stop the time entries: the members keep the
		// logins they had.
		e.log.WarnContext(ctx, "clockifysync: members not mapped again; they keep their logins", "workspace", workspaceID, "error", err)
		got.mappingErr = err
		err = e.keepLogins(ctx, workspaceID, members)
	}
	if err != nil {
		return got, err
	}
	got.members = members
	if err := e.store.PutMembers(ctx, members); err != nil {
		return got, err
	}
	return got, e.keepManualLogins(ctx, workspaceID, members)
}

// keepManualLogins gives the members mapped by hand (SetUserMapping) while they were
// being mapped the logins chosen for them: the logins just stored come from the manual
// mappings read before the contributors were listed.
func (e *Engine) keepManualLogins(ctx context.Context, workspaceID string, members []Member) error {
	manual, err := e.store.UserMappings(ctx, workspaceID)
	if err != nil {
		return err
	}
	var changed []Member
	for _, m := range manual {
		i := slices.IndexFunc(members, func(x Member) bool { return x.ID == m.MemberID })
		if i >= 0 && (members[i].Login != m.Login || members[i].Method != string(mapping.MethodManual)) {
			members[i].Login, members[i].Method, members[i].Score = m.Login, string(mapping.MethodManual), 1
			changed = append(changed, members[i])
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return e.store.PutMembers(ctx, changed)
}

// mapMembers sets the members' GitHub logins: manual mappings, then the contributors'
// emails and names.
func (e *Engine) mapMembers(ctx context.Context, workspaceID string, members []Member) error {
	manual, err := e.store.UserMappings(ctx, workspaceID)
	if err != nil {
		return err
	}
	var contributors []mapping.Contributor
	if e.contribs != nil {
		if contributors, err = e.contribs(ctx, workspaceID); err != nil {
			return fmt.Errorf("clockifysync: listing contributors: %w", err)
		}
	}
	if len(manual) == 0 && len(contributors) == 0 {
		return nil
	}
	in := make([]mapping.Member, len(members))
	for i, m := range members {
		in[i] = mapping.Member{ID: m.ID, Name: m.Name, Email: m.Email, Status: m.Status}
	}
	// A member mapped by hand who has left the workspace keeps the mapping, for when
	// they come back; the matcher refuses mappings of members it is not given.
	var ms []mapping.Manual
	for _, m := range manual {
		if slices.ContainsFunc(members, func(x Member) bool { return x.ID == m.MemberID }) {
			ms = append(ms, mapping.Manual{MemberID: m.MemberID, Login: m.Login})
		}
	}
	result, err := mapping.UserMatcher{}.Match(in, contributors, ms)
	if err != nil {
		return fmt.Errorf("clockifysync: mapping members: %w", err)
	}
	for i := range members {
		if m, ok := result.Match(members[i].ID); ok && m.Mapped() {
			members[i].Login, members[i].Method, members[i].Score = m.Login, string(m.Method), m.Score
		}
	}
	return nil
}

// keepLogins gives the members the logins stored for them.
func (e *Engine) keepLogins(ctx context.Context, workspaceID string, members []Member) error {
	stored, err := e.store.Members(ctx, workspaceID)
	if err != nil {
		return err
	}
	byID := make(map[string]Member, len(stored))
	for _, m := range stored {
		byID[m.ID] = m
	}
	for i := range members {
		if m, ok := byID[members[i].ID]; ok {
			members[i].Login, members[i].Method, members[i].Score = m.Login, m.Method, m.Score
		}
	}
	return nil
}

// membershipStatus returns the status of the user's membership of the workspace, or ""
// when the list carried none.
func membershipStatus(u clockify.User, workspaceID string) clockify.MemberStatus {
	for _, m := range u.Memberships {
		if m.MembershipType == "WORKSPACE" && m.TargetID == workspaceID {
			return m.MembershipStatus
		}
	}
	return ""
}

// refreshProjects imports the workspace's projects, archived ones too. When the list is
// complete (an admin's key: others see only the projects open to them), a stored project
// missing from it may have been deleted in Clockify while no webhook told the engine: it
// is read by id, since pages shift when projects are added or deleted while they are
// read, and marked deleted only when Clockify no longer has it. So is a project a
// delivery stored while the list was read.
func (e *Engine) refreshProjects(ctx context.Context, client *clockify.Client, workspaceID string, complete bool) error {
	watch := e.watchedProjects.start(workspaceID)
	defer watch.stop()
	now := e.now().UTC()
	var projects []Project
	listed := map[string]bool{}
	for p, err := range client.Projects.All(ctx, workspaceID, nil) {
		if err != nil {
			return err
		}
		projects = append(projects, projectOf(workspaceID, &p, now))
		listed[p.ID] = true
	}
	if err := e.store.PutProjects(ctx, projects); err != nil {
		return err
	}
	var missing []string
	if complete {
		stored, err := e.store.Projects(ctx, workspaceID)
		if err != nil {
			return err
		}
		for _, p := range stored {
			if !listed[p.ID] && p.Deleted.IsZero() {
				missing = append(missing, p.ID)
			}
		}
	}
	// A project a delivery stored while the list was read is read again too: the list
	// may hold it as it was before.
	ids := append(missing, watch.take()...)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := e.applyProject(ctx, client, workspaceID, id, nil, false, true); err != nil {
			return err
		}
	}
	return nil
}

// projectOf converts a Clockify project read at now.
func projectOf(workspaceID string, p *clockify.Project, now time.Time) Project {
	out := Project{WorkspaceID: workspaceID, ID: p.ID, Name: storable(p.Name), Billable: p.Billable, Archived: p.Archived,
		Synced: now}
	if r := p.HourlyRate; r != nil {
		out.HourlyRate, out.Currency = r.Amount, r.Currency
	}
	return out
}

// refreshDirectory imports members and projects before a sync.
func (e *Engine) refreshDirectory(ctx context.Context, client *clockify.Client, workspaceID string) (imported, error) {
	got, err := e.refreshMembers(ctx, client, workspaceID)
	if err != nil {
		return got, err
	}
	return got, e.refreshProjects(ctx, client, workspaceID, !got.ownOnly)
}

// registration is what registerWebhooks did.
type registration struct {
	live    int                     // webhooks of the wanted events that deliver to the URL
	added   int                     // webhooks registered (or given a new token) now
	missing []clockify.WebhookEvent // the wanted events Clockify refused a webhook, or holds theirs disabled
	looked  bool                    // Clockify's webhooks were listed (or refused to the key): missing is known
}

// count counts a webhook of a wanted event: live when Clockify delivers it, or its
// event missing when Clockify holds it disabled (past a Free plan's three webhooks,
// until an upgrade enables it again).
func (r *registration) count(ev clockify.WebhookEvent, delivers bool) {
	if delivers {
		r.live++
	} else {
		r.missing = append(r.missing, ev)
	}
}

// registerWebhooks makes sure one webhook per wanted event delivers to the connection's
// URL, given the workspace's stored webhooks: a webhook already there is reused (its
// token regenerated if the store does not hold it, since Clockify may not list tokens),
// the engine's webhooks at another URL are deleted, and those deleted in Clockify are
// forgotten. Clockify refusing a webhook (a plan's limit), or holding one disabled, is
// reported, not an error: a disabled webhook is kept, with its token, for Clockify to
// enable again. Once Clockify refuses to create one, no other is created: their events
// are reported missing too.
func (e *Engine) registerWebhooks(ctx context.Context, client *clockify.Client, conn Connection, want []clockify.WebhookEvent, stored []Webhook) (registration, error) {
	var reg registration
	ws := conn.WorkspaceID
	ours := map[string]Webhook{}
	for _, w := range stored {
		ours[w.ID] = w
	}
	list, _, err := client.Webhooks.List(ctx, ws)
	if errors.Is(err, clockify.ErrForbidden) && conn.WebhookURL != "" {
		reg.missing, reg.looked = want, true // only admins manage webhooks
		return reg, nil
	}
	if err != nil {
		return reg, err
	}
	reg.looked = true
	// Webhooks the store holds that Clockify no longer has were deleted there: forget them.
	for id := range ours {
		if !slices.ContainsFunc(list.Webhooks, func(h clockify.Webhook) bool { return h.ID == id }) {
			if err := e.store.DeleteWebhook(ctx, ws, id); err != nil {
				return reg, err
			}
			e.distrust(id)
			delete(ours, id)
		}
	}
	live := map[clockify.WebhookEvent]clockify.Webhook{}
	for _, h := range list.Webhooks {
		if _, mine := ours[h.ID]; mine && h.URL != conn.WebhookURL {
			if err := e.deleteWebhook(ctx, client, ws, h.ID); err != nil {
				return reg, err
			}
			delete(ours, h.ID)
			continue
		}
		if conn.WebhookURL == "" || h.URL != conn.WebhookURL {
			continue
		}
		// Two webhooks of one event at the URL (two Connects at once) would deliver
		// everything twice and count twice against the plan's limit: one is deleted,
		// keeping one whose token the store holds.
		if prev, dup := live[h.WebhookEvent]; dup {
			drop := h
			if ours[prev.ID].SealedToken == nil && ours[h.ID].SealedToken != nil {
				drop, live[h.WebhookEvent] = prev, h
			}
			if err := e.deleteWebhook(ctx, client, ws, drop.ID); err != nil {
				return reg, err
			}
			delete(ours, drop.ID)
			continue
		}
		live[h.WebhookEvent] = h
	}
	if conn.WebhookURL == "" {
		return reg, nil
	}
	refusedCreate := false // Clockify refused to create a webhook in this registration
	for _, ev := range want {
		h, ok := live[ev]
		var got *clockify.Webhook
		switch {
		case ok && ours[h.ID].SealedToken != nil:
			reg.count(ev, h.Delivers())
			continue
		case ok:
			got, _, err = client.Webhooks.RegenerateToken(ctx, ws, h.ID)
		case refusedCreate:
			// Past a plan's limit every create is refused, each spending a request of a
			// plan that may allow thirty an hour: the scheduled syncs try again, one a
			// sync, in turn, so an event refused for a reason of its own delays the
			// others by hours at most.
			reg.missing = append(reg.missing, ev)
			continue
		default:
			got, _, err = client.Webhooks.Create(ctx, ws, &clockify.WebhookRequest{
				Name: webhookName(ev), URL: conn.WebhookURL, WebhookEvent: ev,
			})
		}
		var apiErr *clockify.APIError
		if errors.As(err, &apiErr) && !errors.Is(err, clockify.ErrInvalidAPIKey) && apiErr.StatusCode < 500 {
			e.log.WarnContext(ctx, "clockifysync: Clockify refused a webhook", "workspace", ws, "event", ev, "error", err)
			reg.missing = append(reg.missing, ev)
			refusedCreate = refusedCreate || !ok
			continue
		}
		if err != nil {
			return reg, err
		}
		if got.AuthToken == "" {
			return reg, fmt.Errorf("clockifysync: Clockify returned webhook %s without its token", got.ID)
		}
		w := Webhook{WorkspaceID: ws, ID: got.ID, Event: string(ev), URL: conn.WebhookURL,
			SealedToken: e.seal.seal(got.AuthToken.Reveal(), ws, purposeToken(got.ID))}
		if err := e.store.PutWebhook(ctx, w); err != nil {
			return reg, err
		}
		if err := e.trust(w, got.AuthToken, false); err != nil {
			return reg, err
		}
		reg.added++
		reg.count(ev, got.Delivers())
	}
	return reg, nil
}

// repairWebhooks registers again the webhooks of the workspace that Clockify no longer
// has (deleted in its settings), so that its real-time updates do not stop for good; a
// scheduled sync calls it. It also tries again the events Clockify refused a webhook
// before (a Free plan's three, until an upgrade), one a call, in turn: each refusal
// spends a request of a plan that may allow thirty an hour. Once Clockify takes one, it
// tries the others. A workspace whose key never registered a webhook (a member's) is
// left alone.
func (e *Engine) repairWebhooks(ctx context.Context, client *clockify.Client, conn Connection) (registration, error) {
	var reg registration
	workspaceID := conn.WorkspaceID
	if conn.WebhookURL == "" {
		return reg, nil // no webhooks: spare the locks
	}
	unlock, err := e.lockWebhooks(ctx, workspaceID)
	if err != nil {
		return reg, err
	}
	defer unlock()
	if conn, err = e.connection(ctx, workspaceID); err != nil || conn.WebhookURL == "" {
		return reg, err
	}
	stored, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return reg, err
	}
	var want, refused []clockify.WebhookEvent
	for _, ev := range events {
		if slices.ContainsFunc(stored, func(w Webhook) bool { return w.Event == string(ev) && w.URL == conn.WebhookURL }) {
			want = append(want, ev)
		} else {
			refused = append(refused, ev)
		}
	}
	if len(want) == 0 {
		return reg, nil
	}
	var probe clockify.WebhookEvent
	if len(refused) > 0 {
		probe = retryEvent(refused, e.now())
		refused = slices.DeleteFunc(refused, func(ev clockify.WebhookEvent) bool { return ev == probe })
		want = append(want, probe)
	}
	if reg, err = e.registerWebhooks(ctx, client, conn, want, stored); err != nil {
		return reg, err
	}
	if len(refused) > 0 && !slices.Contains(reg.missing, probe) {
		if stored, err = e.store.Webhooks(ctx, workspaceID); err != nil {
			return reg, err
		}
		more, err := e.registerWebhooks(ctx, client, conn, refused, stored)
		if err != nil {
			return reg, err
		}
		reg.added, reg.missing, reg.looked = reg.added+more.added, append(reg.missing, more.missing...), reg.looked && more.looked
	} else {
		reg.missing = append(reg.missing, refused...)
	}
	slices.SortFunc(reg.missing, func(a, b clockify.WebhookEvent) int {
		return slices.Index(events[:], a) - slices.Index(events[:], b)
	})
	if reg.added == 0 {
		return reg, nil
	}
	e.log.InfoContext(ctx, "clockifysync: registered the webhooks Clockify was missing", "workspace", workspaceID, "webhooks", reg.added)
	return reg, e.undoIfDisconnected(ctx, client, workspaceID, nil)
}

// retryEvent picks the refused event a repair tries again: another each hour, so that
// one Clockify refuses for a reason of its own does not keep the others from a try.
func retryEvent(refused []clockify.WebhookEvent, now time.Time) clockify.WebhookEvent {
	return refused[now.Unix()/3600%int64(len(refused))]
}

// lockWebhooks takes the locks under which the workspace's webhooks change after
// Connect: Connect's own, and this process's sync lock, which Disconnect takes. A
// Disconnect on another replica is met by undoIfDisconnected.
func (e *Engine) lockWebhooks(ctx context.Context, workspaceID string) (func(), error) {
	return e.lockAll(ctx, workspaceID, lockConnect, lockSync)
}

// undoIfDisconnected follows a change of the workspace's webhooks that ended with err
// (nil when it succeeded): if the workspace was disconnected meanwhile, on another
// replica, the change is abandoned and ErrNotConnected returned.
func (e *Engine) undoIfDisconnected(ctx context.Context, client *clockify.Client, workspaceID string, err error) error {
	if _, cerr := e.connection(ctx, workspaceID); errors.Is(cerr, ErrNotConnected) {
		return e.abandon(ctx, client, workspaceID, cerr)
	}
	return err
}

// abandon ends a change of the workspace's webhooks (Connect, a repair, a rotation)
// that a Disconnect overtook, err saying so. The Disconnect wins, being the later
// action: the webhooks registered or given new tokens since are deleted in Clockify and
// forgotten, and so is the client.
func (e *Engine) abandon(ctx context.Context, client *clockify.Client, workspaceID string, err error) error {
	if _, uerr := e.unregisterWebhooks(ctx, client, workspaceID); uerr != nil {
		return errors.Join(err, uerr)
	}
	e.forgetClient(workspaceID)
	return err
}

// webhookName names the engine's webhook for an event, within Clockify's 30 characters.
func webhookName(ev clockify.WebhookEvent) string {
	name := "jasper " + strings.ToLower(string(ev))
	return name[:min(len(name), 30)]
}

// deleteWebhook deletes a webhook in Clockify (one already gone counts as deleted) and
// forgets it.
func (e *Engine) deleteWebhook(ctx context.Context, client *clockify.Client, workspaceID, id string) error {
	if _, err := client.Webhooks.Delete(ctx, workspaceID, id); err != nil && !errors.Is(err, clockify.ErrNotFound) {
		return err
	}
	if err := e.store.DeleteWebhook(ctx, workspaceID, id); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	e.distrust(id)
	return nil
}

// DisconnectResult says what Disconnect did.
type DisconnectResult struct {
	// Unregistered counts the webhooks deleted in Clockify.
	Unregistered int
	// LeftRegistered lists the webhooks Clockify would not let the key delete (a key
	// revoked since): delete them in Clockify's settings. Their tokens are forgotten.
	LeftRegistered []string
}

// Disconnect unregisters the workspace's webhooks, deletes its stored API key and webhook
// tokens, and keeps its entries, links and mappings as history. A failure other than the
// key being refused changes nothing more than the webhooks already deleted, and
// Disconnect may be called again.
func (e *Engine) Disconnect(ctx context.Context, workspaceID string) (*DisconnectResult, error) {
	unlock, err := e.lock(ctx, lockSync, workspaceID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	client, _, err := e.client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	res, err := e.unregisterWebhooks(ctx, client, workspaceID)
	if err != nil {
		return nil, err
	}
	if err := e.store.FinishRun(ctx, workspaceID); err != nil {
		return nil, err
	}
	err = e.store.UpdateConnection(ctx, workspaceID, func(c *Connection) error {
		c.Status, c.SealedAPIKey, c.MissingEvents, c.Updated = StatusDisconnected, nil, nil, e.now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.forgetClient(workspaceID)
	return res, nil
}

// Purge deletes everything the store keeps of a disconnected workspace (the store's
// DeleteWorkspace): its entries and links, its members' names and emails, its projects,
// mappings and delivery records, and its connection; for a customer who leaves and asks
// that their data be erased, since Disconnect keeps the history. A workspace still
// connected, or connecting, is ErrStillConnected and loses nothing: Disconnect it first,
// which unregisters its webhooks. A workspace of which nothing is kept is no error. Purge
// waits for a Connect or a sync of the workspace in progress (on every replica, with a
// WorkspaceLocker store), and a Connect after it starts afresh.
func (e *Engine) Purge(ctx context.Context, workspaceID string) error {
	if workspaceID == "" {
		return inputError("workspace", "required")
	}
	unlock, err := e.lockAll(ctx, workspaceID, lockConnect, lockSync, lockRun) // as Connect takes them
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := e.store.Connection(ctx, workspaceID)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	case conn.Status != StatusDisconnected:
		return fmt.Errorf("%w: %s", ErrStillConnected, workspaceID)
	}
	if err := e.store.DeleteWorkspace(ctx, workspaceID); err != nil {
		return err
	}
	e.forgetClient(workspaceID)
	return nil
}

// unregisterWebhooks deletes the workspace's stored webhooks in Clockify and forgets
// them; those the key may no longer delete are forgotten, and listed.
func (e *Engine) unregisterWebhooks(ctx context.Context, client *clockify.Client, workspaceID string) (*DisconnectResult, error) {
	hooks, err := e.store.Webhooks(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	res := &DisconnectResult{}
	for _, w := range hooks {
		err := e.deleteWebhook(ctx, client, workspaceID, w.ID)
		switch {
		case err == nil:
			res.Unregistered++
		case errors.Is(err, clockify.ErrInvalidAPIKey) || errors.Is(err, clockify.ErrForbidden):
			res.LeftRegistered = append(res.LeftRegistered, w.ID)
			if err := e.store.DeleteWebhook(ctx, workspaceID, w.ID); err != nil {
				return nil, err
			}
			e.distrust(w.ID)
		default:
			return nil, err
		}
	}
	return res, nil
}
