package clockify

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ProjectsService reads, creates, changes and deletes a workspace's projects.
type ProjectsService service

// Project is a Clockify project, in the shape Clockify sends live (richer than the
// OpenAPI's ProjectDtoV1).
type Project struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	WorkspaceID string       `json:"workspaceId"`
	ClientID    string       `json:"clientId,omitempty"`
	ClientName  string       `json:"clientName,omitempty"`
	Note        string       `json:"note,omitempty"`
	Color       string       `json:"color,omitempty"`
	Billable    bool         `json:"billable"`
	Archived    bool         `json:"archived"`
	Public      bool         `json:"public"`
	Template    bool         `json:"template"`
	HourlyRate  *Rate        `json:"hourlyRate"`
	CostRate    *Rate        `json:"costRate"`
	Duration    *Duration    `json:"duration"`
	Estimate    *Estimate    `json:"estimate,omitempty"`
	Memberships []Membership `json:"memberships,omitempty"`
	// Tasks is present on hydrated projects and in webhook deliveries.
	Tasks []Task `json:"tasks,omitempty"`
}

// Estimate is a project's time estimate.
type Estimate struct {
	Estimate *Duration `json:"estimate"`
	Type     string    `json:"type"` // AUTO or MANUAL
}

// ProjectListOptions filters a workspace's projects.
type ProjectListOptions struct {
	// Name matches projects whose name contains it; with StrictName, only those whose
	// whole name it is (the one project of that name, for a lookup before a Create).
	Name       string
	StrictName bool
	// Archived: nil lists both, true only archived, false only active.
	Archived *bool
	// Billable: nil lists both.
	Billable *bool
	// Hydrated asks for memberships, estimates and tasks.
	Hydrated bool
	ListOptions
}

// List returns one page of a workspace's projects.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/projects
// https://docs.clockify.me/#tag/Project/operation/getProjects
func (s *ProjectsService) List(ctx context.Context, workspaceID string, opts *ProjectListOptions) ([]Project, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &ProjectListOptions{}
	}
	if err := opts.validate(MaxPageSize); err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts.Name != "" {
		q.Set("name", opts.Name)
	}
	if opts.StrictName {
		q.Set("strict-name-search", "true")
	}
	if opts.Archived != nil {
		q.Set("archived", boolString(*opts.Archived))
	}
	if opts.Billable != nil {
		q.Set("billable", boolString(*opts.Billable))
	}
	if opts.Hydrated {
		q.Set("hydrated", "true")
	}
	opts.encode(q)
	return getPage[Project](ctx, s.client, withQuery(pathf("v1/workspaces/%s/projects", workspaceID), q), opts.ListOptions, clockifyPageSize)
}

// All iterates over every project of a workspace that matches opts.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/projects
// https://docs.clockify.me/#tag/Project/operation/getProjects
func (s *ProjectsService) All(ctx context.Context, workspaceID string, opts *ProjectListOptions) iter.Seq2[Project, error] {
	o := ProjectListOptions{}
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.ListOptions, MaxPageSize, func(ctx context.Context, lo ListOptions) ([]Project, *Response, error) {
		page := o
		page.ListOptions = lo
		return s.List(ctx, workspaceID, &page)
	})
}

// Get returns one project. An unknown id is [ErrNotFound].
//
// Clockify API: GET /v1/workspaces/{workspaceId}/projects/{projectId}
// https://docs.clockify.me/#tag/Project/operation/getProject
func (s *ProjectsService) Get(ctx context.Context, workspaceID, projectID string) (*Project, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "projectID", projectID); err != nil {
		return nil, nil, err
	}
	p := new(Project)
	resp, err := s.client.get(ctx, pathf("v1/workspaces/%s/projects/%s", workspaceID, projectID), p)
	if err != nil {
		return nil, resp, err
	}
	return p, resp, nil
}

// ProjectRequest creates a project ([ProjectsService.Create]). Name is required; a field
// left zero takes Clockify's default (Billable: the workspace's setting for new
// projects; Color: one Clockify picks).
type ProjectRequest struct {
	Name     string `json:"name"`               // 2 to 250 characters
	ClientID string `json:"clientId,omitempty"` // the client the project is for
	Color    string `json:"color,omitempty"`    // "#" and six hex digits
	Note     string `json:"note,omitempty"`     // up to 16,384 characters
	Billable *bool  `json:"billable,omitempty"`
	Public   *bool  `json:"isPublic,omitempty"`
}

