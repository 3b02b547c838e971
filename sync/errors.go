package sync

import (
	"errors"
	"fmt"
)

var (
	// ErrNotConnected is returned for a workspace that is not connected, or no longer.
	ErrNotConnected = errors.New("clockifysync: workspace not connected; call Connect first")
	// ErrInvalidAPIKey is returned by Connect and SetAPIKey when Clockify rejects the
	// key, and by a sync when Clockify rejects the stored one (its user generated a new
	// key): no retry helps until SetAPIKey (or Connect) stores a valid key. It also
	// matches clockify.ErrInvalidAPIKey.
	ErrInvalidAPIKey = errors.New("clockifysync: Clockify rejected the API key; copy it again from Clockify's Profile settings, API section (keys do not carry over between regions)")
	// ErrWorkspaceAccess is returned by Connect when the key's user cannot read the
	// workspace.
	ErrWorkspaceAccess = errors.New("clockifysync: the key's user has no access to this workspace; check the workspace id, or ask a workspace admin to invite that user")
	// ErrStillConnected is returned by Purge for a workspace that is connected, or
	// connecting: its webhooks would go on delivering.
	ErrStillConnected = errors.New("clockifysync: the workspace is connected; Disconnect it before purging what is kept of it")
	// ErrInput is matched by every InputError.
	ErrInput = errors.New("clockifysync: bad input")
)

// InputError is a bad argument: nothing was stored or sent.
type InputError struct {
	Field  string
	Reason string
}

// Error says which argument is wrong and why.
func (e *InputError) Error() string { return fmt.Sprintf("clockifysync: %s: %s", e.Field, e.Reason) }

// Is makes an InputError match ErrInput.
func (e *InputError) Is(target error) bool { return target == ErrInput }

func inputError(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// keyError wraps an error of the key's check so that it matches both ErrInvalidAPIKey
// and the client's error (which holds no secret).
type keyError struct{ err error }

func (e *keyError) Error() string   { return ErrInvalidAPIKey.Error() }
func (e *keyError) Unwrap() []error { return []error{ErrInvalidAPIKey, e.err} }

// accessError does the same for ErrWorkspaceAccess.
type accessError struct {
	workspaceID string
	err         error
}

func (e *accessError) Error() string {
	return ErrWorkspaceAccess.Error() + " (workspace " + e.workspaceID + ")"
}
func (e *accessError) Unwrap() []error { return []error{ErrWorkspaceAccess, e.err} }
