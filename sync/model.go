package sync

import (
	"cmp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"

	"github.com/heyjasper/jasper-clockify/billing"
	"github.com/heyjasper/jasper-clockify/clockify"
)

// Entry is a Clockify time entry as the engine keeps it.
type Entry struct {
	WorkspaceID string
	ID          string
	UserID      string
	ProjectID   string
	TaskID      string
	Description string
	Start       time.Time
	// End is zero while the timer runs.
	End      time.Time
	Billable bool
	// HourlyRate is the rate Clockify applied to the entry (its task's, member's,
	// project's or workspace's, as set in Clockify), in hundredths of Currency's unit; 0
	// when Clockify gave none. Report honours it with Rates.ClockifyRates.
	HourlyRate int64
	Currency   string
	// Type is Clockify's entry type: REGULAR (or empty), BREAK, HOLIDAY or TIME_OFF.
	Type string
	// Deleted is when the engine learned that Clockify deleted the entry; it is zero while
	// the entry exists. A deleted entry is kept, with its links, as history.
	Deleted time.Time
	// Synced is when the entry was last read from Clockify: the engine takes it before
	// the read. A store keeps the entry read last (EntryStore.PutEntries), so where
	// several replicas write, their clocks must agree to better than the time between
	// two reads of one entry (NTP keeps them within milliseconds).
	Synced time.Time
	// Links are the references found in Description (Source is SourceAuto): they are
	// computed again, and replaced whole, whenever the entry is written. Manual links are
	// kept apart (LinkStore) and survive every re-sync.
	Links []Link
}

// Running reports whether the entry's timer is still running.
func (e *Entry) Running() bool { return e.End.IsZero() }

// IsWork reports whether the entry is work rather than a break, a holiday or time off.
func (e *Entry) IsWork() bool { return e.Type == "" || e.Type == "REGULAR" }

// Cursor returns where the entry stands in a listing of entries, for the query of the
// page after it (EntryQuery.After).
func (e *Entry) Cursor() *Cursor { return &Cursor{Start: e.Start, ID: e.ID} }

// Cursor is a place in a listing of entries: an entry's start and id, by which entries
// are ordered. A host that pages through entries across requests keeps these two.
type Cursor struct {
	Start time.Time
	ID    string
}

// Source says where a link comes from.
type Source string

// The sources of a link.
const (
	// SourceAuto is a reference the linker found in the entry's description.
	SourceAuto Source = "auto"
	// SourceManual is a link a person made; it always wins over the auto links.
	SourceManual Source = "manual"
)

// Link ties a time entry to a pull request (or, with Issue set, to an issue).
type Link struct {
	WorkspaceID string
	EntryID     string
	// Owner and Repo name the repository; both are empty when a reference could not be
	// resolved (a bare #N in a project mapped to no repository).
	Owner, Repo string
	Number      int
	// Issue marks an issue URL: it names an issue, not a pull request.
	Issue  bool
	Source Source
	// Pattern is the form the reference was written in ("#N", "PR #N", "url", "custom",
	// ...; see linker.Kind), or "manual".
	Pattern string
	// Text is the reference as written in the description; empty for a manual link.
	Text string
	// Confidence is the linker's confidence in the form, 1 for a manual link.
	Confidence float32
	// Created is when a manual link was made; zero for auto links.
	Created time.Time
}

// Resolved reports whether the link names a repository.
func (l Link) Resolved() bool { return l.Owner != "" && l.Repo != "" }

// Target is "owner/repo#N", or "#N" when the repository is not known.
func (l Link) Target() string {
	if !l.Resolved() {
		return "#" + strconv.Itoa(l.Number)
	}
	return l.Owner + "/" + l.Repo + "#" + strconv.Itoa(l.Number)
}

// SameTarget reports whether two links name one pull request or issue, ignoring the
// names' case: a store keeps one manual link of an entry per target.
func (l Link) SameTarget(o Link) bool {
	return l.Number == o.Number && l.Issue == o.Issue && strings.EqualFold(l.Owner, o.Owner) && strings.EqualFold(l.Repo, o.Repo)
}

// IsPR reports whether the link names the pull request owner/repo#number, ignoring the
// names' case (as GitHub does); a link to an issue names none.
func (l Link) IsPR(owner, repo string, number int) bool {
	return !l.Issue && l.Number == number && strings.EqualFold(l.Owner, owner) && strings.EqualFold(l.Repo, repo)
}

// Member is a workspace member with the GitHub login it maps to.
type Member struct {
	WorkspaceID string
	ID          string
	Name        string
	Email       string
	// Status is the membership's status in the workspace (ACTIVE, INACTIVE, ...).
	Status string
	// Login is the GitHub login the member maps to, empty when unmapped; Method says how
	// it was found ("manual", "email", "name") and Score how sure a name match is.
	Login  string
	Method string
	Score  float64
}

