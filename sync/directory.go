package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/internal/storable"
	"github.com/heyjasper/jasper-clockify/mapping"
)

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
	if err := e.refreshProjects(ctx, client, ws); err != nil {
		return got, e.failed(ctx, ws, err)
	}
	return got, step(StepProjects)
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
		members = append(members, Member{WorkspaceID: workspaceID, ID: u.ID, Name: storable.Text(u.Name), Email: storable.Text(u.Email),
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

// refreshProjects imports the workspace's projects, archived ones too. A stored project
// missing from the list may have been deleted in Clockify while no webhook told the
// engine: it is read by id, since pages shift when projects are added or deleted while
// they are read (and a key that is no admin's lists only the projects open to it), and
// marked deleted only when Clockify no longer has it; one Clockify will not let the key
// read is kept as stored. A project a delivery stored while the list was read is read
// again too.
func (e *Engine) refreshProjects(ctx context.Context, client *clockify.Client, workspaceID string) error {
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
	stored, err := e.store.Projects(ctx, workspaceID)
	if err != nil {
		return err
	}
	var missing []string
	for _, p := range stored {
		if !listed[p.ID] && p.Deleted.IsZero() {
			missing = append(missing, p.ID)
		}
	}
	// A project a delivery stored while the list was read is read again too: the list
	// may hold it as it was before.
	ids := append(missing, watch.take()...)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		err := e.applyProject(ctx, client, workspaceID, id, nil, false, true)
		if err != nil && !errors.Is(err, clockify.ErrForbidden) { // hidden from the key: kept
			return err
		}
	}
	return nil
}

// projectOf converts a Clockify project read at now.
func projectOf(workspaceID string, p *clockify.Project, now time.Time) Project {
	out := Project{WorkspaceID: workspaceID, ID: p.ID, Name: storable.Text(p.Name), Billable: p.Billable, Archived: p.Archived,
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
	return got, e.refreshProjects(ctx, client, workspaceID)
}
