package sync

import (
	"context"
	"errors"
	"time"

	"github.com/heyjasper/jasper-clockify/webhook"
)

// ErrNotFound is what a Store returns, wrapped or not, for a record it does not hold.
var ErrNotFound = errors.New("clockifysync: not found")

// Store is everything the engine keeps. It is made of small role interfaces, so that a
// host can wrap or fake one role alone; a store is done when it passes the conformance
// suite in sync/storetest. Every method is safe for concurrent use, and every write is
// atomic: a call that returns an error has changed nothing.
type Store interface {
	EntryStore
	LinkStore
	DirectoryStore
	ConnectionStore
	CheckpointStore
	DeliveryStore
}

// WorkspaceLocker is what a Store shared by several processes implements so that the
// engine's Connects of one workspace, and its syncs, run one at a time across them, as
// they do within one process (store/postgres does). A wrapper of such a store that does
// not pass the method on loses it.
type WorkspaceLocker interface {
	// LockWorkspace takes the lock named kind of a workspace, for every process that
	// shares the store, and returns the function that lets go of it. When another holds
	// it, LockWorkspace calls waiting (unless nil), then waits until it is free or ctx
	// ends.
	LockWorkspace(ctx context.Context, kind, workspaceID string, waiting func()) (unlock func(), err error)
}

// EntryStore keeps time entries with their auto links. A store may keep a time before
// 1678 or after 2262 (a year mistyped in Clockify) as the nearest of those, in its order
// among the others (store/sqlite does); it keeps every other time to the microsecond.
type EntryStore interface {
	// PutEntries inserts or replaces the entries (keyed by workspace and id), each with its
	// auto links, which replace those stored before, and its Deleted time as given: a
	// stored entry marked deleted that comes back from Clockify (Deleted zero) is no
	// longer deleted, and one written back with its Deleted time stays deleted. An entry
	// read from Clockify before the one stored (its Synced earlier, a zero time earliest)
	// is not written, nor are its links: of two writers (a sync and a delivery, perhaps
	// on two replicas), what was read last is kept, whichever writes last; so it is of an
	// entry given twice in a call (of two read at once, the last given).
	PutEntries(ctx context.Context, entries []Entry) error
	// ReplaceAutoLinks replaces the auto links of stored entries with those of the
	// entries given, and changes nothing else of them. An entry whose stored description
	// or project is no longer the one given (another writer changed it since it was read)
	// keeps the links stored with it, and so does one not stored. To other writers the
	// check and the replacement are one step (store/postgres locks the rows it checks).
	// The engine names each entry once in a call, and a store may assume it.
	ReplaceAutoLinks(ctx context.Context, entries []Entry) error
	// MarkEntriesDeleted records that Clockify deleted the entries, as read at the given
	// time, which becomes their Synced time when it is later; ids not stored, or already
	// marked, are left as they are.
	MarkEntriesDeleted(ctx context.Context, workspaceID string, ids []string, at time.Time) error
	// Entry returns one entry, deleted or not, or ErrNotFound.
	Entry(ctx context.Context, workspaceID, id string) (Entry, error)
	// Entries returns the entries the query selects, by start then id (descending with
	// Newest), those after its After only (EntryQuery.Follows), those whose description
	// holds its Text with their case folded (FoldText), and no more than its Limit when
	// that is positive. A query with a PR selects by the entries' auto links and by the
	// manual links of the LinkStore, and a PR that ParsePR refuses is its error.
	Entries(ctx context.Context, q EntryQuery) ([]Entry, error)
	// EntryIDs returns the ids of the entries Entries would return, in the same order,
	// without reading the entries: a sync compares them with what Clockify listed.
	EntryIDs(ctx context.Context, q EntryQuery) ([]string, error)
}

// LinkStore keeps the links people make by hand. The engine never changes them: they
// survive every re-sync, and an entry's manual links win over its auto links.
type LinkStore interface {
	// AddManualLink stores a manual link; adding the same link (workspace, entry and
	// target, as Link.SameTarget tells) again changes nothing.
	AddManualLink(ctx context.Context, l Link) error
	// RemoveManualLink removes the manual link to the same target, or returns ErrNotFound.
	RemoveManualLink(ctx context.Context, l Link) error
	// ManualLinks returns the manual links of the given entries of a workspace (of all its
	// entries when none is given), by entry then creation.
	ManualLinks(ctx context.Context, workspaceID string, entryIDs ...string) ([]Link, error)
}