// Project is a Clockify project.
type Project struct {
	WorkspaceID string
	ID          string
	Name        string
	Billable    bool
	Archived    bool
	// HourlyRate is Clockify's rate for the project in hundredths of Currency's unit, 0
	// when it has none.
	HourlyRate int64
	Currency   string
	// Deleted is when the engine learned that Clockify deleted the project.
	Deleted time.Time
	// Synced is when the project was last read from Clockify, taken before the read: a
	// store keeps the project read last, as it does entries (Entry.Synced).
	Synced time.Time
}

// ProjectMapping maps a project to a repository by hand, with an optional custom match
// pattern (a regular expression with a named group "number", and optionally "repo").
type ProjectMapping struct {
	WorkspaceID string
	ProjectID   string
	Repo        string // "owner/repo"
	Pattern     string
}

// UserMapping maps a member to a GitHub login by hand; it always wins.
type UserMapping struct {
	WorkspaceID string
	MemberID    string
	Login       string
}

// Status is where a connection stands.
type Status string

// The states of a connection.
const (
	StatusConnecting   Status = "connecting"
	StatusConnected    Status = "connected"
	StatusDisconnected Status = "disconnected"
)

// Step is the last step of Connect that completed, for a UI to show and for Connect to
// resume from.
type Step string

// The steps of Connect, in order.
const (
	StepValidated   Step = "validated"
	StepMembers     Step = "members"
	StepProjects    Step = "projects"
	StepWebhooks    Step = "webhooks"
	StepInitialSync Step = "initial-sync"
)

// Connection is a workspace connected to the engine.
type Connection struct {
	WorkspaceID   string
	WorkspaceName string
	// HourlyRate is the workspace's own rate in Clockify, in hundredths of Currency's
	// unit; 0 when it has none.
	HourlyRate int64
	Currency   string
	// Rates are the hourly rates set in the SDK (Engine.SetDefaultRate,
	// Engine.SetProjectRate, Engine.SetClockifyRates), by which Report prices the
	// workspace's time.
	Rates  Rates
	Status Status
	Step   Step
	// SealedAPIKey is the API key sealed with the host's key (AES-GCM); nil once
	// disconnected.
	SealedAPIKey []byte
	// WebhookURL is where Clockify delivers; empty when the host takes no webhooks.
	WebhookURL string
	// Region is the workspace's data region (ConnectRequest.Region), where the engine
	// reaches its API; empty for the region of the engine's client options (global
	// unless WithClientOptions names one).
	Region clockify.Region
	// GitHubHost is the GitHub Enterprise host whose pull-request URLs the workspace's
	// entries link (ConnectRequest.GitHubHost, Engine.SetGitHubHost), a bare domain
	// name in lower case; empty for none.
	GitHubHost string
	// MissingEvents are the events Clockify delivers no webhook for (it refused their
	// webhooks, or holds them disabled: a Free plan's limit), as Connect and the last
	// scheduled sync found them, in the order Connect registers them. The next
	// scheduled sync catches up what their webhooks would have told.
	MissingEvents []clockify.WebhookEvent
	Schedule      Schedule
	// InitialDays is how many days the initial sync reads.
	InitialDays int
	// LastSync is the end of the last window synced in full; LastError the last sync's
	// failure, if any (never holding a secret).
	LastSync  time.Time
	LastError string
	// ChangesRead is where the next scheduled sync starts reading Clockify's entity
	// changes (an hour before): the end of the last span read in full (or that Clockify
	// would not list), so that a failed read loses none; the initial sync's end at first.
	// It is kept through a Disconnect and a Connect again.
	ChangesRead time.Time
	// WindowReads are the ends of the windows synced since ChangesRead (by Sync,
	// SyncRecent, Connect's initial sync, and the read of a member's entries a
	// TIME_ENTRY_SPLIT delivery makes), in order, eight at most (the latest replacing
	// the last when there are more). The next scheduled sync asks for Clockify's list of
	// deletions on each side of each apart, so that an entry such a read stored, deleted
	// since, is listed; it forgets those it has passed.
	WindowReads []time.Time
	Created     time.Time
	Updated     time.Time
}

// Rates are a workspace's hourly rates, kept with its connection: the organisation's
// default and overrides per Clockify project, each an amount of a currency's minor units
// per hour, and the changes of either from a moment on. An entry's rate is its project's
// override, else (with ClockifyRates) the rate Clockify applied to it, else the default;
// of each, the one in force when the entry started.
type Rates struct {
	// Default is the organisation's hourly rate (before its first change, if any). Its
	// zero value, no rate set, prices the projects without an override at nothing, in AUD.
	Default billing.Money
	// Projects are the overrides, by Clockify project id (before their first change).
	Projects map[string]billing.Money
	// Changes are the rates changed from a moment on, by Since (Engine.SetDefaultRateFrom,
	// Engine.SetProjectRateFrom): each applies to the entries that start at Since or
	// later, until the next change of the same rate.
	Changes []RateChange
	// ClockifyRates honours the rate Clockify applied to each entry (Entry.HourlyRate:
	// the task's, member's, project's or workspace's rate set in Clockify) for the
	// projects without an override; the default prices the entries that carry none.
	ClockifyRates bool
}

