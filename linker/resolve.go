package linker

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Pattern is a project's custom match pattern: a regular expression with a named group
// "number" for the PR number and, optionally, a group "repo" for the repository ("repo"
// or "owner/repo"). Build one with [CompilePattern].
type Pattern struct {
	re      *regexp.Regexp
	numIdx  int
	repoIdx int // -1 without a repo group
}

// ErrPatternNoNumber is returned by [CompilePattern] for a pattern without a "number" group.
var ErrPatternNoNumber = errors.New(`linker: a custom pattern needs a named group for the PR number, such as (?P<number>\d+)`)

// Bounds of a custom pattern. A regular expression runs in time proportional to the
// text's length times the size of its compiled program, on every description of its
// project's entries: a pattern of 45,000 instructions (a few {1000} repeats) takes
// seconds on one long description, and one of a hundred thousand groups exhausts memory.
const (
	// MaxPatternBytes bounds a custom pattern's source.
	MaxPatternBytes = 512
	// MaxPatternInstructions bounds its compiled program, in which each repeat counts as
	// many times as it repeats: [a-z]{100} is 100 instructions, \bWEB-(?P<number>\d+)
	// about a dozen.
	MaxPatternInstructions = 1000
)

// ErrPatternTooLarge is returned by [CompilePattern] for a pattern over
// MaxPatternBytes or MaxPatternInstructions.
var ErrPatternTooLarge = fmt.Errorf("linker: a custom pattern may have at most %d bytes and %d instructions once compiled (a repeat such as {100} counts 100 times)",
	MaxPatternBytes, MaxPatternInstructions)

// CompilePattern compiles a custom match pattern and checks its size and groups.
func CompilePattern(expr string) (*Pattern, error) {
	if len(expr) > MaxPatternBytes {
		return nil, ErrPatternTooLarge
	}
	parsed, err := syntax.Parse(expr, syntax.Perl) // as regexp.Compile parses it
	if err != nil {
		return nil, fmt.Errorf("linker: custom pattern: %w", err)
	}
	if prog, err := syntax.Compile(parsed.Simplify()); err != nil || len(prog.Inst) > MaxPatternInstructions {
		return nil, ErrPatternTooLarge
	}
	re := regexp.MustCompile(expr) // it parsed above
	p := &Pattern{re: re, numIdx: re.SubexpIndex("number"), repoIdx: re.SubexpIndex("repo")}
	if p.numIdx < 0 {
		return nil, ErrPatternNoNumber
	}
	return p, nil
}

// String returns the pattern's source.
func (p *Pattern) String() string { return p.re.String() }

// appendMatches appends the pattern's references in text.
func (p *Pattern) appendMatches(dst []Ref, text string) []Ref {
	for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
		a, b := m[2*p.numIdx], m[2*p.numIdx+1]
		if a < 0 {
			continue
		}
		n, err := strconv.Atoi(text[a:b])
		if err != nil || n < 1 || n > MaxNumber {
			continue
		}
		r := Ref{Kind: KindCustom, Number: n, Start: m[0], End: m[1]}
		if p.repoIdx >= 0 && m[2*p.repoIdx] >= 0 {
			repo := text[m[2*p.repoIdx]:m[2*p.repoIdx+1]]
			var ok bool
			if strings.Contains(repo, "/") {
				r.Owner, r.Repo, ok = splitRepo(repo)
			} else {
				r.Repo = strings.TrimSuffix(repo, ".git")
				ok = validRepo(r.Repo)
			}
			if !ok {
				continue
			}
		}
		dst = append(dst, r)
	}
	return dst
}

// Project is what the caller knows of a time entry's Clockify project: the repository it
// maps to ("owner/repo", empty when unmapped; a ".git" suffix is dropped, as GitHub does)
// and an optional custom pattern.
type Project struct {
	Repo    string
	Pattern *Pattern
}

// Link is a reference resolved, when possible, to a repository.
type Link struct {
	Ref
	// Owner and Repo name the repository the reference resolves to; both are empty when
	// it could not be known (a bare #N in an unmapped project).
	Owner, Repo string
}

// Resolved reports whether the link names its repository.
func (l Link) Resolved() bool { return l.Owner != "" && l.Repo != "" }

// String formats the link as owner/repo#N, or #N when unresolved.
func (l Link) String() string {
	if !l.Resolved() {
		return "#" + strconv.Itoa(l.Number)
	}
	return l.Owner + "/" + l.Repo + "#" + strconv.Itoa(l.Number)
}

// Resolve finds the references in text and resolves each to owner/repo#N: a repository
// named in the text wins; otherwise the project's repository is used. The project's
// custom pattern applies first, and built-in matches that overlap its matches are
// dropped. A reference whose repository cannot be known is returned unresolved, never
// guessed. Links come in text order; each resolved PR or issue appears once, in its
// most confident form.
func (p *Parser) Resolve(text string, proj Project) []Link {
	var refs []Ref
	if proj.Pattern != nil {
		refs = proj.Pattern.appendMatches(refs, text)
	}
	custom := len(refs)
	for _, r := range p.Find(text) {
		if !overlaps(refs[:custom], r) {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	slices.SortStableFunc(refs, func(a, b Ref) int { return a.Start - b.Start })
	projOwner, projRepo, _ := splitRepo(proj.Repo)
	links := make([]Link, 0, len(refs))
	for _, r := range refs {
		l := Link{Ref: r}
		switch {
		case r.Owner != "" && r.Repo != "":
			l.Owner, l.Repo = r.Owner, r.Repo
		case r.Repo != "" && projOwner != "":
			l.Owner, l.Repo = projOwner, r.Repo // a custom pattern's bare repo, in the project's owner
		case r.Repo == "" && projRepo != "":
			l.Owner, l.Repo = projOwner, projRepo
		}
		links = appendUniqueLink(links, l)
	}
	if len(links) > scanLimit {
		links = keepSurest(links, 0, linkTarget)
	}
	return links
}

// splitRepo splits "owner/repo" into valid names, dropping a ".git" suffix as GitHub
// does from the names it creates repositories with; both are empty when it is not one.
func splitRepo(full string) (owner, repo string, ok bool) {
	owner, repo, _ = strings.Cut(full, "/")
	repo = strings.TrimSuffix(repo, ".git")
	if !validOwner(owner) || !validRepo(repo) {
		return "", "", false
	}
	return owner, repo, true
}

// linkTarget is the target of a link: the repository it resolves to, not the one its
// text names.
func linkTarget(l *Link) target {
	return target{strings.ToLower(l.Owner), strings.ToLower(l.Repo), l.Number, l.Issue}
}

// overlaps reports whether r overlaps one of refs, which are in text order and do not
// overlap each other (a regular expression's matches).
func overlaps(refs []Ref, r Ref) bool {
	k := sort.Search(len(refs), func(k int) bool { return refs[k].End > r.Start })
	return k < len(refs) && refs[k].Start < r.End
}

// appendUniqueLink is appendUnique for links: past scanLimit links it only appends, and
// Resolve calls keepSurest at its end.
func appendUniqueLink(links []Link, l Link) []Link {
	if len(links) > scanLimit {
		return append(links, l)
	}
	for k := range links {
		o := &links[k]
		if o.Number == l.Number && o.Issue == l.Issue && equalFold(o.Owner, l.Owner) && equalFold(o.Repo, l.Repo) {
			if l.Confidence() > o.Confidence() {
				*o = l
			}
			return links
		}
	}
	return append(links, l)
}
