package clockify

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// pagedUsers serves total users in pages, recording the pages asked for. With lastPage it
// sends the Last-Page header.
func pagedUsers(mt *httpmock.MockTransport, total int, lastPage bool, pages *[]string) {
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/users", func(r *http.Request) (*http.Response, error) {
		q := r.URL.Query()
		*pages = append(*pages, q.Get("page")+"/"+q.Get("page-size"))
		page, _ := strconv.Atoi(q.Get("page"))
		size, _ := strconv.Atoi(q.Get("page-size"))
		var items []string
		for i := (page - 1) * size; i < min(page*size, total); i++ {
			items = append(items, fmt.Sprintf(`{"id":"u%d"}`, i))
		}
		resp := httpmock.NewStringResponse(200, "["+strings.Join(items, ",")+"]")
		if lastPage {
			resp.Header.Set("Last-Page", strconv.FormatBool(page*size >= total))
		}
		return resp, nil
	})
}

func TestIteratorPaging(t *testing.T) {
	cases := []struct {
		name      string
		total     int
		size      int
		lastPage  bool
		wantPages []string
	}{
		{"short last page", 5, 2, false, []string{"1/2", "2/2", "3/2"}},
		{"exactly full without header costs one empty page", 4, 2, false, []string{"1/2", "2/2", "3/2"}},
		{"exactly full with Last-Page stops at once", 4, 2, true, []string{"1/2", "2/2"}},
		{"empty", 0, 2, true, []string{"1/2"}},
		{"default page size", 3, 0, false, []string{"1/1000"}},
		{"one at a time", 2, 1, true, []string{"1/1", "2/1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			var pages []string
			pagedUsers(mt, tc.total, tc.lastPage, &pages)
			seq := c.Users.All(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: tc.size}})
			require.Zero(t, mt.GetTotalCallCount(), "nothing is fetched before ranging")
			var ids []string
			for u, err := range seq {
				require.NoError(t, err)
				ids = append(ids, u.ID)
			}
			require.Len(t, ids, tc.total)
			require.Equal(t, tc.wantPages, pages)
		})
	}
}

// TestPageRoom checks that a page is decoded into room for the page asked for, and that a
// page filling less than half of it comes back in a slice of its own length.
func TestPageRoom(t *testing.T) {
	cases := []struct {
		name             string
		total, size      int
		wantLen, wantCap int
	}{
		{"full page", 500, 500, 500, 500},
		{"half full keeps its room", 250, 500, 250, 500},
		{"short page fitted", 249, 500, 249, 249},
		{"Clockify's default size", 30, 0, 30, 50},
		{"empty", 0, 500, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			size := cmp.Or(tc.size, clockifyPageSize) // Clockify's page when none is asked for
			mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/users", func(*http.Request) (*http.Response, error) {
				items := make([]string, min(tc.total, size))
				for i := range items {
					items[i] = fmt.Sprintf(`{"id":"u%d"}`, i)
				}
				return httpmock.NewStringResponse(200, "["+strings.Join(items, ",")+"]"), nil
			})
			users, _, err := c.Users.List(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: tc.size}})
			require.NoError(t, err)
			require.Len(t, users, tc.wantLen)
			require.Equal(t, tc.wantCap, cap(users))
			require.NotNil(t, users, "an empty page is an empty list, as before")
			if tc.wantLen > 0 {
				require.Equal(t, "u0", users[0].ID)
				require.Equal(t, fmt.Sprintf("u%d", tc.wantLen-1), users[tc.wantLen-1].ID)
			}
		})
	}
}

func TestIteratorTrustsLastPageOverAShortPage(t *testing.T) {
	// A server that serves fewer items than asked for, but says more follow: stopping at
	// the short page would drop the rest without a word.
	c, mt := newMockClient(t)
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/users", sequence(t,
		status(200, `[{"id":"u1"},{"id":"u2"}]`, "Last-Page", "false"),
		status(200, `[{"id":"u3"}]`, "Last-Page", "false"),
		status(200, `[]`, "Last-Page", "false"),
	))
	var ids []string
	for u, err := range c.Users.All(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: 5}}) {
		require.NoError(t, err)
		ids = append(ids, u.ID)
	}
	require.Equal(t, []string{"u1", "u2", "u3"}, ids)
	require.Equal(t, 3, mt.GetTotalCallCount(), "an empty page ends the list whatever its header says")
}

func TestIteratorReadsOnlyTrueOrFalseInLastPage(t *testing.T) {
	// The first page holds one item. Any value but true or false is read as no header, so
	// a short page (asked for 2) ends the list.
	cases := []struct {
		value    string
		size     int
		requests int
	}{
		{"True", 1, 1},    // a full page, ended by the header alone
		{" FALSE ", 2, 2}, // the short page is followed, and the empty one ends the list
		{"1", 2, 1},
		{"yes", 2, 1},
		{".\xf5\b[w", 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			c, mt := newMockClient(t)
			mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/users", sequence(t,
				status(200, `[{"id":"u1"}]`, "Last-Page", tc.value), status(200, `[]`, "Last-Page", tc.value)))
			n := 0
			for _, err := range c.Users.All(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: tc.size}}) {
				require.NoError(t, err)
				n++
			}
			require.Equal(t, 1, n)
			require.Equal(t, tc.requests, mt.GetTotalCallCount())
		})
	}
}

