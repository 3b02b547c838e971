package clockify

import "context"

// WorkspacesService reads workspaces.
type WorkspacesService service

// Workspace is a Clockify workspace (WorkspaceDtoV1).
type Workspace struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	ImageURL    string             `json:"imageUrl,omitempty"`
	HourlyRate  *Rate              `json:"hourlyRate"`
	CostRate    *Rate              `json:"costRate"`
	Memberships []Membership       `json:"memberships,omitempty"`
	Settings    *WorkspaceSettings `json:"workspaceSettings,omitempty"`
	Currencies  []Currency         `json:"currencies,omitempty"`
}

// WorkspaceSettings are the few workspace settings the SDK reads.
type WorkspaceSettings struct {
	DefaultBillableProjects bool `json:"defaultBillableProjects"`
	ForceProjects           bool `json:"forceProjects"`
	ForceDescription        bool `json:"forceDescription"`
	OnlyAdminsSeeAllEntries bool `json:"onlyAdminsSeeAllTimeEntries"`
}

// Currency is a currency enabled in a workspace.
type Currency struct {
	ID        string `json:"id"`
	Code      string `json:"code"`
	IsDefault bool   `json:"isDefault"`
}

// List returns the workspaces the key's user belongs to. Clockify does not page it.
//
// Clockify API: GET /v1/workspaces
// https://docs.clockify.me/#tag/Workspace/operation/getWorkspacesOfUser
func (s *WorkspacesService) List(ctx context.Context) ([]Workspace, *Response, error) {
	var ws []Workspace
	resp, err := s.client.get(ctx, "v1/workspaces", &ws)
	if err != nil {
		return nil, resp, err
	}
	return ws, resp, nil
}

// Get returns one workspace. A workspace the user cannot see is [ErrForbidden].
//
// Clockify API: GET /v1/workspaces/{workspaceId}
// https://docs.clockify.me/#tag/Workspace/operation/getWorkspaceOfUser
func (s *WorkspacesService) Get(ctx context.Context, workspaceID string) (*Workspace, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	w := new(Workspace)
	resp, err := s.client.get(ctx, pathf("v1/workspaces/%s", workspaceID), w)
	if err != nil {
		return nil, resp, err
	}
	return w, resp, nil
}
