package clockifytest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heyjasper/jasper-clockify/clockify"
)

// GenerateOptions shapes a generated workspace. Zero fields take the defaults shown.
type GenerateOptions struct {
	Seed     uint64    // 1
	Members  int       // 5 (the owner included)
	Projects int       // 6
	Days     int       // 30 days of history, ending at Now
	Now      time.Time // time.Now(); pass a fixed time for a reproducible fixture
	// Org is the GitHub organisation the projects are named after ("acme").
	Org string
}

// Fixture is a generated workspace: what [Server.Load] stores, and what a test can
// compare against.
type Fixture struct {
	Workspace clockify.Workspace
	// Owner is the workspace admin; OwnerKey is its API key.
	Owner    clockify.User
	OwnerKey string
	Members  []Member // the owner first
	Projects []clockify.Project
	Tags     []clockify.Tag
	Entries  []clockify.TimeEntry
	// Org is the GitHub organisation the projects' names come from.
	Org string
}

var (
	firstNames = []string{"Alice", "Bob", "Carla", "Deepak", "Eve", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam", "Mei", "Nadia", "Oscar", "Priya"}
	lastNames  = []string{"Nguyen", "Martin", "Souza", "Iyer", "Müller", "Haddad", "Okafor", "Tanaka", "García", "Berg", "Adeyemi", "Walsh", "Chen", "Petrova", "Lindqvist", "Raman"}
	repoNames  = []string{"web-app", "api-server", "mobile-ios", "infra", "docs-site", "billing-service", "auth-gateway", "data-pipeline", "design-system", "cli"}
	prTitles   = []string{"Fix login redirect", "Add retry to webhook sender", "Refactor billing totals", "Bump dependencies", "Speed up search index", "Dark mode toggle", "Handle null tagIds", "Paginate project list", "Flaky test in sync", "Docs: quickstart"}
	plainWork  = []string{"Standup", "Sprint planning", "1:1", "Customer call", "Investigating alerts", "Code review", "Writing design doc", "Interviews", ""}
)

// capitalised returns s with its first letter in upper case.
func capitalised(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// Generate builds a deterministic workspace: members, projects named like repositories,
// and entries on working days. Descriptions mix what Clockify's GitHub button writes
// ("#123 Fix login redirect"), "PR #42 review", PR URLs, "PR-88", and plain work with no
// reference; a few entries cross midnight and one member has a timer running at Now.
// Every entry but the timer ends by Now; a later Now on the same day changes none of
// them and adds those that ended in between, as a workspace's history grows.
func Generate(opts GenerateOptions) *Fixture {
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Members <= 0 {
		opts.Members = 5
	}
	if opts.Projects <= 0 {
		opts.Projects = 6
	}
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Org == "" {
		opts.Org = "acme"
	}
	now := opts.Now.UTC().Truncate(time.Second)
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed*0x5851f42d4c957f2d+1))
	seq := 0
	id := func() string { seq++; return fmt.Sprintf("%08x%016x", uint32(opts.Seed), seq) }

	f := &Fixture{Org: opts.Org}
	f.Workspace = clockify.Workspace{
		ID:         id(),
		Name:       capitalised(opts.Org) + " Engineering",
		HourlyRate: &clockify.Rate{Amount: 15000, Currency: "AUD"},
		Settings:   &clockify.WorkspaceSettings{DefaultBillableProjects: true},
		Currencies: []clockify.Currency{{ID: id(), Code: "AUD", IsDefault: true}},
	}
	for i := range opts.Members {
		first := firstNames[(i+int(opts.Seed%uint64(len(firstNames))))%len(firstNames)]
		last := lastNames[(i*7+int(opts.Seed%uint64(len(lastNames))))%len(lastNames)]
		name := first + " " + last
		if i >= len(firstNames) {
			name = fmt.Sprintf("%s %s %d", first, last, i/len(firstNames))
		}
		email := strings.ToLower(fmt.Sprintf("%s.%s", asciiFold(first), asciiFold(last)))
		if i >= len(firstNames) {
			email += fmt.Sprint(i)
		}
		m := Member{
			User:   clockify.User{ID: id(), Name: name, Email: email + "@" + opts.Org + ".dev", Status: clockify.AccountActive},
			APIKey: fmt.Sprintf("fake-key-%d-%02d", opts.Seed, i),
			Admin:  i == 0,
		}
		f.Members = append(f.Members, m)
	}
	f.Owner, f.OwnerKey = f.Members[0].User, f.Members[0].APIKey

	for i := range opts.Projects {
		name := repoNames[i%len(repoNames)]
		if i >= len(repoNames) {
			name = fmt.Sprintf("%s-%d", name, i/len(repoNames))
		}
		p := clockify.Project{
			ID: id(), Name: name, WorkspaceID: f.Workspace.ID, Billable: i%4 != 3,
			Color: "#4CAF50", Public: true,
		}
		if i%3 == 0 {
			p.HourlyRate = &clockify.Rate{Amount: int64(12000 + 1000*i), Currency: "AUD"}
		}
		f.Projects = append(f.Projects, p)
	}
	f.Tags = []clockify.Tag{
		{ID: id(), Name: "review", WorkspaceID: f.Workspace.ID},
		{ID: id(), Name: "meeting", WorkspaceID: f.Workspace.ID},
	}

	startDay := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -opts.Days)
	for mi, m := range f.Members {
		for day := startDay; day.Before(now); day = day.AddDate(0, 0, 1) {
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			t := day.Add(time.Duration(8+rng.IntN(2))*time.Hour + time.Duration(rng.IntN(4))*15*time.Minute)
			for n := 2 + rng.IntN(3); n > 0; n-- {
				length := time.Duration(20+rng.IntN(160)) * time.Minute
				e := f.entry(rng, id(), m.User.ID, t, length)
				t = e.TimeInterval.End.Add(time.Duration(rng.IntN(4)) * 15 * time.Minute)
				if !e.TimeInterval.End.After(now) { // drawn all the same: the rest do not move with Now
					f.Entries = append(f.Entries, e)
				}
			}
			// Now and then someone works late, past midnight.
			if rng.IntN(12) == 0 {
				start := day.Add(23 * time.Hour)
				if e := f.entry(rng, id(), m.User.ID, start, 150*time.Minute); e.TimeInterval.End.Before(now) {
					f.Entries = append(f.Entries, e)
				}
			}
		}
		// The second member has a timer running.
		if mi == 1 {
			e := f.entry(rng, id(), m.User.ID, now.Add(-47*time.Minute), 0)
			e.TimeInterval.End, e.TimeInterval.Duration = nil, nil
			f.Entries = append(f.Entries, e)
		}
	}
	return f
}

