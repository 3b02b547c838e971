package clockify

import (
	"context"
	"iter"
	"net/url"
	"strings"
	"time"
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
	Status           AccountStatus `json:"status,omitempty"`
	Memberships      []Membership  `json:"memberships,omitempty"`
	Settings         *UserSettings `json:"settings,omitempty"`
}

// AccountStatus is the state of a user's Clockify account (User.Status), apart from
// their membership of a workspace (Membership.MembershipStatus): a member deactivated in
// one workspace keeps an ACTIVE account.
type AccountStatus string

// Account statuses. A limited user has no login: an admin or a kiosk tracks their time.
const (
	AccountActive                   AccountStatus = "ACTIVE"
	AccountPendingEmailVerification AccountStatus = "PENDING_EMAIL_VERIFICATION"
	AccountNotRegistered            AccountStatus = "NOT_REGISTERED"
	AccountDeleted                  AccountStatus = "DELETED"
	AccountLimited                  AccountStatus = "LIMITED"
	AccountLimitedDeleted           AccountStatus = "LIMITED_DELETED"
)

// UserSettings are the user's display preferences.
type UserSettings struct {
	TimeZone   string `json:"timeZone,omitempty"`  // IANA name, e.g. "Europe/Belgrade"
	WeekStart  string `json:"weekStart,omitempty"` // MONDAY to SUNDAY
	DateFormat string `json:"dateFormat,omitempty"`
	TimeFormat string `json:"timeFormat,omitempty"`
}

// FirstDayOfWeek returns the day WeekStart names, and false when it names none (unset,
// or a value this package does not know) or s is nil (a user read without settings).
func (s *UserSettings) FirstDayOfWeek() (time.Weekday, bool) {
	if s == nil {
		return time.Sunday, false
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s.WeekStart, d.String()) {
			return d, true
		}
	}
	return time.Sunday, false
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
	// AccountStatuses lists the account statuses to include. Empty means Clockify's
	// default: ACTIVE, PENDING_EMAIL_VERIFICATION and NOT_REGISTERED only, which leaves
	// out limited users, whose time others track, and deleted accounts.
	AccountStatuses []AccountStatus
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
	if len(opts.AccountStatuses) > 0 {
		statuses := make([]string, len(opts.AccountStatuses))
		for i, st := range opts.AccountStatuses {
			if st == "" || strings.Contains(string(st), ",") {
				return nil, nil, &ArgumentError{Field: "AccountStatuses", Reason: "holds an empty status or a comma"}
			}
			statuses[i] = string(st)
		}
		q.Set("account-statuses", strings.Join(statuses, ","))
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
