package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/heyjasper/jasper-clockify/internal/storable"
	"github.com/heyjasper/jasper-clockify/linker"
	"github.com/heyjasper/jasper-clockify/mapping"
)

// projectIndex is what the linker needs of each project: its repository and pattern.
type projectIndex map[string]linker.Project

// projectIndex indexes a workspace's project mappings. A stored pattern that no longer
// compiles (SetProjectMapping refuses one) is left out, with a warning.
func (e *Engine) projectIndex(ctx context.Context, ms []ProjectMapping) projectIndex {
	idx := make(projectIndex, len(ms))
	for _, m := range ms {
		p := linker.Project{Repo: m.Repo}
		if m.Pattern != "" {
			var err error
			if p.Pattern, err = linker.CompilePattern(m.Pattern); err != nil {
				e.log.WarnContext(ctx, "clockifysync: stored project pattern does not compile", "workspace", m.WorkspaceID, "project", m.ProjectID, "error", err)
			}
		}
		idx[m.ProjectID] = p
	}
	return idx
}

// linkAndWrite sets the auto links of entries of a workspace, resolved with the project
// mappings stored now and with the workspace's parser (its GitHub host), and writes the
// entries with write. A project mapped (or unmapped) meanwhile, or the host changed, may
// have had the stored entries linked again before the write, so the mappings and the
// host are read again after it, and while they have changed the entries' links are set
// and replaced again (ReplaceAutoLinks keeps those of entries another writer changed
// since).
func (e *Engine) linkAndWrite(ctx context.Context, workspaceID string, entries []Entry, write func([]Entry) error) error {
	ms, err := e.store.ProjectMappings(ctx, workspaceID)
	if err != nil {
		return err
	}
	p, host, err := e.parserFor(ctx, workspaceID)
	if err != nil {
		return err
	}
	for {
		idx := e.projectIndex(ctx, ms)
		for i := range entries {
			entries[i].Links = autoLinks(p, &entries[i], idx)
		}
		if err := write(entries); err != nil {
			return err
		}
		wasMappings, wasHost := ms, host
		if ms, err = e.store.ProjectMappings(ctx, workspaceID); err != nil {
			return err
		}
		if p, host, err = e.parserFor(ctx, workspaceID); err != nil || slices.Equal(ms, wasMappings) && host == wasHost {
			return err
		}
		write = func(entries []Entry) error { return e.store.ReplaceAutoLinks(ctx, entries) }
	}
}

// autoLinks returns the references the parser finds in the entry's description,
// resolved with its project's mapping.
func autoLinks(p *linker.Parser, en *Entry, idx projectIndex) []Link {
	found := p.Resolve(en.Description, idx[en.ProjectID])
	if len(found) == 0 {
		return nil
	}
	links := make([]Link, len(found))
	for i, l := range found {
		links[i] = Link{
			WorkspaceID: en.WorkspaceID, EntryID: en.ID, Owner: l.Owner, Repo: l.Repo, Number: l.Number,
			Issue: l.Issue, Source: SourceAuto, Pattern: l.Kind.String(), Text: en.Description[l.Start:l.End],
			Confidence: float32(l.Confidence()),
		}
	}
	return links
}

// MaxProjectMappings bounds how many projects of a workspace are mapped to a repository
// (SetProjectMapping): every write of entries reads their mappings.
const MaxProjectMappings = 10000