// entry builds one entry with a generated description.
func (f *Fixture) entry(rng *rand.Rand, id, userID string, start time.Time, length time.Duration) clockify.TimeEntry {
	p := f.Projects[rng.IntN(len(f.Projects))]
	pr := 1 + rng.IntN(400)
	title := prTitles[rng.IntN(len(prTitles))]
	var desc string
	var tags []string
	switch k := rng.IntN(10); {
	case k < 3:
		desc = fmt.Sprintf("#%d %s", pr, title) // Clockify's and Toggl's GitHub button
	case k == 3:
		desc = fmt.Sprintf("PR #%d review", pr)
		tags = []string{f.Tags[0].ID}
	case k == 4:
		desc = fmt.Sprintf("Review https://github.com/%s/%s/pull/%d", f.Org, p.Name, pr)
		tags = []string{f.Tags[0].ID}
	case k == 5:
		desc = fmt.Sprintf("PR-%d %s", pr, strings.ToLower(title))
	default:
		desc = plainWork[rng.IntN(len(plainWork))]
		if desc == "Standup" || desc == "Sprint planning" || desc == "1:1" {
			tags = []string{f.Tags[1].ID}
		}
	}
	end := start.Add(length)
	d := clockify.Duration(length)
	return clockify.TimeEntry{
		ID: id, Description: desc, UserID: userID, WorkspaceID: f.Workspace.ID,
		ProjectID: p.ID, TagIDs: tags, Billable: p.Billable, Type: clockify.TimeEntryRegular,
		TimeInterval: clockify.TimeInterval{Start: start, End: &end, Duration: &d},
	}
}

// asciiFold drops the accents the generator's names use, for email addresses.
func asciiFold(s string) string {
	return strings.NewReplacer("ü", "u", "í", "i", "á", "a", "é", "e").Replace(s)
}

// Load stores a fixture: its workspace, members, tags, projects and entries. It sends no
// webhook deliveries. A nil fixture loads nothing.
func (s *Server) Load(f *Fixture) {
	if f == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.state.addWorkspace(f.Workspace)
	for _, m := range f.Members {
		s.state.addMember(f.Workspace.ID, m)
	}
	for _, t := range f.Tags {
		ws.tags[t.ID] = t
	}
	for _, p := range f.Projects {
		if _, err := s.state.putProject(ws, &p, true); err != nil {
			panic("clockifytest: Load: " + err.Error())
		}
	}
	for _, e := range f.Entries {
		// A generated entry was created when it ended (or, running, when it started).
		at := e.TimeInterval.Start
		if e.TimeInterval.End != nil {
			at = *e.TimeInterval.End
		}
		if _, err := s.state.putEntry(ws, &e, true, at); err != nil {
			panic("clockifytest: Load: " + err.Error())
		}
	}
}

// NewGeneratedServer starts a server loaded with Generate(opts).
func NewGeneratedServer(opts GenerateOptions, serverOpts ...Option) (*Server, *Fixture) {
	s := NewServer(serverOpts...)
	f := Generate(opts)
	s.Load(f)
	return s, f
}
