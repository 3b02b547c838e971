package clockify

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"
)

// TimeEntriesService reads and writes time entries.
type TimeEntriesService service

// TimeEntry is a Clockify time entry (TimeEntryWithRatesDtoV1). With hydrated=true, and
// in webhook deliveries, it also carries its Project, Task, User and Tags.
type TimeEntry struct {
	ID                string             `json:"id"`
	Description       string             `json:"description"`
	UserID            string             `json:"userId"`
	WorkspaceID       string             `json:"workspaceId"`
	ProjectID         string             `json:"projectId,omitempty"`
	TaskID            string             `json:"taskId,omitempty"`
	KioskID           string             `json:"kioskId,omitempty"`
	TagIDs            []string           `json:"tagIds"`
	Billable          bool               `json:"billable"`
	IsLocked          bool               `json:"isLocked"`
	Type              TimeEntryType      `json:"type,omitempty"`
	TimeInterval      TimeInterval       `json:"timeInterval"`
	HourlyRate        *Rate              `json:"hourlyRate"`
	CostRate          *Rate              `json:"costRate"`
	CustomFieldValues []CustomFieldValue `json:"customFieldValues,omitempty"`

	// Hydrated fields.
	Project *Project `json:"project,omitempty"`
	Task    *Task    `json:"task,omitempty"`
	User    *User    `json:"user,omitempty"`
	Tags    []Tag    `json:"tags,omitempty"`
}

// Running reports whether the entry is a timer still running.
func (e *TimeEntry) Running() bool { return e.TimeInterval.End == nil }

// IsWork reports whether the entry records work: a REGULAR entry, or one with no type
// (Clockify's sample webhook deliveries carry none), but not a break, a holiday or time
// off. Time per pull request, billable hours and trends should count only work.
func (e *TimeEntry) IsWork() bool { return e.Type == "" || e.Type == TimeEntryRegular }

// TimeEntryType says what a time entry records.
type TimeEntryType string

// Time entry types. Clockify itself creates the HOLIDAY and TIME_OFF entries, from the
// workspace's holidays and approved time off; an entry created through the API is
// REGULAR or BREAK.
const (
	TimeEntryRegular TimeEntryType = "REGULAR"
	TimeEntryBreak   TimeEntryType = "BREAK"
	TimeEntryHoliday TimeEntryType = "HOLIDAY"
	TimeEntryTimeOff TimeEntryType = "TIME_OFF"
)

// CustomFieldValue is the value of a custom field on an entry.
type CustomFieldValue struct {
	CustomFieldID string          `json:"customFieldId"`
	TimeEntryID   string          `json:"timeEntryId,omitempty"`
	Name          string          `json:"name,omitempty"`
	Type          string          `json:"type,omitempty"`
	Value         json.RawMessage `json:"value,omitempty"`
}

// TimeInterval is when an entry ran. End and Duration are nil while the timer runs.
// Times are in UTC.
type TimeInterval struct {
	Start    time.Time  `json:"start"`
	End      *time.Time `json:"end"`
	Duration *Duration  `json:"duration"`
}

// UnmarshalJSON decodes an interval and puts its times in UTC.
func (t *TimeInterval) UnmarshalJSON(b []byte) error {
	v, ok := readInterval(b)
	if !ok {
		var err error
		if v, err = unmarshalInterval(b); err != nil {
			return err
		}
	}
	*t = v
	return nil
}

// unmarshalInterval decodes any JSON interval with encoding/json.
func unmarshalInterval(b []byte) (TimeInterval, error) {
	type plain TimeInterval
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return TimeInterval{}, err
	}
	v.Start = v.Start.UTC()
	if v.End != nil {
		end := v.End.UTC()
		v.End = &end
	}
	return TimeInterval(v), nil
}

// readInterval decodes an interval written as Clockify writes it,
// {"start":"...","end":"..."|null,"duration":"..."|null} with no spaces and no escapes,
// to the same value as unmarshalInterval: each value goes to the method encoding/json
// would call. Going through encoding/json again for every entry took a sixth to a fifth
// of a page's decoding time, and six allocations per entry (see BENCHMARKS.md). ok is
// false for any other shape, and for a value its method rejects: unmarshalInterval then
// decodes it, or reports the error in encoding/json's words.
func readInterval(b []byte) (v TimeInterval, ok bool) {
	start, b, ok := cutField(b, `{"start":`)
	if !ok || start == nil || v.Start.UnmarshalJSON(start) != nil {
		return v, false
	}
	v.Start = v.Start.UTC()
	end, b, ok := cutField(b, `,"end":`)
	if !ok {
		return v, false
	}
	if end != nil {
		var e time.Time
		if e.UnmarshalJSON(end) != nil {
			return v, false
		}
		e = e.UTC()
		v.End = &e
	}
	d, b, ok := cutField(b, `,"duration":`)
	if !ok || string(b) != "}" {
		return v, false
	}
	if d != nil {
		var dur Duration
		if dur.UnmarshalText(d[1:len(d)-1]) != nil {
			return v, false
		}
		v.Duration = &dur
	}
	return v, true
}