// SetProjectMapping maps a project to a repository, with an optional custom pattern, and
// links the project's stored entries again. A bad repository or pattern (one holding
// NUL too, which the stores would not keep alike), a project id that is blank, is not
// UTF-8, holds NUL, is over 255 bytes long or is "." or "..", or a new project's
// mapping past MaxProjectMappings (mappings made at once may pass it by their number)
// is an InputError, and a workspace never connected (or purged) ErrNotConnected;
// neither stores anything.
func (e *Engine) SetProjectMapping(ctx context.Context, m ProjectMapping) error {
	if m.WorkspaceID == "" || m.ProjectID == "" {
		return inputError("mapping", "a workspace and a project are required")
	}
	if err := checkID("project", m.ProjectID); err != nil {
		return err
	}
	if err := mapping.ValidateRepo(m.Repo); err != nil {
		return inputError("repo", "%v", err)
	}
	if m.Pattern != "" {
		if _, err := linker.CompilePattern(m.Pattern); err != nil {
			return inputError("pattern", "%v", err)
		}
		if storable.Text(m.Pattern) != m.Pattern { // a NUL: PostgreSQL would keep U+FFFD in its place
			return inputError("pattern", "holds NUL, which no description kept does")
		}
	}
	if _, err := e.store.Connection(ctx, m.WorkspaceID); errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotConnected, m.WorkspaceID)
	}
	ms, err := e.store.ProjectMappings(ctx, m.WorkspaceID)
	if err != nil {
		return err
	}
	if len(ms) >= MaxProjectMappings && !slices.ContainsFunc(ms, func(x ProjectMapping) bool { return x.ProjectID == m.ProjectID }) {
		return inputError("project", "a workspace keeps the mappings of at most %d projects", MaxProjectMappings)
	}
	if err := e.store.SetProjectMapping(ctx, m); err != nil {
		return err
	}
	if err := e.relink(ctx, m.WorkspaceID, m.ProjectID); err != nil {
		return err
	}
	return e.unlessPurged(ctx, m.WorkspaceID)
}

// maxIDBytes bounds an id that a call stores as the caller gives it. Clockify's ids are
// 24 hexadecimal digits; PostgreSQL indexes no key much longer than 2,700 bytes.
const maxIDBytes = 255

// checkID returns an InputError for an empty id (or only spaces, which a rate card
// takes for none), and for one that no Clockify entity has and either not every store
// keeps alike (one that is not UTF-8, holds NUL, or is longer than maxIDBytes) or the
// client refuses in a path ("." and "..").
func checkID(field, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return inputError(field, "required")
	case len(id) > maxIDBytes || storable.Text(id) != id:
		return inputError(field, "an id is UTF-8 without NUL, of at most %d bytes", maxIDBytes)
	case id == "." || id == "..":
		return inputError(field, "a dot segment, not an id")
	}
	return nil
}

// DeleteProjectMapping removes a project's mapping and links its stored entries again:
// their bare references become unresolved.
func (e *Engine) DeleteProjectMapping(ctx context.Context, workspaceID, projectID string) error {
	if err := e.store.DeleteProjectMapping(ctx, workspaceID, projectID); err != nil {
		return err
	}
	if err := e.relink(ctx, workspaceID, projectID); err != nil {
		return err
	}
	return e.unlessPurged(ctx, workspaceID)
}

// relink computes the auto links of a project's stored entries again (of all the
// workspace's when projectID is empty). It replaces only the links, of the entries still
// as it read them: an entry a sync or a webhook changed meanwhile keeps what that writer
// stored.
func (e *Engine) relink(ctx context.Context, workspaceID, projectID string) error {
	entries, err := e.store.Entries(ctx, EntryQuery{WorkspaceID: workspaceID, ProjectID: projectID, IncludeDeleted: true})
	if err != nil || len(entries) == 0 {
		return err
	}
	return e.linkAndWrite(ctx, workspaceID, entries, func(entries []Entry) error { return e.store.ReplaceAutoLinks(ctx, entries) })
}

// SetGitHubHost sets the host of a workspace's GitHub Enterprise (as
// ConnectRequest.GitHubHost; empty for none), whose pull-request URLs its entries link,
// and links its stored entries again. A host the linker refuses (not a bare domain name
// such as github.acme.corp) is an InputError, and a workspace never connected
// ErrNotConnected; neither changes anything.
func (e *Engine) SetGitHubHost(ctx context.Context, workspaceID, host string) error {
	h, err := e.checkGitHubHost(host)
	if err != nil {
		return err
	}
	err = e.updateSettings(ctx, workspaceID, func(c *Connection) error {
		c.GitHubHost = h
		return nil
	})
	if err != nil {
		return err
	}
	if err := e.relink(ctx, workspaceID, ""); err != nil {
		return err
	}
	return e.unlessPurged(ctx, workspaceID)
}

