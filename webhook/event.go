package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// Kind is one of the seven events the product acts on.
type Kind uint8

// The product's events. KindIgnored is a genuine Clockify event the product does not use
// (NEW_TAG, USER_UPDATED, ...): it is acknowledged, not applied.
const (
	KindIgnored Kind = iota
	TimeEntryCreated
	TimeEntryUpdated
	TimeEntryDeleted
	TimerStopped
	ProjectCreated
	ProjectUpdated
	ProjectDeleted
)

var kindNames = [...]string{"IGNORED", "TIME_ENTRY_CREATED", "TIME_ENTRY_UPDATED", "TIME_ENTRY_DELETED", "TIMER_STOPPED", "PROJECT_CREATED", "PROJECT_UPDATED", "PROJECT_DELETED"}

// String returns the product's name for the kind ("TIME_ENTRY_CREATED", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsTimeEntry reports whether the kind carries a time entry.
func (k Kind) IsTimeEntry() bool { return k >= TimeEntryCreated && k <= TimerStopped }

// IsProject reports whether the kind carries a project.
func (k Kind) IsProject() bool { return k >= ProjectCreated && k <= ProjectDeleted }

// wireKinds maps Clockify's wire names of the events the product uses to its kinds.
var wireKinds = map[clockify.WebhookEvent]Kind{
	clockify.EventNewTimeEntry:      TimeEntryCreated,
	clockify.EventNewTimerStarted:   TimeEntryCreated, // a running entry now exists
	clockify.EventTimeEntryRestored: TimeEntryCreated, // it exists again
	clockify.EventTimeEntryUpdated:  TimeEntryUpdated,
	clockify.EventTimeEntrySplit:    TimeEntryUpdated, // one part of an entry cut in two (which, Clockify does not say)
	clockify.EventTimeEntryDeleted:  TimeEntryDeleted,
	clockify.EventTimerStopped:      TimerStopped,
	clockify.EventNewProject:        ProjectCreated,
	clockify.EventProjectUpdated:    ProjectUpdated,
	clockify.EventProjectDeleted:    ProjectDeleted,
}

// batchDeleted is in Clockify's sample deliveries but not in the enum of events a
// webhook is created with: known, acknowledged, not applied.
const batchDeleted clockify.WebhookEvent = "TIME_ENTRY_BATCH_DELETED"

// KindOf returns the product's kind for a Clockify wire event name, and whether the
// name is one of Clockify's events at all.
func KindOf(wire clockify.WebhookEvent) (Kind, bool) {
	if k, ok := wireKinds[wire]; ok {
		return k, true
	}
	return KindIgnored, wire.Known() || wire == batchDeleted
}

// WireEvents returns the Clockify events that map to a kind, for registering webhooks.
func WireEvents(k Kind) []clockify.WebhookEvent {
	var out []clockify.WebhookEvent
	for _, w := range [...]clockify.WebhookEvent{
		clockify.EventNewTimeEntry, clockify.EventNewTimerStarted, clockify.EventTimeEntryRestored,
		clockify.EventTimeEntryUpdated, clockify.EventTimeEntrySplit, clockify.EventTimeEntryDeleted,
		clockify.EventTimerStopped, clockify.EventNewProject, clockify.EventProjectUpdated, clockify.EventProjectDeleted,
	} {
		if wireKinds[w] == k {
			out = append(out, w)
		}
	}
	return out
}

// Event is one parsed delivery.
type Event struct {
	Kind Kind
	// Wire is the event name Clockify sent (Clockify-Webhook-Event-Type).
	Wire clockify.WebhookEvent
	// WorkspaceID and EntityID identify what changed.
	WorkspaceID string
	EntityID    string
	// TimeEntry is set for time-entry kinds, with its hydrated project, task, user and tags.
	TimeEntry *clockify.TimeEntry
	// Project is set for project kinds.
	Project *clockify.Project
}

// Errors of parsing and verifying a delivery.
var (
	ErrMissingSignature = errors.New("webhook: missing Clockify-Signature")
	ErrInvalidSignature = errors.New("webhook: invalid signature")
	ErrUnknownEventType = errors.New("webhook: unknown event type")
	ErrMalformedPayload = errors.New("webhook: malformed payload")
	ErrBodyTooLarge     = errors.New("webhook: body too large")
)

// Parse reads a delivery's body for its Clockify-Webhook-Event-Type. A Clockify event the
// product does not use comes back as KindIgnored with no payload and no error; a name
// that is not a Clockify event is ErrUnknownEventType; a body that is not the entity's
// JSON (or lacks its id or workspaceId) is ErrMalformedPayload.
func Parse(eventType string, body []byte) (*Event, error) {
	wire := clockify.WebhookEvent(eventType)
	kind, known := KindOf(wire)
	if !known && kind == KindIgnored {
		return nil, ErrUnknownEventType
	}
	ev := &Event{Kind: kind, Wire: wire}
	switch {
	case kind.IsTimeEntry():
		e := new(clockify.TimeEntry)
		if err := json.Unmarshal(body, e); err != nil {
			return nil, malformed(err)
		}
		ev.TimeEntry, ev.WorkspaceID, ev.EntityID = e, e.WorkspaceID, e.ID
	case kind.IsProject():
		p := new(clockify.Project)
		if err := json.Unmarshal(body, p); err != nil {
			return nil, malformed(err)
		}
		ev.Project, ev.WorkspaceID, ev.EntityID = p, p.WorkspaceID, p.ID
	default:
		// Acknowledged without reading more than the ids.
		var ids struct {
			ID          string `json:"id"`
			WorkspaceID string `json:"workspaceId"`
		}
		if json.Unmarshal(body, &ids) == nil {
			ev.WorkspaceID, ev.EntityID = ids.WorkspaceID, ids.ID
		}
		return ev, nil
	}
	if ev.EntityID == "" || ev.WorkspaceID == "" {
		return nil, fmt.Errorf("%w: no id or workspaceId", ErrMalformedPayload)
	}
	return ev, nil
}

func malformed(err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("%w: invalid JSON at offset %d", ErrMalformedPayload, se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return fmt.Errorf("%w: field %q has the wrong type", ErrMalformedPayload, te.Field)
	}
	if errors.Is(err, clockify.ErrBadDuration) {
		return fmt.Errorf("%w: bad duration", ErrMalformedPayload)
	}
	return fmt.Errorf("%w: %s", ErrMalformedPayload, "cannot decode")
}
