package clockify

import "strconv"

// Rate is an hourly or cost rate. Amount is in hundredths of the currency's unit (10500
// is 105.00) whatever the currency's own minor digits, as Clockify writes every amount;
// billing.FromHundredths turns it into an amount in the currency's minor units.
type Rate struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
}

// Membership ties a user to a workspace, project or user group, with its rates.
type Membership struct {
	UserID           string       `json:"userId"`
	TargetID         string       `json:"targetId"`
	MembershipType   string       `json:"membershipType"`   // WORKSPACE, PROJECT or USERGROUP
	MembershipStatus MemberStatus `json:"membershipStatus"` // MemberInactive once deactivated, whatever User.Status says
	HourlyRate       *Rate        `json:"hourlyRate"`
	CostRate         *Rate        `json:"costRate"`
}

// Tag is a workspace tag.
type Tag struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	WorkspaceID string `json:"workspaceId"`
	Archived    bool   `json:"archived"`
}

// Task is a task of a project.
type Task struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ProjectID   string    `json:"projectId"`
	AssigneeIDs []string  `json:"assigneeIds"`
	Estimate    *Duration `json:"estimate"`
	Duration    *Duration `json:"duration"`
	Status      string    `json:"status"` // ACTIVE or DONE
	Billable    bool      `json:"billable"`
	HourlyRate  *Rate     `json:"hourlyRate"`
	CostRate    *Rate     `json:"costRate"`
}

// Ptr returns a pointer to v, for optional fields and filters. It is new(v) since Go 1.26,
// which this module requires; `go fix` rewrites calls to it as such.
//
//go:fix inline
func Ptr[T any](v T) *T { return new(v) }

func boolString(b bool) string { return strconv.FormatBool(b) }