// checkGitHubHost returns a GitHub host as a connection keeps it, a bare domain name in
// lower case as the linker reads it (empty for none), or an InputError for one the
// linker refuses.
func (e *Engine) checkGitHubHost(host string) (string, error) {
	if strings.TrimSpace(host) == "" {
		return "", nil
	}
	p, err := e.parser.With(linker.WithHost(host))
	if err != nil {
		return "", inputError("github host", "%v", err)
	}
	hosts := p.Hosts()
	return hosts[len(hosts)-1], nil
}

// MaxManualLinks bounds the links an entry is given by hand (LinkManually): its time is
// split among them, and every read of the entry carries them.
const MaxManualLinks = 100

// LinkManually links an entry to "owner/repo#N" (or a pull request's URL, on github.com,
// a host of the engine's parser or the workspace's GitHub host) by hand. The link
// survives every re-sync, and an entry's manual links replace its auto links in
// LinkedEntries. An unknown entry is ErrNotFound; a bad target, or a new one for an
// entry that has MaxManualLinks already, is an InputError (links made at once on one
// entry are counted apart, and may pass the bound by their number). A link written
// while the workspace was purged is deleted again, and ErrNotConnected returned
// (SetProjectMapping and SetUserMapping do the same).
func (e *Engine) LinkManually(ctx context.Context, workspaceID, entryID, target string) error {
	l, err := e.manualLinkOf(ctx, workspaceID, entryID, target)
	if err != nil {
		return err
	}
	if _, err := e.store.Entry(ctx, workspaceID, entryID); err != nil {
		return err
	}
	have, err := e.store.ManualLinks(ctx, workspaceID, entryID)
	if err != nil {
		return err
	}
	if len(have) >= MaxManualLinks && !slices.ContainsFunc(have, func(h Link) bool { return h.SameTarget(l) }) {
		return inputError("target", "an entry keeps at most %d links made by hand", MaxManualLinks)
	}
	l.Created = e.now().UTC()
	if err := e.store.AddManualLink(ctx, l); err != nil {
		return err
	}
	return e.unlessPurged(ctx, workspaceID)
}

// Unlink removes a manual link made with LinkManually, or returns ErrNotFound.
func (e *Engine) Unlink(ctx context.Context, workspaceID, entryID, target string) error {
	l, err := e.manualLinkOf(ctx, workspaceID, entryID, target)
	if err != nil {
		return err
	}
	return e.store.RemoveManualLink(ctx, l)
}

// manualLinkOf is manualLink with the workspace's parser.
func (e *Engine) manualLinkOf(ctx context.Context, workspaceID, entryID, target string) (Link, error) {
	p, _, err := e.parserFor(ctx, workspaceID)
	if err != nil {
		return Link{}, err
	}
	return manualLink(p, workspaceID, entryID, target)
}

// manualLink parses "owner/repo#N", or a URL on a host the parser knows, into a manual
// link.
func manualLink(p *linker.Parser, workspaceID, entryID, target string) (Link, error) {
	if workspaceID == "" || entryID == "" {
		return Link{}, inputError("entry", "a workspace and an entry are required")
	}
	r, ok := parseTarget(p, target)
	if !ok {
		return Link{}, inputError("target", "want owner/repo#N or a pull-request URL")
	}
	return Link{
		WorkspaceID: workspaceID, EntryID: entryID, Owner: r.Owner, Repo: r.Repo, Number: r.Number,
		Issue: r.Issue, Source: SourceManual, Pattern: string(SourceManual), Confidence: 1,
	}, nil
}