// cutField cuts key and then null or a string (printable ASCII, no backslash) from the
// front of b, and returns the string with its quotes (nil for null) and what follows.
func cutField(b []byte, key string) (val, rest []byte, ok bool) {
	if len(b) < len(key) || string(b[:len(key)]) != key {
		return nil, nil, false
	}
	b = b[len(key):]
	if len(b) >= 4 && string(b[:4]) == "null" {
		return nil, b[4:], true
	}
	if len(b) == 0 || b[0] != '"' {
		return nil, nil, false
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return b[:i+1], b[i+1:], true
		case c < ' ' || c > '~' || c == '\\':
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// MarshalJSON encodes the interval as Clockify does (UTC, whole seconds, "Z"). It writes
// the bytes itself, with one allocation where json.Marshal of a struct made about five
// (see BENCHMARKS.md).
func (t TimeInterval) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 80), `{"start":`...)
	b = appendTimeJSON(b, t.Start)
	b = append(b, `,"end":`...)
	if t.End == nil {
		b = append(b, "null"...)
	} else {
		b = appendTimeJSON(b, *t.End)
	}
	b = append(b, `,"duration":`...)
	if t.Duration == nil {
		b = append(b, "null"...)
	} else {
		b = append(t.Duration.appendISO(append(b, '"')), '"')
	}
	return append(b, '}'), nil
}

// appendTimeJSON appends t as formatTime renders it, as a JSON string (its bytes, like a
// Duration's, need no escaping).
func appendTimeJSON(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, timeLayout) // the layout drops fractions of a second
	return append(b, '"')
}

// TimeEntryRequest creates or updates a time entry. A zero Start on create starts a timer
// now; a nil End leaves the timer running.
type TimeEntryRequest struct {
	Start       time.Time
	End         *time.Time
	Billable    *bool
	Description string // up to 3,000 characters, UTF-8
	ProjectID   string
	TaskID      string
	TagIDs      []string
	Type        TimeEntryType // TimeEntryRegular or TimeEntryBreak; empty means TimeEntryRegular
}

// MarshalJSON encodes the request with times as Clockify requires.
func (r TimeEntryRequest) MarshalJSON() ([]byte, error) {
	w := struct {
		Start       string        `json:"start,omitempty"`
		End         string        `json:"end,omitempty"`
		Billable    *bool         `json:"billable,omitempty"`
		Description string        `json:"description,omitempty"`
		ProjectID   string        `json:"projectId,omitempty"`
		TaskID      string        `json:"taskId,omitempty"`
		TagIDs      []string      `json:"tagIds,omitempty"`
		Type        TimeEntryType `json:"type,omitempty"`
	}{Billable: r.Billable, Description: r.Description, ProjectID: r.ProjectID,
		TaskID: r.TaskID, TagIDs: r.TagIDs, Type: r.Type}
	if !r.Start.IsZero() {
		w.Start = formatTime(r.Start)
	}
	if r.End != nil {
		w.End = formatTime(*r.End)
	}
	return json.Marshal(w)
}

// maxEntryDescription is the longest description Clockify's OpenAPI description allows
// an entry.
const maxEntryDescription = 3000

func (r *TimeEntryRequest) validate() error {
	switch {
	case r == nil:
		return &ArgumentError{Field: "request", Reason: "is required"}
	case r.End != nil && !r.Start.IsZero() && r.End.Before(r.Start):
		return &ArgumentError{Field: "End", Reason: "is before Start"}
	case r.Type == TimeEntryHoliday || r.Type == TimeEntryTimeOff:
		// Clockify makes these itself. Another name is sent, as a webhook's unknown event
		// is, so that a type Clockify adds can be used before this client knows it.
		return &ArgumentError{Field: "Type", Reason: "is one Clockify makes itself"}
	case !utf8.ValidString(r.Description): // JSON would carry U+FFFD instead: another text
		return &ArgumentError{Field: "Description", Reason: "must be UTF-8"}
	case utf8.RuneCountInString(r.Description) > maxEntryDescription:
		return &ArgumentError{Field: "Description", Reason: "must be at most 3,000 characters"}
	}
	return nil
}

