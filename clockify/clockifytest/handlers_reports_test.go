package clockifytest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/clockify"
	"github.com/heyjasper/jasper-clockify/clockify/clockifytest"
)

// TestReportRangeIsReadInTheReportsZone sends raw report requests: the range is
// wall-clock time in the request's zone, or the user's own zone when it names none.
func TestReportRangeIsReadInTheReportsZone(t *testing.T) {
	srv, fx := newServer(t)
	wsID := fx.Workspace.ID
	sydney := srv.AddMember(wsID, clockifytest.Member{User: clockify.User{Name: "Sydney Admin", Settings: &clockify.UserSettings{TimeZone: "Australia/Sydney"}}, APIKey: "sydney-key", Admin: true})
	// 09:30 in Sydney on 2 March 2026 (UTC+11) is 22:30 UTC on 1 March.
	e, err := srv.AddTimeEntry(wsID, clockify.TimeEntry{UserID: sydney.ID, Description: "zoned", TimeInterval: clockify.TimeInterval{
		Start: time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC), End: new(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC))}})
	require.NoError(t, err)

	u := srv.ReportsURL() + "v1/workspaces/" + wsID + "/reports/detailed"
	report := func(key, zone string) (int, []string, []byte) {
		t.Helper()
		body := `{"dateRangeStart":"2026-03-02T00:00:00.000Z","dateRangeEnd":"2026-03-02T23:59:59.999Z","detailedFilter":{"page":1,"pageSize":50}` + zone + `}`
		status, _, _, raw := call(t, "POST", u, map[string]string{"X-Api-Key": key}, body)
		var rep struct {
			Entries []struct {
				ID           string `json:"_id"`
				TimeInterval struct {
					Start string `json:"start"`
				} `json:"timeInterval"`
			} `json:"timeentries"`
		}
		_ = json.Unmarshal(raw, &rep)
		var starts []string
		for _, r := range rep.Entries {
			if r.ID == e.ID {
				starts = append(starts, r.TimeInterval.Start)
			}
		}
		return status, starts, raw
	}
	for _, tc := range []struct {
		name, key, zone string
		status          int
		starts          []string
	}{
		{"the 2nd in Sydney, named", fx.OwnerKey, `,"timeZone":"Australia/Sydney"`, 200, []string{"2026-03-02T09:30:00+11:00"}},
		{"the 2nd in Sydney, the user's zone", "sydney-key", ``, 200, []string{"2026-03-02T09:30:00+11:00"}},
		{"the 2nd in UTC, named", "sydney-key", `,"timeZone":"UTC"`, 200, nil},
		{"the 2nd in UTC, the user's zone", fx.OwnerKey, ``, 200, nil},
		{"an unknown zone", fx.OwnerKey, `,"timeZone":"Mars/Olympus_Mons"`, 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, starts, raw := report(tc.key, tc.zone)
			require.Equal(t, tc.status, status, string(raw))
			require.Equal(t, tc.starts, starts)
		})
	}
}

// TestReportFilters: a detailed report keeps the entries of the users, projects and
// billable flag asked for, names their users and projects, and totals what it kept.
func TestReportFilters(t *testing.T) {
	srv, fx := newServer(t)
	c, err := srv.NewClient(fx.OwnerKey)
	require.NoError(t, err)
	from, to := now.AddDate(0, 0, -60), now
	member, project := fx.Members[1].User, fx.Projects[0]
	cases := []struct {
		name string
		req  clockify.DetailedReportRequest
		keep func(e clockify.TimeEntry) bool
	}{
		{"user", clockify.DetailedReportRequest{Users: []string{member.ID}}, func(e clockify.TimeEntry) bool { return e.UserID == member.ID }},
		{"project", clockify.DetailedReportRequest{Projects: []string{project.ID}}, func(e clockify.TimeEntry) bool { return e.ProjectID == project.ID }},
		{"billable", clockify.DetailedReportRequest{Billable: new(true)}, func(e clockify.TimeEntry) bool { return e.Billable }},
		{"not billable", clockify.DetailedReportRequest{Billable: new(false)}, func(e clockify.TimeEntry) bool { return !e.Billable }},
		{"user and project", clockify.DetailedReportRequest{Users: []string{member.ID}, Projects: []string{project.ID}},
			func(e clockify.TimeEntry) bool { return e.UserID == member.ID && e.ProjectID == project.ID }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			var total, billable int64
			for _, e := range fx.Entries {
				if tc.keep(e) {
					want = append(want, e.ID)
					if e.TimeInterval.End != nil {
						d := int64(e.TimeInterval.End.Sub(e.TimeInterval.Start) / time.Second)
						total += d
						if e.Billable {
							billable += d
						}
					}
				}
			}
			require.NotEmpty(t, want)
			require.Less(t, len(want), len(fx.Entries), "the filter leaves some out")
			req := tc.req
			req.Start, req.End, req.PageSize = from, to, 5000
			rep, _, err := c.Reports.Detailed(t.Context(), fx.Workspace.ID, &req)
			require.NoError(t, err)
			var got []string
			for _, e := range rep.Entries {
				got = append(got, e.ID)
				require.NotEmpty(t, e.UserName)
				require.NotEmpty(t, e.UserEmail)
				require.Equal(t, e.ProjectID != "", e.ProjectName != "")
			}
			require.ElementsMatch(t, want, got)
			require.Equal(t, []clockify.ReportTotal{{ID: rep.Totals[0].ID, TotalTime: total, TotalBillableTime: billable, EntriesCount: len(want)}}, rep.Totals)
		})
	}
	// A page size of 0 (or none) is Clockify's default, 50; page 0 is page 1; an empty
	// list of users or projects filters nothing.
	require.Greater(t, len(fx.Entries), 50)
	count := func(filter string) int {
		t.Helper()
		status, _, _, raw := call(t, "POST", srv.ReportsURL()+"v1/workspaces/"+fx.Workspace.ID+"/reports/detailed", map[string]string{"X-Api-Key": fx.OwnerKey},
			`{"dateRangeStart":"`+from.Format(time.RFC3339)+`","dateRangeEnd":"`+to.Format(time.RFC3339)+`",`+filter+`}`)
		require.Equal(t, 200, status, string(raw))
		var page struct{ TimeEntries []json.RawMessage }
		require.NoError(t, json.Unmarshal(raw, &page))
		return len(page.TimeEntries)
	}
	require.Equal(t, 50, count(`"detailedFilter":{"page":1,"pageSize":0}`))
	require.Equal(t, 1, count(`"detailedFilter":{"page":1,"pageSize":1}`))
	require.Equal(t, 2, count(`"detailedFilter":{"page":0,"pageSize":2}`))
	require.Equal(t, len(fx.Entries), count(`"detailedFilter":{"page":1,"pageSize":5000},"users":{"ids":[]},"projects":{"ids":[]}`))
}