// ParsePR reads a pull request's "owner/repo#N" or github.com URL, as EntryQuery.PR
// holds it. Anything else, an issue's URL included, is an InputError. (The engine also
// reads URLs on the hosts of its parser, WithParser, and on the workspace's GitHub host,
// and hands the store owner/repo#N.)
func ParsePR(s string) (owner, repo string, number int, err error) {
	return parsePR(nil, s)
}

func parsePR(p *linker.Parser, s string) (owner, repo string, number int, err error) {
	r, ok := parseTarget(p, s)
	if !ok || r.Issue {
		return "", "", 0, inputError("pr", "want owner/repo#N or a pull-request URL")
	}
	return r.Owner, r.Repo, r.Number, nil
}

// parseTarget reads "owner/repo#N", a pull-request URL or an issue URL (on a host the
// parser knows; github.com with a nil one), and nothing else.
func parseTarget(p *linker.Parser, s string) (linker.Ref, bool) {
	s = strings.TrimSpace(s)
	refs := p.Find(s)
	if len(refs) != 1 || refs[0].Kind != linker.KindRepoRef && refs[0].Kind != linker.KindURL ||
		refs[0].Start != 0 || refs[0].End != len(s) {
		return linker.Ref{}, false
	}
	return refs[0], true
}

// LinkedEntry is a stored entry with the links that count for it: its manual links when
// it has any, else its auto links.
type LinkedEntry struct {
	Entry
	Effective []Link
}

// LinkedEntries returns the entries the query selects, each with its effective links. The
// query names a workspace (manual links are kept per workspace); without one, with a
// negative Limit, or with a PR that is neither owner/repo#N nor a pull-request URL (on
// github.com, a host of the engine's parser or the workspace's GitHub host), it is an
// InputError. With a PR, the entries are those whose effective links name it: the time a
// pull request's page shows. With a Limit, it returns a page of at most that many; the
// next page is the same query with After set to the last entry's Cursor, until a page
// comes back short.
func (e *Engine) LinkedEntries(ctx context.Context, q EntryQuery) ([]LinkedEntry, error) {
	if q.WorkspaceID == "" {
		return nil, inputError("workspace", "required")
	}
	if q.Limit < 0 {
		return nil, inputError("limit", "negative (%d)", q.Limit)
	}
	var names func(Link) bool // with a PR, whether a link names it
	if q.PR != "" {
		p, _, err := e.parserFor(ctx, q.WorkspaceID)
		if err != nil {
			return nil, err
		}
		owner, repo, number, err := parsePR(p, q.PR)
		if err != nil {
			return nil, err
		}
		names = func(l Link) bool { return l.IsPR(owner, repo, number) }
		q.PR = Link{Owner: owner, Repo: repo, Number: number}.Target() // the store reads github.com's forms only
	}
	limit := q.Limit
	var out []LinkedEntry
	for {
		entries, err := e.store.Entries(ctx, q)
		if err != nil {
			return nil, err
		}
		if out, err = e.appendLinked(ctx, out, q.WorkspaceID, entries, names, names != nil || limit > 0); err != nil {
			return nil, err
		}
		if limit > 0 && len(out) > limit {
			out = out[:limit] // from a store that does not page
		}
		// With a PR, the store's entries whose manual links name another are dropped:
		// a page read short of the limit goes on after the last one read, unless the
		// store gave all it had (or, not paging, more than asked).
		if limit == 0 || len(out) == limit || len(entries) != q.Limit {
			return out, nil
		}
		q.After, q.Limit = entries[len(entries)-1].Cursor(), limit-len(out)
	}
}

