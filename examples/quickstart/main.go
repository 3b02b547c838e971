// Command quickstart connects a Clockify workspace to a SQLite file with the sync
// engine, then reports from the file: the members with the GitHub users they map to, the
// projects and the last 30 days of time entries, linked to pull requests, with the time
// per PR and per contributor, the billable share and the weekly trend. Breaks, holidays
// and time off are listed but left out of every figure: they are no work on a pull
// request.
//
// With no configuration it starts the built-in fake Clockify (clockifytest) with a
// generated workspace, talks to it over loopback HTTP through the real client, and
// receives its webhooks on a loopback handler; a few made-up GitHub users stand in for
// the organisation's members, which a host lists from GitHub itself (the SDK does not
// call GitHub). With CLOCKIFY_API_KEY set it talks to the real Clockify instead
// (CLOCKIFY_WORKSPACE_ID picks the workspace, else the key's active one; CLOCKIFY_REGION
// picks a data region; GITHUB_ORG names the organisation whose repositories the projects
// are named after), and registers no webhook: a real one needs a public URL.
//
// The database is jasper-quickstart.db in the current directory (-db picks another), and
// the key that seals the API key in it is JASPER_SEAL_KEY (64 hex digits) or, failing
// that, a key file beside the database. A real host keeps that key in its secret store.
//
//	go run ./examples/quickstart
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	"github.com/heyjasper/jasper-clockify/mapping"
	"github.com/heyjasper/jasper-clockify/store/sqlite"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func main() {
	db := flag.String("db", "jasper-quickstart.db", "the SQLite file to sync into")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *db); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// source is the Clockify the quickstart connects to.
type source struct {
	apiKey, workspaceID, org string
	region                   clockify.Region
	clientOpts               []clockify.Option
	fake                     *clockifytest.Server // nil for the real Clockify
	// contributors are the GitHub users the members may map to.
	contributors []mapping.Contributor
	close        func()
}

func run(ctx context.Context, out io.Writer, dbPath string) error {
	src, err := choose(out)
	if err != nil {
		return err
	}
	defer src.close()
	return syncAndReport(ctx, out, src, dbPath)
}

// choose returns the real Clockify when CLOCKIFY_API_KEY is set, otherwise a generated
// fake Clockify on loopback.
func choose(out io.Writer) (*source, error) {
	if key := os.Getenv("CLOCKIFY_API_KEY"); strings.TrimSpace(key) != "" {
		fmt.Fprintln(out, "Using the real Clockify.")
		return &source{
			apiKey: key, workspaceID: os.Getenv("CLOCKIFY_WORKSPACE_ID"), org: os.Getenv("GITHUB_ORG"),
			region: clockify.Region(os.Getenv("CLOCKIFY_REGION")), close: func() {},
		}, nil
	}
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
	fmt.Fprintf(out, "Using the built-in fake Clockify at %s (set CLOCKIFY_API_KEY to use the real one).\n", srv.URL)
	return fakeSource(srv, fx.OwnerKey, fx), nil
}

func fakeSource(srv *clockifytest.Server, key string, fx *clockifytest.Fixture) *source {
	return &source{
		apiKey: key, workspaceID: fx.Workspace.ID, org: fx.Org, fake: srv, close: srv.Close,
		clientOpts:   []clockify.Option{clockify.WithBaseURL(srv.CoreURL()), clockify.WithReportsURL(srv.ReportsURL())},
		contributors: demoContributors(fx.Members),
	}
}

// demoContributors stands in for the GitHub users of the fake's organisation: one for each
// member but the last, who stays unmapped, and a bot whom no member matches. Every other
// user is known to GitHub by the member's email; the rest only by their name and a
// noreply address, and the engine maps them by name similarity.
func demoContributors(members []clockifytest.Member) []mapping.Contributor {
	out := []mapping.Contributor{{Login: "acme-ci-bot", Name: "Acme CI"}}
	for i, m := range members[:max(len(members)-1, 0)] {
		local, _, _ := strings.Cut(m.User.Email, "@")
		c := mapping.Contributor{Login: strings.ReplaceAll(local, ".", "-"), Emails: []string{m.User.Email}}
		if i%2 == 1 {
			c.Name, c.Emails = m.User.Name, []string{fmt.Sprintf("%d+%s@users.noreply.github.com", 4200+i, c.Login)}
		}
		out = append(out, c)
	}
	return out
}