// RateChange is a rate of a workspace changed from a moment on.
type RateChange struct {
	// ProjectID is the Clockify project whose override changes; empty for the default.
	ProjectID string
	// Since is the moment from which the rate applies, in UTC.
	Since  time.Time
	Hourly billing.Money
}

// IsZero reports whether no rate is set.
func (r Rates) IsZero() bool {
	return r.Default == (billing.Money{}) && len(r.Projects) == 0 && len(r.Changes) == 0 && !r.ClockifyRates
}

// Card returns the rate card of the rates, by which analytics prices entries.
func (r Rates) Card() (*billing.RateCard, error) {
	opts := make([]billing.RateOption, 0, len(r.Projects)+len(r.Changes)+1)
	for id, m := range r.Projects {
		opts = append(opts, billing.WithProjectRate(id, m.Minor, m.Currency.Code()))
	}
	for _, c := range r.Changes {
		if c.ProjectID == "" {
			opts = append(opts, billing.WithDefaultRateFrom(c.Since, c.Hourly.Minor, c.Hourly.Currency.Code()))
		} else {
			opts = append(opts, billing.WithProjectRateFrom(c.ProjectID, c.Since, c.Hourly.Minor, c.Hourly.Currency.Code()))
		}
	}
	if r.ClockifyRates {
		opts = append(opts, billing.WithClockifyRates())
	}
	return billing.NewRateCard(r.Default.Minor, r.Default.Currency.Code(), opts...)
}

// Schedule says when a connected workspace is synced besides manual syncs.
type Schedule string

// The schedules.
const (
	// ScheduleRealtime applies webhook deliveries as they come, and reconciles the last
	// 24 hours every hour to repair what the webhooks missed.
	ScheduleRealtime Schedule = "realtime"
	ScheduleHourly   Schedule = "hourly"
	ScheduleDaily    Schedule = "daily"
	// ScheduleManual syncs only when asked.
	ScheduleManual Schedule = "manual"
)

// Webhook is a webhook the engine registered in Clockify, one per event.
type Webhook struct {
	WorkspaceID string
	ID          string
	Event       string
	URL         string
	// SealedToken is the webhook's signing token, sealed like the API key with the
	// tokens rotations replaced whose grace has not ended (RotateWebhookTokens), so that
	// every replica's Handler honours them.
	SealedToken []byte
}

// Run is a sync of one window in progress: the members whose entries are stored are
// checkpointed, so that a crashed or cancelled run resumes where it stopped.
type Run struct {
	WorkspaceID string
	Start, End  time.Time
	Started     time.Time
	// Done holds the ids of the members whose entries in the window are stored.
	Done []string
}

// EntryQuery selects stored entries of one workspace. Zero fields select everything.
type EntryQuery struct {
	WorkspaceID string
	// From and To bound the entries' start: From <= Start < To.
	From, To  time.Time
	UserID    string
	ProjectID string
	// Text keeps the entries whose description holds it, ignoring case (FoldText).
	Text string
	// IncludeDeleted keeps the entries deleted in Clockify too.
	IncludeDeleted bool
	// Running keeps the entries whose timer runs (End is zero).
	Running bool
	// PR keeps the entries linked to one pull request, "owner/repo#N" or its URL (see
	// ParsePR), by an auto link or a manual one; names are compared ignoring case, and
	// links to issues do not count. A store returns every entry with such a link;
	// LinkedEntries and Report keep those whose effective links name the pull request.
	PR string
	// Newest orders the entries newest first: by start, then id, descending. Without it
	// they come oldest first.
	Newest bool
	// After keeps the entries that come after it in the order: the next page of a
	// listing, after the last entry of the one before (Entry.Cursor). An entry whose
	// start changes between two pages may show on both, or on neither.
	After *Cursor
	// Limit, when positive, is the most entries returned, the first in the order: a
	// page. Zero returns every entry the query selects; a negative limit is an
	// InputError.
	Limit int
}

// FoldText folds the case of s as EntryQuery.Text is compared, in full and in every
// script: "Straße" holds "STRASSE", "ΛΌΓΟΣ" holds "λόγος". A store keeps an entry for a
// query's Text when FoldText of its description contains FoldText of the Text.
func FoldText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return cases.Fold().String(s)
		}
	}
	return strings.ToLower(s) // what folding ASCII gives, without its cost
}

// Follows reports whether an entry with this start and id comes after the query's
// After in its order, or the query has no After: whether the query keeps it. Stores use
// it to apply After as the engine reads it.
func (q *EntryQuery) Follows(start time.Time, id string) bool {
	if q.After == nil {
		return true
	}
	n := cmp.Or(start.Compare(q.After.Start), strings.Compare(id, q.After.ID))
	if q.Newest {
		return n < 0
	}
	return n > 0
}