// appendLinked appends the entries with their effective links, those that name the pull
// request only when names is set. With byID, it reads the manual links of these entries
// only (a PR's or a page's few), else every one of the workspace.
func (e *Engine) appendLinked(ctx context.Context, out []LinkedEntry, ws string, entries []Entry, names func(Link) bool,
	byID bool) ([]LinkedEntry, error) {
	var ids []string
	if byID {
		if len(entries) == 0 {
			return out, nil
		}
		ids = make([]string, len(entries))
		for i := range entries {
			ids[i] = entries[i].ID
		}
	}
	manual, err := e.store.ManualLinks(ctx, ws, ids...)
	if err != nil {
		return nil, err
	}
	byEntry := map[string][]Link{}
	for _, l := range manual {
		byEntry[l.EntryID] = append(byEntry[l.EntryID], l)
	}
	for _, en := range entries {
		le := LinkedEntry{Entry: en, Effective: en.Links}
		if m := byEntry[en.ID]; len(m) > 0 {
			le.Effective = m
		}
		if names == nil || slices.ContainsFunc(le.Effective, names) {
			out = append(out, le)
		}
	}
	return out, nil
}

// SetUserMapping maps a member to a GitHub login by hand. It always wins over email and
// name matching, survives every re-sync, and applies to the stored member at once. An
// unknown member is ErrNotFound; a login GitHub would not accept is an InputError. A
// mapping written while the workspace was purged is deleted again, with the member it
// wrote, and ErrNotConnected returned.
func (e *Engine) SetUserMapping(ctx context.Context, m UserMapping) error {
	members, err := e.store.Members(ctx, m.WorkspaceID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(members, func(x Member) bool { return x.ID == m.MemberID })
	if i < 0 {
		return fmt.Errorf("member %q: %w", m.MemberID, ErrNotFound)
	}
	res, err := mapping.UserMatcher{}.Match([]mapping.Member{{ID: m.MemberID}}, nil, []mapping.Manual{{MemberID: m.MemberID, Login: m.Login}})
	if err != nil {
		return inputError("login", "%v", err)
	}
	match, _ := res.Match(m.MemberID)
	if err := e.store.SetUserMapping(ctx, UserMapping{WorkspaceID: m.WorkspaceID, MemberID: m.MemberID, Login: match.Login}); err != nil {
		return err
	}
	member := members[i]
	member.Login, member.Method, member.Score = match.Login, string(match.Method), match.Score
	if err := e.store.PutMembers(ctx, []Member{member}); err != nil {
		return err
	}
	return e.unlessPurged(ctx, m.WorkspaceID)
}

// DeleteUserMapping removes a member's manual mapping; the next sync maps the member by
// email or name again. It returns ErrNotFound when there was none.
func (e *Engine) DeleteUserMapping(ctx context.Context, workspaceID, memberID string) error {
	return e.store.DeleteUserMapping(ctx, workspaceID, memberID)
}

// UnmappedProjects returns the workspace's projects (not deleted) that map to no
// repository: their entries' bare #123 references stay unresolved.
func (e *Engine) UnmappedProjects(ctx context.Context, workspaceID string) ([]Project, error) {
	projects, err := e.store.Projects(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	mappings, err := e.store.ProjectMappings(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	var out []Project
	for _, p := range projects {
		if p.Deleted.IsZero() && !slices.ContainsFunc(mappings, func(m ProjectMapping) bool { return m.ProjectID == p.ID }) {
			out = append(out, p)
		}
	}
	return out, nil
}

// SuggestRepos proposes repositories for the workspace's unmapped projects, from the
// host's list of repositories ("owner/repo"): up to three per project whose names are
// alike or one of which holds the other's words, best first (mapping.SuggestRepos, at its
// default score). Nothing is mapped until the caller calls SetProjectMapping.
func (e *Engine) SuggestRepos(ctx context.Context, workspaceID string, repos []string) ([]mapping.Suggestion, error) {
	projects, err := e.UnmappedProjects(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	in := make([]mapping.Project, len(projects))
	for i, p := range projects {
		in[i] = mapping.Project{ID: p.ID, Name: p.Name}
	}
	return mapping.SuggestRepos(in, repos, nil, 0), nil
}