// syncAndReport connects the workspace into the SQLite file and reports from it.
func syncAndReport(ctx context.Context, out io.Writer, src *source, dbPath string) error {
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	sealKey, err := sealingKey(dbPath)
	if err != nil {
		return err
	}
	eng, err := clockifysync.New(store, sealKey, clockifysync.WithClientOptions(src.clientOpts...),
		clockifysync.WithContributors(func(context.Context, string) ([]mapping.Contributor, error) { return src.contributors, nil }))
	if err != nil {
		return err
	}

	req := clockifysync.ConnectRequest{APIKey: src.apiKey, WorkspaceID: src.workspaceID, Region: src.region}
	if src.fake != nil {
		// The fake delivers its webhooks to a handler on loopback, as Clockify would to a
		// host's public URL.
		h, err := eng.Handler(ctx)
		if err != nil {
			return err
		}
		receiver := httptest.NewServer(h)
		defer receiver.Close()
		req.WebhookURL = receiver.URL + "/clockify/webhooks"
	}
	res, err := eng.Connect(ctx, req)
	if err != nil {
		return err
	}
	conn := res.Connection
	fmt.Fprintf(out, "Synced workspace %q (%s) into %s: %d entries from the last %d days, %d webhooks registered.\n",
		conn.WorkspaceName, conn.WorkspaceID, dbPath, res.InitialSync.Stored, conn.InitialDays, res.Webhooks)
	switch {
	case len(res.MissingEvents) > 0 && res.OwnEntriesOnly:
		fmt.Fprintf(out, "(Only workspace admins may register webhooks, so none delivers the %d events; the hourly reconcile covers them.)\n", len(res.MissingEvents))
	case len(res.MissingEvents) > 0:
		fmt.Fprintf(out, "(Clockify delivers no webhook for %d events, refused or disabled by its plan; the hourly reconcile covers them.)\n", len(res.MissingEvents))
	}
	if err := mapProjects(ctx, eng, conn.WorkspaceID, src.org); err != nil {
		return err
	}
	if err := seedRates(ctx, eng, conn.WorkspaceID); err != nil {
		return err
	}
	if src.fake != nil && res.Webhooks > 0 {
		if err := showWebhook(ctx, out, src.fake, store, conn.WorkspaceID); err != nil {
			return err
		}
	}
	fmt.Fprintln(out)
	return report(ctx, out, eng, res)
}

// mapProjects maps each project to the repository named after it in org ("Web App" →
// org/web-app), which links its entries' bare #123 references again.
func mapProjects(ctx context.Context, eng *clockifysync.Engine, workspaceID, org string) error {
	if org == "" {
		return nil
	}
	projects, err := eng.Store().Projects(ctx, workspaceID)
	if err != nil {
		return err
	}
	for _, p := range projects {
		repo := org + "/" + strings.Join(strings.Fields(strings.ToLower(p.Name)), "-")
		if mapping.ValidateRepo(repo) != nil {
			continue
		}
		if err := eng.SetProjectMapping(ctx, clockifysync.ProjectMapping{WorkspaceID: workspaceID, ProjectID: p.ID, Repo: repo}); err != nil {
			return err
		}
	}
	return nil
}

// showWebhook adds an entry in the fake Clockify, whose webhook delivers it to the
// engine before the call returns, and shows it in the store.
func showWebhook(ctx context.Context, out io.Writer, fake *clockifytest.Server, store *sqlite.Store, workspaceID string) error {
	members, err := store.Members(ctx, workspaceID)
	if err != nil || len(members) == 0 {
		return err
	}
	projects, err := store.Projects(ctx, workspaceID)
	if err != nil || len(projects) == 0 {
		return err
	}
	end := time.Now().UTC().Add(-10 * time.Minute)
	te, err := fake.AddTimeEntry(workspaceID, clockify.TimeEntry{UserID: members[0].ID, ProjectID: projects[0].ID, Description: "PR #1 review the webhook path",
		TimeInterval: clockify.TimeInterval{Start: end.Add(-20 * time.Minute), End: &end}})
	if err != nil {
		return err
	}
	e, err := store.Entry(ctx, workspaceID, te.ID)
	if err != nil {
		return fmt.Errorf("the webhook did not deliver the new entry: %w", err)
	}
	fmt.Fprintf(out, "A webhook delivered a new entry, now in the store: %q.\n", e.Description)
	return nil
}

// sealingKey returns JASPER_SEAL_KEY, or the key kept in a file beside the database
// (created on the first run, readable by its owner only).
func sealingKey(dbPath string) ([]byte, error) {
	if k := os.Getenv("JASPER_SEAL_KEY"); k != "" {
		key, err := hex.DecodeString(k)
		if err != nil || len(key) != 32 {
			return nil, errors.New("JASPER_SEAL_KEY must be 64 hex digits")
		}
		return key, nil
	}
	path := dbPath + ".key"
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s does not hold a sealing key (64 hex digits)", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600)
}