// TimeEntryListOptions filters a user's time entries. Clockify filters on start time only:
// an entry is listed when Start ≤ its start ≤ End.
type TimeEntryListOptions struct {
	Start time.Time // zero: no lower bound
	End   time.Time // zero: no upper bound
	// Description matches entries whose description contains it.
	Description string
	// Project limits the list to one project, Task to one task.
	Project string
	Task    string
	// ProjectRequired lists only the entries with a project, TaskRequired only those
	// with a task.
	ProjectRequired, TaskRequired bool
	// Hydrated asks for each entry's project, task, user and tags.
	Hydrated bool
	// InProgress: nil lists all, true only the running timer, false only stopped entries.
	InProgress *bool
	ListOptions
}

// List returns one page of a user's time entries.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/user/{userId}/time-entries
// https://docs.clockify.me/#tag/Time-entry/operation/getTimeEntries
func (s *TimeEntriesService) List(ctx context.Context, workspaceID, userID string, opts *TimeEntryListOptions) ([]TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "userID", userID); err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &TimeEntryListOptions{}
	}
	if err := opts.validate(MaxPageSize); err != nil {
		return nil, nil, err
	}
	if !opts.Start.IsZero() && !opts.End.IsZero() && opts.End.Before(opts.Start) {
		return nil, nil, &ArgumentError{Field: "End", Reason: "is before Start"}
	}
	q := url.Values{}
	if !opts.Start.IsZero() {
		q.Set("start", formatTime(opts.Start))
	}
	if !opts.End.IsZero() {
		q.Set("end", formatTime(opts.End))
	}
	if opts.Description != "" {
		q.Set("description", opts.Description)
	}
	if opts.Project != "" {
		q.Set("project", opts.Project)
	}
	if opts.Task != "" {
		q.Set("task", opts.Task)
	}
	if opts.ProjectRequired {
		q.Set("project-required", "true")
	}
	if opts.TaskRequired {
		q.Set("task-required", "true")
	}
	if opts.Hydrated {
		q.Set("hydrated", "true")
	}
	if opts.InProgress != nil {
		q.Set("in-progress", boolString(*opts.InProgress))
	}
	opts.encode(q)
	return getPage[TimeEntry](ctx, s.client, withQuery(pathf("v1/workspaces/%s/user/%s/time-entries", workspaceID, userID), q), opts.ListOptions, clockifyPageSize)
}

// All iterates over every time entry of a user that matches opts, one page (of up to
// 5000) at a time.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/user/{userId}/time-entries
// https://docs.clockify.me/#tag/Time-entry/operation/getTimeEntries
func (s *TimeEntriesService) All(ctx context.Context, workspaceID, userID string, opts *TimeEntryListOptions) iter.Seq2[TimeEntry, error] {
	o := TimeEntryListOptions{}
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.ListOptions, MaxPageSize, func(ctx context.Context, lo ListOptions) ([]TimeEntry, *Response, error) {
		page := o
		page.ListOptions = lo
		return s.List(ctx, workspaceID, userID, &page)
	})
}

// Get returns one time entry. A missing or deleted entry is [ErrNotFound] (Clockify
// answers 400 "Time entry doesn't belong to Workspace").
//
// Clockify API: GET /v1/workspaces/{workspaceId}/time-entries/{id}
// https://docs.clockify.me/#tag/Time-entry/operation/getTimeEntry
func (s *TimeEntriesService) Get(ctx context.Context, workspaceID, entryID string, hydrated bool) (*TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "entryID", entryID); err != nil {
		return nil, nil, err
	}
	path := pathf("v1/workspaces/%s/time-entries/%s", workspaceID, entryID)
	if hydrated {
		path += "?hydrated=true"
	}
	e := new(TimeEntry)
	resp, err := s.client.get(ctx, path, e)
	if err != nil {
		return nil, resp, err
	}
	return e, resp, nil
}

// MaxInProgressPageSize is the largest page of the in-progress list.
const MaxInProgressPageSize = 1000

// inProgressPageSize is the page of the in-progress list when a call asks for none.
const inProgressPageSize = 10

// ListInProgress returns one page of the workspace's running timers.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/time-entries/status/in-progress
// https://docs.clockify.me/#tag/Time-entry/operation/getInProgressTimeEntries
func (s *TimeEntriesService) ListInProgress(ctx context.Context, workspaceID string, opts *ListOptions) ([]TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &ListOptions{}
	}
	if err := opts.validate(MaxInProgressPageSize); err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	opts.encode(q)
	return getPage[TimeEntry](ctx, s.client, withQuery(pathf("v1/workspaces/%s/time-entries/status/in-progress", workspaceID), q), *opts, inProgressPageSize)
}