func TestIteratorStopsAtARepeatedPage(t *testing.T) {
	// A server, or a cache in front of it, that ignores the page parameter answers every
	// request with the first page: following it would never end.
	two := `[{"id":"u1"},{"id":"u2"}]`
	cases := []struct {
		name string
		body string
		size int
		hdr  []string
		want []string
	}{
		{"full pages without a header", two, 2, nil, []string{"u1", "u2"}},
		{"short pages marked Last-Page: false", two, 5, []string{"Last-Page", "false"}, []string{"u1", "u2"}},
		{"one item a page", `[{"id":"u1"}]`, 1, []string{"Last-Page", "false"}, []string{"u1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMockClient(t)
			page := status(200, tc.body, tc.hdr...)
			mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/users", sequence(t, page, page))
			var ids []string
			var errs []error
			for u, err := range c.Users.All(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: tc.size}}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, u.ID)
			}
			require.Equal(t, tc.want, ids, "the repeated items are not yielded again")
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], ErrRepeatedPage)
			require.ErrorContains(t, errs[0], "page 2 repeats page 1")
			require.Equal(t, 2, mt.GetTotalCallCount())
		})
	}

	t.Run("report whose totals promise more", func(t *testing.T) {
		c, mt := newMockClient(t)
		page := status(200, `{"totals":[{"entriesCount":1000000}],"timeentries":[{"_id":"e1"},{"_id":"e2"}]}`)
		mt.RegisterResponder("POST", repBase+"v1/workspaces/"+ws+"/reports/detailed", sequence(t, page, page))
		var errs []error
		for _, err := range c.Reports.DetailedAll(context.Background(), ws, &DetailedReportRequest{Start: timeAt(0), End: timeAt(1), PageSize: 2}) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], ErrRepeatedPage)
		require.Equal(t, 2, mt.GetTotalCallCount())
	})
}

func TestReportIterationCountsTheTotals(t *testing.T) {
	// The report sends no Last-Page header; its totals say how many entries there are, so
	// pages smaller than asked for do not end the iteration early.
	c, mt := newMockClient(t)
	page := func(ids ...string) httpmock.Responder {
		rows := make([]string, len(ids))
		for i, id := range ids {
			rows[i] = `{"_id":"` + id + `"}`
		}
		return status(200, `{"totals":[{"entriesCount":5}],"timeentries":[`+strings.Join(rows, ",")+`]}`)
	}
	mt.RegisterResponder("POST", repBase+"v1/workspaces/"+ws+"/reports/detailed", sequence(t,
		page("e1", "e2"), page("e3", "e4"), page("e5")))
	var ids []string
	for e, err := range c.Reports.DetailedAll(context.Background(), ws, &DetailedReportRequest{Start: timeAt(0), End: timeAt(1), PageSize: 4}) {
		require.NoError(t, err)
		ids = append(ids, e.ID)
	}
	require.Equal(t, []string{"e1", "e2", "e3", "e4", "e5"}, ids)
	require.Equal(t, 3, mt.GetTotalCallCount(), "no request after the counted last entry")
}

func TestIteratorStopsWhenConsumerStops(t *testing.T) {
	c, mt := newMockClient(t)
	var pages []string
	pagedUsers(mt, 100, true, &pages)
	n := 0
	for _, err := range c.Users.All(context.Background(), ws, &UserListOptions{ListOptions: ListOptions{PageSize: 10}}) {
		require.NoError(t, err)
		n++
		if n == 15 {
			break
		}
	}
	require.Equal(t, []string{"1/10", "2/10"}, pages)
}

func TestIteratorYieldsErrorOnce(t *testing.T) {
	c, mt := newMockClient(t)
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/projects", sequence(t,
		status(200, `[{"id":"p1"},{"id":"p2"}]`),
		status(403, `{"message":"Access Denied","code":501}`)))
	var got []string
	var errs []error
	for p, err := range c.Projects.All(context.Background(), ws, &ProjectListOptions{ListOptions: ListOptions{PageSize: 2}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, p.ID)
	}
	require.Equal(t, []string{"p1", "p2"}, got)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrForbidden)
}

func TestOtherIterators(t *testing.T) {
	c, mt := newMockClient(t)
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/user/u1/time-entries", status(200, `[{"id":"e1"}]`, "Last-Page", "true"))
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/time-entries/status/in-progress", status(200, `[{"id":"e2"}]`))
	mt.RegisterResponder("POST", repBase+"v1/workspaces/"+ws+"/reports/detailed", status(200, `{"timeentries":[{"_id":"e3"}]}`))
	count := func(n int, err error) int { require.NoError(t, err); return n }
	n := 0
	for _, err := range c.TimeEntries.All(context.Background(), ws, "u1", nil) {
		n = count(n+1, err)
	}
	for _, err := range c.TimeEntries.AllInProgress(context.Background(), ws, nil) {
		n = count(n+1, err)
	}
	// Options given are used (the page size here), and the caller's value is not changed.
	mt.RegisterResponder("GET", coreBase+"v1/workspaces/"+ws+"/time-entries/status/in-progress?page=1&page-size=2", status(200, `[{"id":"e4"}]`))
	opts := &ListOptions{PageSize: 2}
	for e, err := range c.TimeEntries.AllInProgress(context.Background(), ws, opts) {
		require.NoError(t, err)
		require.Equal(t, "e4", e.ID)
	}
	require.Equal(t, ListOptions{PageSize: 2}, *opts)
	for _, err := range c.Reports.DetailedAll(context.Background(), ws, &DetailedReportRequest{Start: timeAt(0), End: timeAt(1)}) {
		n = count(n+1, err)
	}
	for _, err := range c.Reports.DetailedAll(context.Background(), ws, nil) {
		var ae *ArgumentError
		require.ErrorAs(t, err, &ae)
	}
	for _, err := range c.Projects.All(context.Background(), "", nil) {
		require.Error(t, err)
	}
	require.Equal(t, 3, n)
	require.Equal(t, 4, mt.GetTotalCallCount())
}

func timeAt(h int) time.Time { return time.Date(2026, 11, 2, h, 0, 0, 0, time.UTC) }
