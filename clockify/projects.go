package clockify

import (
	"context"
	"iter"
	"net/url"
)

// ProjectsService reads a workspace's projects.
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
	// Name matches projects whose name contains it.
	Name string
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
