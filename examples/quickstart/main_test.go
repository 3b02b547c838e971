package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
	clockifysync "github.com/heyjasper/jasper-clockify/sync"
)

func TestQuickstartOnTheFake(t *testing.T) {
	t.Setenv("CLOCKIFY_API_KEY", "")
	t.Setenv("JASPER_SEAL_KEY", "")
	db := filepath.Join(t.TempDir(), "quickstart.db")
	for run := range 2 { // the second run syncs into the file the first one made
		var out bytes.Buffer
		require.NoError(t, runQuickstart(t.Context(), &out, db), "run %d", run)
		s := out.String()
		require.Contains(t, s, "built-in fake Clockify")
		require.Regexp(t, `Synced workspace "Acme Engineering" \(\w+\) into .*quickstart.db: \d+ entries from the last 30 days, 10 webhooks registered.\n`, s)
		require.Contains(t, s, `A webhook delivered a new entry, now in the store: "PR #1 review the webhook path".`)
		require.Contains(t, s, `Workspace "Acme Engineering"`)
		require.Contains(t, s, "web-app")
		require.Regexp(t, regexp.MustCompile(`\n\d+ entries, [\d.]+ hours tracked by 5 members on 6 projects\n`), s)
		require.Contains(t, s, "running")
		require.Regexp(t, `\nTime entries \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d \(UTC\)\nMEMBER +START +DURATION`, s)
		require.NotContains(t, s, "left out of every figure", "the generated workspace holds no break")
		// The summary links "#123 Title" entries to the repository their project is named after.
		require.Regexp(t, regexp.MustCompile(`\nacme/[a-z-]+#\d+ +[\d.]+ +[\d,.]+ AUD +\d\n`), s)
		require.Regexp(t, regexp.MustCompile(`\nThe time on acme/[a-z-]+#\d+, as its pull request's page shows it \(UTC\)\nMEMBER +START +DURATION +DESCRIPTION\n(\S+ \S+ +\w{3} \d\d \w{3} \d\d:\d\d +(\w+|running) +.*\n)+\n`), s)
		require.Regexp(t, regexp.MustCompile(`billable \d+% of the time \([\d,.]+ AUD\); \d+% linked to no PR; 0 references left unresolved`), s)
		require.Contains(t, s, "(a running timer counts up to now)")
		// The members map to the stand-ins for GitHub users, by email or by name, but the last.
		require.Regexp(t, `\nKemi Adeyemi +kemi.adeyemi@acme.dev +kemi-adeyemi \(by email\) +\w+\n`, s)
		require.Regexp(t, `\nLiam Martin +liam.martin@acme.dev +liam-martin \(by name, 1.00\) +\w+\n`, s)
		require.Regexp(t, `\nOscar Okafor +oscar.okafor@acme.dev +- +\w+\n`, s)
		require.Regexp(t, `\nBy contributor\nCONTRIBUTOR +HOURS +BILLABLE +PRS\n(([a-z-]+|\S+ \S+ \(no GitHub user\)) +[\d.]+ +[\d.]+ +\d+\n){5}\n`, s)
		require.Regexp(t, `\nOscar Okafor \(no GitHub user\) +[\d.]+ +[\d.]+ +\d+\n`, s)
		require.Regexp(t, `\nmei-garcia +[\d.]+ +[\d.]+ +\d+\n`, s)
	}
	key, err := os.ReadFile(db + ".key")
	require.NoError(t, err)
	require.Len(t, strings.TrimSpace(string(key)), 64)
}

// runQuickstart is run with the database at db.
func runQuickstart(ctx context.Context, out io.Writer, db string) error { return run(ctx, out, db) }

// quickstartOn syncs the fake's workspace with key into a new database and returns the
// report.
func quickstartOn(t *testing.T, srv *clockifytest.Server, key string, fx *clockifytest.Fixture, opts ...clockify.Option) string {
	t.Helper()
	src := fakeSource(srv, key, fx)
	src.clientOpts = append(src.clientOpts, opts...)
	var out bytes.Buffer
	require.NoError(t, syncAndReport(t.Context(), &out, src, filepath.Join(t.TempDir(), "q.db")))
	return out.String()
}

// TestQuickstartWithAMembersKey: Clockify lets only admins list a workspace's members and
// its webhooks, so a regular member's key reports that member's own entries instead of
// failing: on the fake, and as against the real Clockify, where no webhook URL is given.
func TestQuickstartWithAMembersKey(t *testing.T) {
	t.Parallel()
	for _, noURL := range []bool{false, true} {
		t.Run(fmt.Sprint("no webhook URL ", noURL), func(t *testing.T) {
			t.Parallel()
			srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
			t.Cleanup(srv.Close)
			i := slices.IndexFunc(fx.Members, func(m clockifytest.Member) bool { return !m.Admin && m.APIKey != "" })
			require.GreaterOrEqual(t, i, 0, "the fixture has a member with a key who is not an admin")
			me := fx.Members[i].User

			src := fakeSource(srv, fx.Members[i].APIKey, fx)
			if noURL {
				src.fake = nil // the real Clockify's path: no webhook URL
			}
			var out bytes.Buffer
			require.NoError(t, syncAndReport(t.Context(), &out, src, filepath.Join(t.TempDir(), "q.db")))
			s := out.String()
			require.Contains(t, s, me.Name+" is not an admin of this workspace")
			missing := "(Only workspace admins may register webhooks, so none delivers the 10 events; the hourly reconcile covers them.)"
			if noURL {
				require.NotContains(t, s, missing)
			} else {
				require.Contains(t, s, missing)
			}
			require.Regexp(t, regexp.MustCompile(`\n\d+ entries, [\d.]+ hours tracked by 1 members on 6 projects\n`), s)
			for _, m := range fx.Members {
				if m.User.ID != me.ID {
					require.NotContains(t, s, m.User.Name, "no one else's entries")
				}
			}
		})
	}
}

