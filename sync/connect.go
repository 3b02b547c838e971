package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/internal/storable"
)

// ConnectRequest is what Connect needs.
type ConnectRequest struct {
	// APIKey is the Clockify API key (spaces around it are trimmed). It is stored sealed.
	APIKey string
	// WorkspaceID is the workspace to connect (spaces around it are trimmed); empty means
	// the key user's active one.
	WorkspaceID string
	// WebhookURL is the public URL of the host's webhook handler (Engine.Handler; spaces
	// around it are trimmed); empty registers no webhooks, and the schedule's syncs alone
	// keep the store current.
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
	// GitHubHost is the host of the customer's GitHub Enterprise (for example
	// "github.acme.corp", or "acme.ghe.com" on GitHub Enterprise Cloud with data
	// residency), whose pull-request URLs in the workspace's entries link beside those
	// of github.com and of the engine's parser (WithParser). Empty adds none. One engine
	// serves customers of every GitHub host.
	GitHubHost string
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
	// it read its own entries only, and the engine syncs those. Such a key registers no
	// webhook, and lists only the projects open to it (a stored one missing from its list
	// is read by id, and kept as stored when Clockify will not show it); where Clockify
	// refuses it the lists of changes (clockifytest does), an entry started before the
	// connection's initial days that is edited or deleted stays as stored until a Sync
	// of a window holding it (SyncScheduled).
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
// a workspace without access ErrWorkspaceAccess, a bad request (a key with spaces or
// control characters inside too) an InputError; none of them stores anything. A
// Disconnect while Connect runs, on this replica or another, wins: Connect stops with
// ErrNotConnected, and unregisters the webhooks it registered.
// A second Connect of the workspace (a form sent twice) waits for the first, then finds
// its webhooks registered, and a sync of the workspace running meanwhile ends before
// Connect imports the members and projects: in this process, and in every replica when
// the store is a WorkspaceLocker. A workspace connected again after a Disconnect keeps
// where its last read of Clockify's changes ended: the next scheduled sync reads what
// changed meanwhile, entries older than the initial sync's window included (up to
// MaxInitialDays back), so the history kept is Clockify's.
func (e *Engine) Connect(ctx context.Context, req ConnectRequest) (*ConnectResult, error) {
	key := strings.TrimSpace(req.APIKey)
	if key == "" {
		return nil, inputError("api key", "required")
	}
	days := cmp.Or(req.InitialDays, DefaultInitialDays)
	if days < 1 || days > MaxInitialDays {
		return nil, inputError("initial days", "between 1 and %d", MaxInitialDays)
	}
	webhookURL, err := cleanWebhookURL(req.WebhookURL)
	if err != nil {
		return nil, err
	}
	req.WebhookURL = webhookURL
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
	host, err := e.checkGitHubHost(req.GitHubHost)
	if err != nil {
		return nil, err
	}

	client, ws, err := e.checkKey(ctx, key, req.Region, strings.TrimSpace(req.WorkspaceID))
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
	var hostWas string
	begin := func(c *Connection) {
		hostWas, c.GitHubHost = c.GitHubHost, host
		if c.Status != StatusConnected {
			// ChangesRead stays: the next scheduled sync reads what changed while the
			// workspace was disconnected, beyond the initial sync's window too.
			c.Status, c.Step = StatusConnecting, StepValidated
		}
		c.WorkspaceName, c.SealedAPIKey = storable.Text(ws.Name), sealed
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
	if host != hostWas { // the entries stored before are linked with the new host
		if err := e.relink(ctx, ws.ID, ""); err != nil {
			return nil, err
		}
	}

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

// checkKey returns a client with the key, in the region, and the workspace it reads
// (the key user's active one when workspaceID is empty): an InputError for a key with
// spaces or control characters inside, ErrInvalidAPIKey when Clockify rejects the key,
// ErrWorkspaceAccess when its user cannot read the workspace.
func (e *Engine) checkKey(ctx context.Context, key string, region clockify.Region, workspaceID string) (*clockify.Client, *clockify.Workspace, error) {
	client, err := e.newClient(key, region)
	if errors.Is(err, clockify.ErrMalformedAPIKey) {
		return nil, nil, inputError("api key", "spaces or control characters inside: copy it again from Clockify")
	}
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
	if ae, ok := errors.AsType[*clockify.ArgumentError](err); ok {
		return nil, nil, inputError("workspace id", "%s", ae.Reason)
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
// empty one or one with spaces or control characters inside an InputError, and a
// workspace not connected ErrNotConnected (connect it instead); none of them changes
// anything. A key whose user is no workspace admin reads that user's entries only, from
// the next sync on.
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

// valid reports whether s is one of the four schedules.
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
