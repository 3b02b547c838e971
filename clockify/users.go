package clockify

import (
	"context"
	"iter"
	"net/url"
)

// UsersService reads the current user and a workspace's members.
type UsersService service

// User is a Clockify user (UserDtoV1).
type User struct {
	ID               string        `json:"id"`
	Email            string        `json:"email"`
	Name             string        `json:"name"`
	ProfilePicture   string        `json:"profilePicture,omitempty"`
	ActiveWorkspace  string        `json:"activeWorkspace,omitempty"`
	DefaultWorkspace string        `json:"defaultWorkspace,omitempty"`
	Status           string        `json:"status,omitempty"` // ACTIVE, PENDING_EMAIL_VERIFICATION, DELETED, NOT_REGISTERED, LIMITED, ...
	Memberships      []Membership  `json:"memberships,omitempty"`
	Settings         *UserSettings `json:"settings,omitempty"`
}

// UserSettings are the user's display preferences.
type UserSettings struct {
	TimeZone   string `json:"timeZone,omitempty"` // IANA name, e.g. "Europe/Belgrade"
	WeekStart  string `json:"weekStart,omitempty"`
	DateFormat string `json:"dateFormat,omitempty"`
	TimeFormat string `json:"timeFormat,omitempty"`
}

// Current returns the user the API key belongs to.
//
// Clockify API: GET /v1/user
// https://docs.clockify.me/#tag/User/operation/getLoggedUser
func (s *UsersService) Current(ctx context.Context) (*User, *Response, error) {
	u := new(User)
	resp, err := s.client.get(ctx, "v1/user", u)
	if err != nil {
		return nil, resp, err
	}
	return u, resp, nil
}

// MemberStatus filters members by their membership status.
type MemberStatus string

// Membership statuses accepted by the member list.
const (
	MemberPending  MemberStatus = "PENDING"
	MemberActive   MemberStatus = "ACTIVE"
	MemberDeclined MemberStatus = "DECLINED"
	MemberInactive MemberStatus = "INACTIVE"
	MemberAll      MemberStatus = "ALL"
)

// UserListOptions filters a workspace's members.
type UserListOptions struct {
	// Email matches members whose email contains it.
	Email string
	// Name matches members whose name contains it.
	Name string
	// Status filters by membership status; empty means Clockify's default.
	Status MemberStatus
	// IncludeMemberships asks for each member's workspace membership (with its rates).
	IncludeMemberships bool
	ListOptions
}

// List returns one page of a workspace's members.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/users
// https://docs.clockify.me/#tag/User/operation/getUsersOfWorkspace
func (s *UsersService) List(ctx context.Context, workspaceID string, opts *UserListOptions) ([]User, *Response, error) {
	if err := requireIDs("workspaceID", workspaceID); err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &UserListOptions{}
	}
	if err := opts.validate(MaxPageSize); err != nil {
		return nil, nil, err
	}
	q := url.Values{}
	if opts.Email != "" {
		q.Set("email", opts.Email)
	}
	if opts.Name != "" {
		q.Set("name", opts.Name)
	}
	if opts.Status != "" {
		q.Set("status", string(opts.Status))
	}
	if opts.IncludeMemberships {
		q.Set("memberships", "WORKSPACE")
	}
	opts.encode(q)
	return getPage[User](ctx, s.client, withQuery(pathf("v1/workspaces/%s/users", workspaceID), q), opts.ListOptions, clockifyPageSize)
}

// All iterates over every member of a workspace, one page at a time.
//
// Clockify API: GET /v1/workspaces/{workspaceId}/users
// https://docs.clockify.me/#tag/User/operation/getUsersOfWorkspace
func (s *UsersService) All(ctx context.Context, workspaceID string, opts *UserListOptions) iter.Seq2[User, error] {
	o := UserListOptions{}
	if opts != nil {
		o = *opts
	}
	return paginate(ctx, o.ListOptions, MaxPageSize, func(ctx context.Context, lo ListOptions) ([]User, *Response, error) {
		page := o
		page.ListOptions = lo
		return s.List(ctx, workspaceID, &page)
	})
}
