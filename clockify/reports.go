package clockify

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// ReportsService runs reports on Clockify's reports host.
type ReportsService service

// DetailedReportRequest selects the entries of a detailed report: every member's entries
// whose start lies in [Start, End].
type DetailedReportRequest struct {
	Start    time.Time
	End      time.Time
	Users    []string // user ids; empty means everyone
	Projects []string // project ids; empty means every project
	Billable *bool
	// TimeZone is the IANA zone the report is made in (UTC when empty): Clockify renders
	// its timestamps with that zone's offset. Start and End are instants either way:
	// Clockify reads the range as wall-clock time in the report's zone, so the client
	// sends their wall-clock time there. (In the hour a zone repeats when its clocks go
	// back, that wall-clock time names two instants, and Clockify picks one.)
	TimeZone string
	// Page is 1-based; PageSize defaults to 1000.
	Page     int
	PageSize int
}

// reportTimeLayout is how a report's range is written: the wall-clock time in the
// report's zone, with the "Z" of Clockify's examples, which Clockify does not read.
const reportTimeLayout = "2006-01-02T15:04:05.000Z"

func (r *DetailedReportRequest) body() (any, error) {
	if r == nil || r.Start.IsZero() || r.End.IsZero() {
		return nil, &ArgumentError{Field: "Start/End", Reason: "are required"}
	}
	if r.End.Before(r.Start) {
		return nil, &ArgumentError{Field: "End", Reason: "is before Start"}
	}
	if r.Page < 0 || r.PageSize < 0 {
		return nil, &ArgumentError{Field: "Page/PageSize", Reason: "must not be negative"}
	}
	zone := cmp.Or(r.TimeZone, "UTC")
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return nil, &ArgumentError{Field: "TimeZone", Reason: "must be an IANA time zone name that this program's time zone database holds (import time/tzdata to embed one)"}
	}
	type idFilter struct {
		IDs      []string `json:"ids"`
		Contains string   `json:"contains"`
		Status   string   `json:"status"`
	}
	type detailed struct {
		Page       int    `json:"page"`
		PageSize   int    `json:"pageSize"`
		SortColumn string `json:"sortColumn"`
	}
	w := struct {
		Start    string    `json:"dateRangeStart"`
		End      string    `json:"dateRangeEnd"`
		Filter   detailed  `json:"detailedFilter"`
		Users    *idFilter `json:"users,omitempty"`
		Projects *idFilter `json:"projects,omitempty"`
		Billable *bool     `json:"billable,omitempty"`
		TimeZone string    `json:"timeZone"`
	}{
		Start:    r.Start.In(loc).Format(reportTimeLayout),
		End:      r.End.In(loc).Format(reportTimeLayout),
		Filter:   detailed{Page: max(r.Page, 1), PageSize: r.PageSize, SortColumn: "DATE"},
		Billable: r.Billable,
		TimeZone: zone,
	}
	if w.Filter.PageSize == 0 {
		w.Filter.PageSize = DefaultPageSize
	}
	if len(r.Users) > 0 {
		w.Users = &idFilter{IDs: r.Users, Contains: "CONTAINS", Status: "ALL"}
	}
	if len(r.Projects) > 0 {
		w.Projects = &idFilter{IDs: r.Projects, Contains: "CONTAINS", Status: "ALL"}
	}
	return w, nil
}

// DetailedReport is one page of a detailed report.
type DetailedReport struct {
	Totals  []ReportTotal
	Entries []ReportEntry
}

// UnmarshalJSON accepts the entries under "timeentries" (what Clockify sends live) or
// "timeEntries" (what its schema says).
func (d *DetailedReport) UnmarshalJSON(b []byte) error {
	// encoding/json matches keys case-insensitively, so read the two spellings apart.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var out DetailedReport
	if t, ok := raw["totals"]; ok {
		if err := json.Unmarshal(t, &out.Totals); err != nil {
			return err
		}
	}
	entries, ok := raw["timeentries"]
	if !ok {
		entries, ok = raw["timeEntries"]
	}
	if ok {
		if err := json.Unmarshal(entries, &out.Entries); err != nil {
			return err
		}
	}
	*d = out
	return nil
}

// ReportTotal is the report's summary line.
type ReportTotal struct {
	ID                string `json:"id"`
	TotalTime         int64  `json:"totalTime"` // seconds
	TotalBillableTime int64  `json:"totalBillableTime"`
	EntriesCount      int    `json:"entriesCount"`
}

// ReportEntry is one time entry of a detailed report. Its duration is in whole seconds,
// unlike the core API's ISO-8601. Clockify's description of a report entry names no type:
// should a report hold breaks, holidays or time off, nothing here tells them from work.
// The per-user entry lists do ([TimeEntry.IsWork]).
type ReportEntry struct {
	ID           string         `json:"_id"`
	Description  string         `json:"description"`
	UserID       string         `json:"userId"`
	UserName     string         `json:"userName"`
	UserEmail    string         `json:"userEmail"`
	ProjectID    string         `json:"projectId"`
	ProjectName  string         `json:"projectName"`
	ClientName   string         `json:"clientName"`
	TaskID       string         `json:"taskId"`
	Billable     bool           `json:"billable"`
	Tags         []Tag          `json:"tags"`
	TimeInterval ReportInterval `json:"timeInterval"`
}

// ReportInterval is a report entry's time span; End is nil for a running timer.
type ReportInterval struct {
	Start    time.Time  `json:"start"`
	End      *time.Time `json:"end"`
	Duration int64      `json:"duration"` // seconds
}

// Detailed returns one page of the detailed report: every member's entries at once.
// The call is a POST that only reads, so it is retried like a GET.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/reports/detailed (reports host)
// https://docs.clockify.me/#tag/Time-Entry-Report/operation/generateDetailedReport
func (s *ReportsService) Detailed(ctx context.Context, workspaceID string, req *DetailedReportRequest) (*DetailedReport, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	body, err := req.body()
	if err != nil {
		return nil, nil, err
	}
	r := new(DetailedReport)
	resp, err := s.client.sendIdempotent(ctx, s.client.reportsURL, http.MethodPost, pathf("v1/workspaces/%s/reports/detailed", workspaceID), body, r)
	if err != nil {
		return nil, resp, err
	}
	return r, resp, nil
}

// DetailedAll iterates over every entry of the detailed report, one page at a time. The
// report sends no Last-Page header; where its totals count the entries, the iteration
// ends when that many have come (so a server serving smaller pages than asked for loses
// nothing), and otherwise at a short page.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/reports/detailed (reports host)
// https://docs.clockify.me/#tag/Time-Entry-Report/operation/generateDetailedReport
func (s *ReportsService) DetailedAll(ctx context.Context, workspaceID string, req *DetailedReportRequest) iter.Seq2[ReportEntry, error] {
	r := DetailedReportRequest{}
	if req != nil {
		r = *req
	}
	return func(yield func(ReportEntry, error) bool) {
		seen := 0
		fetch := func(ctx context.Context, lo ListOptions) ([]ReportEntry, *Response, error) {
			page := r
			page.Page, page.PageSize = lo.Page, lo.PageSize
			rep, resp, err := s.Detailed(ctx, workspaceID, &page)
			if err != nil {
				return nil, resp, err
			}
			seen += len(rep.Entries)
			if len(rep.Totals) > 0 && resp != nil {
				resp.LastPage, resp.lastPageSent = seen >= rep.Totals[0].EntriesCount, true
			}
			return rep.Entries, resp, nil
		}
		paginate(ctx, ListOptions{Page: r.Page, PageSize: r.PageSize}, MaxPageSize, fetch)(yield)
	}
}