// ProjectUpdate changes a project ([ProjectsService.Update]): a nil field is not sent,
// every field of Clockify's body being optional (archiving sends only Archived), and the
// fake leaves such a field as it was. Its fields take what [ProjectRequest]'s take.
type ProjectUpdate struct {
	Name     *string `json:"name,omitempty"`
	ClientID *string `json:"clientId,omitempty"`
	Color    *string `json:"color,omitempty"`
	Note     *string `json:"note,omitempty"`
	Billable *bool   `json:"billable,omitempty"`
	Public   *bool   `json:"isPublic,omitempty"`
	// Archived archives the project (true), as Clockify requires before a Delete, or
	// restores it (false).
	Archived *bool `json:"archived,omitempty"`
}

// Limits of a project's fields, from Clockify's OpenAPI description.
const (
	maxProjectName = 250
	maxProjectNote = 16384
)

// validProject checks the fields a project request sets (nil: not set).
func validProject(name, clientID, color, note *string) error {
	for _, f := range []struct {
		field string
		v     *string
	}{{"Name", name}, {"ClientID", clientID}, {"Color", color}, {"Note", note}} {
		if f.v != nil && !utf8.ValidString(*f.v) { // JSON would carry U+FFFD instead: another text
			return &ArgumentError{Field: f.field, Reason: "must be UTF-8"}
		}
	}
	if name != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*name)); n < 2 || n > maxProjectName {
			return &ArgumentError{Field: "Name", Reason: "must be 2 to 250 characters"}
		}
	}
	if color != nil && !isColor(*color) {
		return &ArgumentError{Field: "Color", Reason: `must be "#" and six hex digits`}
	}
	if note != nil && utf8.RuneCountInString(*note) > maxProjectNote {
		return &ArgumentError{Field: "Note", Reason: "must be at most 16,384 characters"}
	}
	return nil
}

// isColor reports whether s is a colour as Clockify takes one: "#" and six hex digits.
func isColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Create adds a project; the answer carries its id. Clockify refuses a name another
// project of the same client has. Unless the policy's RetryWrites is set, it is retried
// only after a 429 or a connection that could not be opened.
//
// Clockify API: POST /v1/workspaces/{workspaceId}/projects
// https://docs.clockify.me/#tag/Project/operation/createNewProject
func (s *ProjectsService) Create(ctx context.Context, workspaceID string, req *ProjectRequest) (*Project, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	if req == nil {
		return nil, nil, &ArgumentError{Field: "request", Reason: "is required"}
	}
	var color, note *string
	if req.Color != "" {
		color = &req.Color
	}
	if req.Note != "" {
		note = &req.Note
	}
	if err := validProject(&req.Name, &req.ClientID, color, note); err != nil {
		return nil, nil, err
	}
	return s.write(ctx, http.MethodPost, pathf("v1/workspaces/%s/projects", workspaceID), req)
}

// Update changes the fields of a project that req sets. An unknown id is [ErrNotFound].
//
// Clockify API: PUT /v1/workspaces/{workspaceId}/projects/{projectId}
// https://docs.clockify.me/#tag/Project/operation/updateProject
func (s *ProjectsService) Update(ctx context.Context, workspaceID, projectID string, req *ProjectUpdate) (*Project, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "projectID", projectID); err != nil {
		return nil, nil, err
	}
	if req == nil {
		return nil, nil, &ArgumentError{Field: "request", Reason: "is required"}
	}
	if err := validProject(req.Name, req.ClientID, req.Color, req.Note); err != nil {
		return nil, nil, err
	}
	return s.write(ctx, http.MethodPut, pathf("v1/workspaces/%s/projects/%s", workspaceID, projectID), req)
}

func (s *ProjectsService) write(ctx context.Context, method, path string, body any) (*Project, *Response, error) {
	p := new(Project)
	resp, err := s.client.send(ctx, s.client.baseURL, method, path, body, p)
	if err != nil {
		return nil, resp, err
	}
	return p, resp, nil
}

// Delete removes a project. Clockify deletes only an archived project: an active one is
// an [*APIError] (400, "Cannot delete an active project"), so archive it first
// ([ProjectUpdate].Archived). A project that does not exist is [ErrNotFound], unless the
// call was retried: then an earlier attempt deleted it, and Delete succeeds.
//
// Clockify API: DELETE /v1/workspaces/{workspaceId}/projects/{projectId}
// https://docs.clockify.me/#tag/Project/operation/deleteProject
func (s *ProjectsService) Delete(ctx context.Context, workspaceID, projectID string) (*Response, error) {
	if err := requireIDs("workspaceID", workspaceID, "projectID", projectID); err != nil {
		return nil, err
	}
	return deleted(s.client.send(ctx, s.client.baseURL, http.MethodDelete, pathf("v1/workspaces/%s/projects/%s", workspaceID, projectID), nil, nil))
}