// AllInProgress iterates over every running timer of the workspace.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/time-entries/status/in-progress
// https://docs.clockify.me/#tag/Time-entry/operation/getInProgressTimeEntries
func (s *TimeEntriesService) AllInProgress(ctx context.Context, workspaceID string, opts *ListOptions) iter.Seq2[TimeEntry, error] {
	o := ListOptions{}
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o, MaxInProgressPageSize, func(ctx context.Context, lo ListOptions) ([]TimeEntry, *Response, error) {
		return s.ListInProgress(ctx, workspaceID, &lo)
	})
}

// Create adds a time entry for the key's user (or starts a timer, when End is nil).
// Unless the policy's RetryWrites is set, it is retried only after a 429 or a connection
// that could not be opened.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/time-entries
// https://docs.clockify.me/#tag/Time-entry/operation/createTimeEntry
func (s *TimeEntriesService) Create(ctx context.Context, workspaceID string, req *TimeEntryRequest) (*TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	return s.write(ctx, http.MethodPost, pathf("v1/workspaces/%s/time-entries", workspaceID), req)
}

// CreateForUser adds a time entry for another user of the workspace (an admin's call).
//
// Clockify API: POST /v1/workspaces/{workspaceId}/user/{userId}/time-entries
// https://docs.clockify.me/#tag/Time-entry/operation/createForOthers
func (s *TimeEntriesService) CreateForUser(ctx context.Context, workspaceID, userID string, req *TimeEntryRequest) (*TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "userID", userID); err != nil {
		return nil, nil, err
	}
	return s.write(ctx, http.MethodPost, pathf("v1/workspaces/%s/user/%s/time-entries", workspaceID, userID), req)
}

// Update replaces a time entry's fields.
//
// Clockify API: PUT /v1/workspaces/{workspaceId}/time-entries/{id}
// https://docs.clockify.me/#tag/Time-entry/operation/updateTimeEntry
func (s *TimeEntriesService) Update(ctx context.Context, workspaceID, entryID string, req *TimeEntryRequest) (*TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "entryID", entryID); err != nil {
		return nil, nil, err
	}
	if req != nil && req.Start.IsZero() {
		return nil, nil, &ArgumentError{Field: "Start", Reason: "is required on update"}
	}
	return s.write(ctx, http.MethodPut, pathf("v1/workspaces/%s/time-entries/%s", workspaceID, entryID), req)
}

func (s *TimeEntriesService) write(ctx context.Context, method, path string, req *TimeEntryRequest) (*TimeEntry, *Response, error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	e := new(TimeEntry)
	resp, err := s.client.send(ctx, s.client.baseURL, method, path, req, e)
	if err != nil {
		return nil, resp, err
	}
	return e, resp, nil
}

// Stop stops a user's running timer at end.
//
// Clockify API: PATCH /v1/workspaces/{workspaceId}/user/{userId}/time-entries
// https://docs.clockify.me/#tag/Time-entry/operation/stopRunningTimeEntry
func (s *TimeEntriesService) Stop(ctx context.Context, workspaceID, userID string, end time.Time) (*TimeEntry, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "userID", userID); err != nil {
		return nil, nil, err
	}
	if end.IsZero() {
		return nil, nil, &ArgumentError{Field: "end", Reason: "is required"}
	}
	body := map[string]string{"end": formatTime(end)}
	e := new(TimeEntry)
	resp, err := s.client.send(ctx, s.client.baseURL, http.MethodPatch, pathf("v1/workspaces/%s/user/%s/time-entries", workspaceID, userID), body, e)
	if err != nil {
		return nil, resp, err
	}
	return e, resp, nil
}

// Delete removes a time entry. An entry that does not exist is [ErrNotFound], unless
// the call was retried: then an earlier attempt deleted it, and Delete succeeds.
//
// Clockify API: DELETE /v1/workspaces/{workspaceId}/time-entries/{id}
// https://docs.clockify.me/#tag/Time-entry/operation/deleteTimeEntry
func (s *TimeEntriesService) Delete(ctx context.Context, workspaceID, entryID string) (*Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "entryID", entryID); err != nil {
		return nil, err
	}
	return deleted(s.client.send(ctx, s.client.baseURL, http.MethodDelete, pathf("v1/workspaces/%s/time-entries/%s", workspaceID, entryID), nil, nil))
}
