package clockifytest

import (
	"net/http"
	"time"

	"github.com/heyjasper/jasper-clockify/clockify"
)

func (s *Server) detailedReport(w http.ResponseWriter, r *http.Request, p params, uid string) {
	var in struct {
		Start  *time.Time `json:"dateRangeStart"`
		End    *time.Time `json:"dateRangeEnd"`
		Filter *struct {
			Page     int32 `json:"page"` // Java ints: a larger number is a malformed body
			PageSize int32 `json:"pageSize"`
		} `json:"detailedFilter"`
		Users *struct {
			IDs []string `json:"ids"`
		} `json:"users"`
		Projects *struct {
			IDs []string `json:"ids"`
		} `json:"projects"`
		Billable *bool  `json:"billable"`
		TimeZone string `json:"timeZone"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if in.Start == nil || in.End == nil || in.Filter == nil {
		writeError(w, errBadRequest("dateRangeStart, dateRangeEnd and detailedFilter are required"))
		return
	}
	s.mu.Lock()
	zone := in.TimeZone
	if u := s.state.users[uid]; zone == "" && u != nil && u.Settings != nil {
		zone = u.Settings.TimeZone // Clockify's default is the user's zone
	}
	s.mu.Unlock()
	loc, zerr := time.LoadLocation(zone)
	if zerr != nil || zone == "Local" {
		writeError(w, errInvalidField("timeZone"))
		return
	}
	// Clockify reads the range as wall-clock time in the report's zone, whatever offset
	// the strings carry.
	start, end := wallClockIn(*in.Start, loc), wallClockIn(*in.End, loc)
	page, size := max(int(in.Filter.Page), 1), int(in.Filter.PageSize)
	if size <= 0 {
		size = 50
	}
	set := func(ids []string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	var users, projects map[string]bool
	if in.Users != nil && len(in.Users.IDs) > 0 {
		users = set(in.Users.IDs)
	}
	if in.Projects != nil && len(in.Projects.IDs) > 0 {
		projects = set(in.Projects.IDs)
	}
	s.mu.Lock()
	ws, err := s.state.adminAccess(uid, p["ws"])
	var rows []clockify.ReportEntry
	var total, billable int64
	if err == nil {
		for _, e := range ws.sortedEntries(func(e *clockify.TimeEntry) bool {
			st := e.TimeInterval.Start
			return !st.Before(start) && !st.After(end) &&
				(users == nil || users[e.UserID]) && (projects == nil || projects[e.ProjectID]) &&
				(in.Billable == nil || *in.Billable == e.Billable)
		}) {
			h := s.state.hydrate(ws, e)
			row := clockify.ReportEntry{ID: e.ID, Description: e.Description, UserID: e.UserID, ProjectID: e.ProjectID, Billable: e.Billable, Tags: h.Tags}
			if h.User != nil {
				row.UserName = h.User.Name
				row.UserEmail = s.state.users[e.UserID].Email
			}
			if h.Project != nil {
				row.ProjectName = h.Project.Name
			}
			// Times are rendered in the report's zone, with its offset.
			row.TimeInterval.Start = e.TimeInterval.Start.In(loc)
			if end := e.TimeInterval.End; end != nil {
				row.TimeInterval.End = new(end.In(loc))
				row.TimeInterval.Duration = int64(end.Sub(e.TimeInterval.Start) / time.Second)
			}
			total += row.TimeInterval.Duration
			if e.Billable {
				billable += row.TimeInterval.Duration
			}
			rows = append(rows, row)
		}
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	from, to := pageSpan(len(rows), page, size)
	writeJSON(w, http.StatusOK, map[string]any{
		"totals":      []map[string]any{{"id": "", "totalTime": total, "totalBillableTime": billable, "entriesCount": len(rows)}},
		"timeentries": append([]clockify.ReportEntry{}, rows[from:to]...),
	})
}

// wallClockIn returns the instant that t's wall-clock time names in loc.
func wallClockIn(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}
