// Command quickstart lists a Clockify workspace's members, projects and the last 30 days
// of time entries, then links the entries to pull requests and summarises the time per
// PR, the billable share and the weekly trend. Breaks, holidays and time off are listed
// but left out of every figure: they are no work on a pull request.
//
// With no configuration it starts the built-in fake Clockify (clockifytest) with a
// generated workspace and talks to it over loopback HTTP through the real client. With
// CLOCKIFY_API_KEY set it talks to the real Clockify instead (CLOCKIFY_WORKSPACE_ID picks
// the workspace, else the key's active one; CLOCKIFY_REGION picks a data region;
// GITHUB_ORG names the organisation whose repositories the projects are named after).
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	client, workspaceID, org, cleanup, err := connect(ctx, out)
	if err != nil {
		return err
	}
	defer cleanup()
	return report(ctx, out, client, workspaceID, org)
}

// report prints the workspace's members, projects and last 30 days of entries, and the
// summary. A key whose user is not a workspace admin may not list the members (Clockify
// answers 403), nor read their entries: it reports that user's own entries. Should
// Clockify refuse a deactivated member's entries, the report says so and goes on.
func report(ctx context.Context, out io.Writer, client *clockify.Client, workspaceID, org string) error {
	ws, _, err := client.Workspaces.Get(ctx, workspaceID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Workspace %q (%s)\n\n", ws.Name, ws.ID)

	members, deactivated, err := listMembers(ctx, client, workspaceID)
	if errors.Is(err, clockify.ErrForbidden) {
		var me *clockify.User
		if me, _, err = client.Users.Current(ctx); err == nil {
			fmt.Fprintf(out, "%s is not an admin of this workspace, so only their own entries are shown.\n\n", me.Name)
			members = []clockify.User{*me}
		}
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tEMAIL\tID")
	for _, u := range members {
		name := u.Name
		if deactivated[u.ID] {
			name += " (deactivated)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, u.Email, u.ID)
	}
	tw.Flush()

	fmt.Fprintln(out)
	projects := map[string]clockify.Project{}
	fmt.Fprintln(tw, "PROJECT\tBILLABLE\tRATE")
	for p, err := range client.Projects.All(ctx, workspaceID, nil) {
		if err != nil {
			return err
		}
		projects[p.ID] = p
		rate := "-"
		if p.HourlyRate != nil && p.HourlyRate.Amount > 0 {
			rate = fmt.Sprintf("%d.%02d %s/h", p.HourlyRate.Amount/100, p.HourlyRate.Amount%100, p.HourlyRate.Currency)
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\n", p.Name, p.Billable, rate)
	}
	tw.Flush()

	end := time.Now().UTC()
	start := end.AddDate(0, 0, -30)
	fmt.Fprintf(out, "\nTime entries %s – %s\n", start.Format("2006-01-02"), end.Format("2006-01-02"))
	fmt.Fprintln(tw, "MEMBER\tSTART\tDURATION\tPROJECT\tDESCRIPTION")
	total := time.Duration(0)
	var entries []clockify.TimeEntry
	notWork := 0
	var unread []string
	for _, m := range members {
		opts := &clockify.TimeEntryListOptions{Start: start, End: end}
		for e, err := range client.TimeEntries.All(ctx, workspaceID, m.ID, opts) {
			if err != nil {
				if deactivated[m.ID] && (errors.Is(err, clockify.ErrForbidden) || errors.Is(err, clockify.ErrNotFound)) {
					unread = append(unread, m.Name)
					break
				}
				return err
			}
			dur := "running"
			if e.TimeInterval.Duration != nil {
				dur = e.TimeInterval.Duration.Std().String()
			}
			if !e.IsWork() { // a break, a holiday or time off: listed, but no work on a PR
				notWork++
				dur += " (" + strings.ToLower(strings.ReplaceAll(string(e.Type), "_", " ")) + ")"
			} else {
				entries = append(entries, e)
				if d := e.TimeInterval.Duration; d != nil {
					total += d.Std()
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, e.TimeInterval.Start.Format("Mon 02 Jan 15:04"), dur, projects[e.ProjectID].Name, e.Description)
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "\n%d entries, %.1f hours tracked by %d members on %d projects\n", len(entries), total.Hours(), len(members), len(projects))
	if notWork > 0 {
		fmt.Fprintf(out, "(breaks, holidays and time off, listed but left out of every figure: %d)\n", notWork)
	}
	if len(unread) > 0 {
		fmt.Fprintf(out, "(Clockify would not list the entries of these deactivated members: %s; its detailed report holds them)\n", strings.Join(unread, ", "))
	}
	return summarise(out, ws, projects, entries, org)
}

// listMembers returns the workspace's members who may have tracked time in it, and the
// ids of those deactivated. Deactivated members' past entries count as anyone's; so do
// limited users', who have no login but whose time an admin or a kiosk tracks (Clockify
// lists them only when asked). Those invited who never joined are left out.
func listMembers(ctx context.Context, client *clockify.Client, workspaceID string) ([]clockify.User, map[string]bool, error) {
	var members []clockify.User
	deactivated := map[string]bool{}
	opts := &clockify.UserListOptions{Status: clockify.MemberAll, IncludeMemberships: true, AccountStatuses: []clockify.AccountStatus{
		clockify.AccountActive, clockify.AccountPendingEmailVerification, clockify.AccountNotRegistered, clockify.AccountLimited,
	}}
	for u, err := range client.Users.All(ctx, workspaceID, opts) {
		if err != nil {
			return nil, nil, err
		}
		switch membershipIn(u, workspaceID) {
		case clockify.MemberPending, clockify.MemberDeclined:
			continue
		case clockify.MemberInactive:
			deactivated[u.ID] = true
		}
		members = append(members, u)
	}
	return members, deactivated, nil
}

// membershipIn returns the status of the user's membership of the workspace, or "" when
// the list carried none.
func membershipIn(u clockify.User, workspaceID string) clockify.MemberStatus {
	for _, m := range u.Memberships {
		if m.MembershipType == "WORKSPACE" && m.TargetID == workspaceID {
			return m.MembershipStatus
		}
	}
	return ""
}

// connect returns a client for the real Clockify when CLOCKIFY_API_KEY is set, otherwise
// for a generated fake Clockify on loopback.
func connect(ctx context.Context, out io.Writer) (client *clockify.Client, workspaceID, org string, cleanup func(), err error) {
	if key := os.Getenv("CLOCKIFY_API_KEY"); strings.TrimSpace(key) != "" {
		client, err = clockify.NewClient(
			clockify.WithAPIKey(key),
			clockify.WithRegion(clockify.Region(os.Getenv("CLOCKIFY_REGION"))),
		)
		if err != nil {
			return nil, "", "", nil, err
		}
		wsID := os.Getenv("CLOCKIFY_WORKSPACE_ID")
		if wsID == "" {
			me, _, err := client.Users.Current(ctx)
			if err != nil {
				return nil, "", "", nil, err
			}
			wsID = me.ActiveWorkspace
		}
		fmt.Fprintln(out, "Using the real Clockify.")
		return client, wsID, os.Getenv("GITHUB_ORG"), func() {}, nil
	}

	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
	client, err = srv.NewClient(fx.OwnerKey)
	if err != nil {
		srv.Close()
		return nil, "", "", nil, err
	}
	fmt.Fprintf(out, "Using the built-in fake Clockify at %s (set CLOCKIFY_API_KEY to use the real one).\n", srv.URL)
	return client, fx.Workspace.ID, fx.Org, srv.Close, nil
}