// DirectoryStore keeps a workspace's members and projects, and the mappings made by hand.
type DirectoryStore interface {
	// PutMembers inserts or replaces members (keyed by workspace and id).
	PutMembers(ctx context.Context, members []Member) error
	// Members returns a workspace's members, by id.
	Members(ctx context.Context, workspaceID string) ([]Member, error)
	// PutProjects inserts or replaces projects (keyed by workspace and id); a project
	// marked deleted that comes back is no longer deleted. As with PutEntries, a project
	// read before the one stored (its Synced earlier) is not written.
	PutProjects(ctx context.Context, projects []Project) error
	// MarkProjectDeleted records that Clockify deleted a project, as read at the given
	// time, which becomes its Synced time when it is later; or returns ErrNotFound.
	MarkProjectDeleted(ctx context.Context, workspaceID, id string, at time.Time) error
	// Projects returns a workspace's projects, deleted ones included, by id.
	Projects(ctx context.Context, workspaceID string) ([]Project, error)
	// SetProjectMapping inserts or replaces the mapping of a project.
	SetProjectMapping(ctx context.Context, m ProjectMapping) error
	// DeleteProjectMapping removes a project's mapping, or returns ErrNotFound.
	DeleteProjectMapping(ctx context.Context, workspaceID, projectID string) error
	// ProjectMappings returns a workspace's project mappings, by project id.
	ProjectMappings(ctx context.Context, workspaceID string) ([]ProjectMapping, error)
	// SetUserMapping inserts or replaces the manual mapping of a member.
	SetUserMapping(ctx context.Context, m UserMapping) error
	// DeleteUserMapping removes a member's manual mapping, or returns ErrNotFound.
	DeleteUserMapping(ctx context.Context, workspaceID, memberID string) error
	// UserMappings returns a workspace's manual user mappings, by member id.
	UserMappings(ctx context.Context, workspaceID string) ([]UserMapping, error)
}

// ConnectionStore keeps connections and the webhooks registered for them. The API key and
// the tokens reach it sealed only.
type ConnectionStore interface {
	// PutConnection inserts or replaces a connection (keyed by workspace).
	PutConnection(ctx context.Context, c Connection) error
	// Connection returns a workspace's connection, or ErrNotFound.
	Connection(ctx context.Context, workspaceID string) (Connection, error)
	// UpdateConnection changes a workspace's connection in one step: it reads it, hands
	// it to change, and stores what change left, with no other write of the connection
	// in between, from this process or another. It returns ErrNotFound when the
	// workspace has none, and change's error, storing nothing, when change fails.
	// change must not call the store.
	UpdateConnection(ctx context.Context, workspaceID string, change func(*Connection) error) error
	// Connections returns every connection, by workspace id.
	Connections(ctx context.Context) ([]Connection, error)
	// PutWebhook inserts or replaces a webhook (keyed by workspace and id).
	PutWebhook(ctx context.Context, w Webhook) error
	// DeleteWebhook removes a webhook, or returns ErrNotFound.
	DeleteWebhook(ctx context.Context, workspaceID, id string) error
	// Webhooks returns a workspace's webhooks (of every workspace when workspaceID is
	// empty), by workspace then id.
	Webhooks(ctx context.Context, workspaceID string) ([]Webhook, error)
	// DeleteWorkspace removes, in one step, everything the store keeps of a workspace:
	// its connection and webhooks, its run, members, projects and mappings, its entries
	// with their auto and manual links, and its delivery records. A workspace of which
	// nothing is kept is no error. The de-duplication claims, which hold ids and digests
	// only, may stay.
	DeleteWorkspace(ctx context.Context, workspaceID string) error
}

// CheckpointStore keeps the sync run in progress of each workspace.
type CheckpointStore interface {
	// StartRun records a new run for its workspace, replacing any run in progress.
	StartRun(ctx context.Context, r Run) error
	// PendingRun returns the workspace's run in progress, if there is one.
	PendingRun(ctx context.Context, workspaceID string) (Run, bool, error)
	// CheckpointMember records that a member's entries of the run in progress are
	// stored; it returns ErrNotFound when no run is in progress.
	CheckpointMember(ctx context.Context, workspaceID, memberID string) error
	// FinishRun removes the workspace's run in progress, if any.
	FinishRun(ctx context.Context, workspaceID string) error
}

// DeliveryStore de-duplicates webhook deliveries and keeps their log, so that a delivery
// applies once whichever replica receives it. A store may bound the log; one that does
// bounds each workspace's records apart, and those with no workspace apart from them
// (storetest.DeliveriesKeptApart checks it): a flood of forged requests, or a busy
// workspace, then pushes no workspace's records out.
type DeliveryStore interface {
	webhook.Deduper
	webhook.DeliveryLog
	// Deliveries returns up to limit delivery records of a workspace (of all deliveries,
	// rejected ones with no workspace included, when workspaceID is empty), newest first;
	// all of them when limit is not positive. A scheduled sync reads a workspace's recent
	// records to find the entries whose deletion's delivery was lost.
	Deliveries(ctx context.Context, workspaceID string, limit int) ([]webhook.Delivery, error)
}