// TestDefaultRateReadsClockifyHundredths: Clockify writes 3,000 JPY as 300000 and
// 105.000 KWD as 10500; the rate holds them in the currencies' own minor units.
func TestDefaultRateReadsClockifyHundredths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		conn clockifysync.Connection
		want string
	}{
		{clockifysync.Connection{HourlyRate: 300000, Currency: "JPY"}, "3,000 JPY"},
		{clockifysync.Connection{HourlyRate: 10500, Currency: "KWD"}, "105.000 KWD"},
		{clockifysync.Connection{}, "150.00 AUD"},
	} {
		m, err := defaultRate(tc.conn)
		require.NoError(t, err)
		require.Equal(t, tc.want, m.String())
	}
}

// TestBreaksAreNotWork: a break is listed but counts nowhere, even when its description
// names a pull request.
func TestBreaksAreNotWork(t *testing.T) {
	t.Parallel()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
	t.Cleanup(srv.Close)
	client, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	end := time.Now().Add(-time.Hour)
	_, _, err = client.TimeEntries.Create(t.Context(), fx.Workspace.ID, &clockify.TimeEntryRequest{
		Start: end.Add(-time.Hour), End: &end, Type: clockify.TimeEntryBreak,
		ProjectID: fx.Projects[0].ID, Description: "#4242 lunch while CI runs",
	})
	require.NoError(t, err)

	s := quickstartOn(t, srv, fx.OwnerKey, fx)
	require.Regexp(t, regexp.MustCompile(`1h0m0s \(break\) +\S+ +#4242 lunch while CI runs\n`), s, "the break is listed")
	require.Contains(t, s, "(breaks, holidays and time off, listed but left out of every figure: 1)")
	require.NotRegexp(t, regexp.MustCompile(`/[a-z-]+#4242\b`), s, "no PR is credited with the break")
}

// TestLimitedUsersAreCounted: a limited user has no login, and Clockify lists them only
// when asked; an admin tracks their time, and it counts like anyone's.
func TestLimitedUsersAreCounted(t *testing.T) {
	t.Parallel()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
	t.Cleanup(srv.Close)
	u := srv.AddMember(fx.Workspace.ID, clockifytest.Member{User: clockify.User{Name: "Lina Limited", Status: clockify.AccountLimited}})
	end := time.Now().Add(-time.Hour)
	_, err := srv.AddTimeEntry(fx.Workspace.ID, clockify.TimeEntry{UserID: u.ID, ProjectID: fx.Projects[0].ID,
		Description: "#4243 kiosk shift", TimeInterval: clockify.TimeInterval{Start: end.Add(-time.Hour), End: &end}})
	require.NoError(t, err)

	s := quickstartOn(t, srv, fx.OwnerKey, fx)
	require.Regexp(t, regexp.MustCompile(`\nLina Limited +\w{3} \d\d \w{3} \d\d:\d\d +1h0m0s +\S+ +#4243 kiosk shift\n`), s)
	require.Regexp(t, regexp.MustCompile(`\n\d+ entries, [\d.]+ hours tracked by 6 members on 6 projects\n`), s)
}

// TestDeactivatedMembers: a member deactivated within the 30 days still has entries that
// count; should Clockify refuse to list them, the report says so and goes on. Those
// invited who never joined are not listed.
func TestDeactivatedMembers(t *testing.T) {
	t.Parallel()
	srv, fx := clockifytest.NewGeneratedServer(clockifytest.GenerateOptions{Seed: 42})
	t.Cleanup(srv.Close)
	ws := fx.Workspace.ID
	gone := srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Gus Gone", Email: "gus@acme.dev"}, Status: clockify.MemberInactive})
	srv.AddMember(ws, clockifytest.Member{User: clockify.User{Name: "Ivy Invited", Email: "ivy@acme.dev"}, Status: clockify.MemberPending})
	end := time.Now().Add(-72 * time.Hour)
	_, err := srv.AddTimeEntry(ws, clockify.TimeEntry{UserID: gone.ID, ProjectID: fx.Projects[0].ID,
		Description: "#4244 handover", TimeInterval: clockify.TimeInterval{Start: end.Add(-time.Hour), End: &end}})
	require.NoError(t, err)

	// In front of the fake, a server that answers as Clockify would if it refused the
	// deactivated member's entries.
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	fake := httputil.NewSingleHostReverseProxy(target)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/user/"+gone.ID+"/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"Access Denied","code":501}`)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(refusing.Close)

	for _, tc := range []struct {
		name, base string
		listed     bool
	}{
		{"listed", srv.URL, true},
		{"refused", refusing.URL, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := quickstartOn(t, srv, fx.OwnerKey, fx, clockify.WithBaseURL(tc.base+"/api/"))
			require.Contains(t, s, "\nGus Gone (deactivated) ")
			require.NotContains(t, s, "Ivy Invited", "never joined")
			require.Regexp(t, `\n\d+ entries, [\d.]+ hours tracked by 6 members on 6 projects\n`, s)
			if tc.listed {
				require.Regexp(t, `\nGus Gone +\w{3} \d\d \w{3} \d\d:\d\d +1h0m0s +\S+ +#4244 handover\n`, s)
				require.NotContains(t, s, "would not list")
			} else {
				require.NotContains(t, s, "#4244")
				require.Contains(t, s, "(Clockify would not list the entries of these deactivated members: Gus Gone; its detailed report holds them)")
			}
		})
	}
}