// github says which GitHub user a member maps to, and how the engine found it.
func github(m clockifysync.Member) string {
	switch {
	case m.Login == "":
		return "-"
	case m.Method == string(mapping.MethodName):
		return fmt.Sprintf("%s (by name, %.2f)", m.Login, m.Score)
	default:
		return fmt.Sprintf("%s (by %s)", m.Login, m.Method)
	}
}

// report prints, from the store, the workspace's members, projects and last 30 days of
// entries, and the summary. A key whose user is not a workspace admin may not list the
// members (Clockify answers 403), nor read their entries: the engine syncs that user's
// own entries. Should Clockify refuse a deactivated member's entries, the report says so.
func report(ctx context.Context, out io.Writer, eng *clockifysync.Engine, res *clockifysync.ConnectResult) error {
	store := eng.Store()
	conn := res.Connection
	ws := conn.WorkspaceID
	fmt.Fprintf(out, "Workspace %q (%s)\n\n", conn.WorkspaceName, ws)
	members, err := store.Members(ctx, ws)
	if err != nil {
		return err
	}
	if res.OwnEntriesOnly && len(members) == 1 {
		fmt.Fprintf(out, "%s is not an admin of this workspace, so only their own entries are shown.\n\n", members[0].Name)
	}
	names := map[string]string{}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tEMAIL\tGITHUB\tID")
	for _, m := range members {
		names[m.ID] = m.Name
		name := m.Name
		if m.Status == string(clockify.MemberInactive) {
			name += " (deactivated)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, m.Email, github(m), m.ID)
	}
	tw.Flush()

	fmt.Fprintln(out)
	projects, err := store.Projects(ctx, ws)
	if err != nil {
		return err
	}
	if conn, err = store.Connection(ctx, ws); err != nil { // with the rates set since
		return err
	}
	byID := map[string]clockifysync.Project{}
	fmt.Fprintf(tw, "PROJECT\tBILLABLE\tRATE (default %s/h)\n", conn.Rates.Default)
	for _, p := range projects {
		byID[p.ID] = p
		rate := "-"
		if r, ok := conn.Rates.Projects[p.ID]; ok {
			rate = r.String() + "/h (set here)"
		} else if p.HourlyRate > 0 {
			if r, err := billing.FromHundredths(p.HourlyRate, cmp.Or(p.Currency, conn.Currency)); err == nil {
				rate = r.String() + "/h (Clockify's)"
			}
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\n", p.Name, p.Billable, rate)
	}
	tw.Flush()

	end := time.Now().UTC()
	start := end.AddDate(0, 0, -30)
	q := clockifysync.EntryQuery{WorkspaceID: ws, From: start, To: end.Add(time.Minute)}
	entries, err := store.Entries(ctx, q)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nTime entries %s – %s (UTC)\n", start.Format("2006-01-02"), end.Format("2006-01-02"))
	fmt.Fprintln(tw, "MEMBER\tSTART\tDURATION\tPROJECT\tDESCRIPTION")
	work, total, notWork := 0, time.Duration(0), 0
	for _, e := range entries {
		dur := duration(&e)
		if !e.IsWork() { // a break, a holiday or time off: listed, but no work on a PR
			notWork++
			dur += " (" + strings.ToLower(strings.ReplaceAll(e.Type, "_", " ")) + ")"
		} else {
			work++
			if !e.Running() {
				total += e.End.Sub(e.Start)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", names[e.UserID], e.Start.Format("Mon 02 Jan 15:04"), dur, byID[e.ProjectID].Name, e.Description)
	}
	tw.Flush()
	fmt.Fprintf(out, "\n%d entries, %.1f hours tracked by %d members on %d projects\n", work, total.Hours(), len(members), len(projects))
	if notWork > 0 {
		fmt.Fprintf(out, "(breaks, holidays and time off, listed but left out of every figure: %d)\n", notWork)
	}
	if skipped := res.InitialSync.Skipped; len(skipped) > 0 {
		var who []string
		for _, id := range skipped {
			who = append(who, names[id])
		}
		fmt.Fprintf(out, "(Clockify would not list the entries of these deactivated members: %s; its detailed report holds them)\n", strings.Join(who, ", "))
	}
	return summarise(ctx, out, eng, names, q)
}
