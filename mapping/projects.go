package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Project is a Clockify project.
type Project struct {
	ID   string
	Name string
}

// ProjectMapping maps a Clockify project to a repository by hand, with an optional custom
// match pattern (kept as text here; the linker compiles and validates it).
type ProjectMapping struct {
	ProjectID string
	Repo      string // "owner/repo"
	Pattern   string
}

// RepoError says what is wrong with an "owner/repo" name.
type RepoError struct {
	Repo   string
	Reason string
}

// Error says what is wrong with the repository name.
func (e *RepoError) Error() string {
	return fmt.Sprintf("mapping: repository %q: %s", e.Repo, e.Reason)
}

// ErrInvalidRepo is matched (errors.Is) by every *RepoError.
var ErrInvalidRepo = errors.New("mapping: invalid repository")

// Is makes errors.Is(err, ErrInvalidRepo) true.
func (e *RepoError) Is(target error) bool { return target == ErrInvalidRepo }

// ValidateRepo checks "owner/repo" against GitHub's rules and says what is wrong: the
// owner has 1 to 39 letters, digits or single hyphens, not at either end, and may be a
// managed user's login, which adds '_' and its enterprise's short code ("mona-cat_acme":
// such a user owns private repositories); the repository has 1 to 100 letters, digits,
// '.', '-' or '_', is not "." or "..", and does not end in ".git" (GitHub removes that
// suffix when it creates a repository, so no repository has it) or ".wiki" (kept for
// wikis).
func ValidateRepo(full string) error {
	bad := func(reason string) error { return &RepoError{Repo: full, Reason: reason} }
	owner, repo, ok := strings.Cut(full, "/")
	switch {
	case !ok:
		return bad(`want "owner/repo"`)
	case strings.Contains(repo, "/"):
		return bad("has more than one '/'")
	case owner == "":
		return bad("owner is empty")
	case len(owner) > 39:
		return bad("owner is longer than 39 characters")
	case owner[0] == '-' || owner[len(owner)-1] == '-':
		return bad("owner starts or ends with a hyphen")
	case strings.Contains(owner, "--"):
		return bad("owner has two hyphens in a row")
	case repo == "":
		return bad("repository name is empty")
	case len(repo) > 100:
		return bad("repository name is longer than 100 characters")
	case repo == "." || repo == "..":
		return bad(`repository name cannot be "." or ".."`)
	case strings.HasSuffix(repo, ".git"):
		return bad(`repository name ends in ".git", which GitHub removes: leave it out`)
	case strings.HasSuffix(repo, ".wiki"):
		return bad(`repository name ends in ".wiki", which GitHub keeps for wikis`)
	}
	for _, r := range owner {
		if !isASCIIAlnum(r) && r != '-' && r != '_' {
			return bad(fmt.Sprintf("owner has %q: only letters, digits, hyphens and a managed user's '_'", r))
		}
	}
	if !validLogin(owner) { // what is left: where its '_' stands
		return bad("owner has '_' elsewhere than once, between a managed user's handle and its enterprise's short code (mona-cat_acme)")
	}
	for _, r := range repo {
		if !isASCIIAlnum(r) && r != '-' && r != '.' && r != '_' {
			return bad(fmt.Sprintf("repository name has %q: only letters, digits, '.', '-' and '_'", r))
		}
	}
	return nil
}

func isASCIIAlnum(r rune) bool {
	return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// ProjectIssue flags a manual project mapping: a bad repository name, a project id that
// is not among the projects (kept, flagged), or a project mapped twice.
type ProjectIssue struct {
	ProjectID string
	Problem   string
}

// CheckProjectMappings validates manual mappings against the projects. Mappings with an
// unknown project are flagged, not dropped.
func CheckProjectMappings(projects []Project, mappings []ProjectMapping) []ProjectIssue {
	known := map[string]bool{}
	for _, p := range projects {
		known[p.ID] = true
	}
	var issues []ProjectIssue
	seen := map[string]bool{}
	for _, m := range mappings {
		if err := ValidateRepo(m.Repo); err != nil {
			issues = append(issues, ProjectIssue{m.ProjectID, err.Error()})
		}
		if !known[m.ProjectID] {
			issues = append(issues, ProjectIssue{m.ProjectID, "no such Clockify project"})
		}
		if seen[m.ProjectID] {
			issues = append(issues, ProjectIssue{m.ProjectID, "mapped more than once"})
		}
		seen[m.ProjectID] = true
	}
	return issues
}

// UnmappedProjects returns the projects without a manual mapping, in id order.
func UnmappedProjects(projects []Project, mappings []ProjectMapping) []Project {
	mapped := map[string]bool{}
	for _, m := range mappings {
		mapped[m.ProjectID] = true
	}
	var out []Project
	for _, p := range projects {
		if !mapped[p.ID] {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Project) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Suggestion proposes a repository for an unmapped project. It is never applied without
// the caller's say.
type Suggestion struct {
	ProjectID string
	Repo      string
	Score     float64
}

// SuggestRepos proposes, for each unmapped project, the repositories ("owner/repo")
// whose name is most like the project's ("Web App" ~ "web-app" ~ "acme/web-app"), or
// whose name's words are all among the project's, or the other way round
// ("ACME - Mobile App" ~ "acme/mobile-app", "Mobile App (iOS)" ~ "acme/ios-app",
// "Portal" ~ "acme/client-portal"): up to three per project, scoring at least minScore
// (0.85 when zero), best first.
func SuggestRepos(projects []Project, repos []string, mappings []ProjectMapping, minScore float64) []Suggestion {
	if minScore == 0 {
		minScore = 0.85
	}
	type repoKey struct {
		full string
		name slugName
	}
	keys := make([]repoKey, 0, len(repos))
	for _, r := range repos {
		_, name, ok := strings.Cut(r, "/")
		if !ok {
			name = r
		}
		keys = append(keys, repoKey{full: r, name: newSlugName(name)})
	}
	bestFirst := func(a, b Suggestion) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Repo, b.Repo))
	}
	var out []Suggestion
	top := make([]Suggestion, 0, maxSuggestions+1)
	for _, p := range UnmappedProjects(projects, mappings) {
		name := newSlugName(p.Name)
		if len(name.runes) == 0 {
			continue
		}
		top = top[:0]
		for i := range keys {
			k := &keys[i]
			if s := repoScore(&name, &k.name); s >= minScore {
				sug := Suggestion{ProjectID: p.ID, Repo: k.full, Score: s}
				if at, _ := slices.BinarySearchFunc(top, sug, bestFirst); at < maxSuggestions {
					top = slices.Insert(top, at, sug)
					top = top[:min(len(top), maxSuggestions)]
				}
			}
		}
		out = append(out, top...)
	}
	return out
}

// maxSuggestions is how many repositories SuggestRepos proposes for a project at most.
const maxSuggestions = 3

// slugName is a name's slug as SuggestRepos compares it.
type slugName struct {
	text  string
	runes []rune
	// words has a bit for each word of the slug, by its hash: a name lacking one of
	// another's bits lacks one of its words.
	words uint64
}

// newSlugName folds a name with slug and keeps its runes and its words' bits.
func newSlugName(name string) slugName {
	s := slugName{text: slug(name)}
	s.runes = []rune(s.text)
	for w := range strings.SplitSeq(s.text, "-") {
		h := uint64(0)
		for i := range len(w) {
			h = h*31 + uint64(w[i])
		}
		s.words |= 1 << (h % 64)
	}
	return s
}

// repoScore scores a project's name against a repository's: their Jaro-Winkler
// similarity, or containedScore when one holds the other's words and that is more.
func repoScore(project, repo *slugName) float64 {
	s := jaroWinkler(project.runes, repo.runes)
	if s == 1 {
		return 1
	}
	return max(s, containedScore(project, repo))
}

// containedScore scores two names the longer of which holds every word of the other
// ("mobile-app" in "acme-mobile-app", "ios-app" in "mobile-app-ios"), or which are as
// long and have the same words ("service-billing", "billing-service"): 0.85 and up to
// 0.14 more by the shorter's share of the longer's length (0.94, 0.92 and 0.99 there), so
// that of two names a project holds, the one covering more of it ranks first, and only
// the same name scores 1. It is 0 for other names, and the same whichever comes first.
func containedScore(a, b *slugName) float64 {
	if len(a.text) > len(b.text) {
		a, b = b, a
	}
	if a.words&^b.words != 0 || !holdsWords(b.text, a.text) ||
		len(a.text) == len(b.text) && !holdsWords(a.text, b.text) {
		return 0
	}
	na, nb := len(a.runes), len(b.runes) // the fewer bytes may be more runes
	return 0.85 + 0.14*float64(min(na, nb))/float64(max(na, nb))
}

// holdsWords reports whether every word of slug words is a word of slug s.
func holdsWords(s, words string) bool {
	if words == "" {
		return false
	}
	for w := range strings.SplitSeq(words, "-") {
		if !hasWord(s, w) {
			return false
		}
	}
	return true
}

// hasWord reports whether slug s has the word w.
func hasWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || s[j-1] == '-') && (end == len(s) || s[end] == '-') {
			return true
		}
		i = j + 1
	}
}

// slug folds a project or repository name to compare: accents folded, lower case, and
// every run of other characters a single hyphen ("Web App" and "web_app" are "web-app").
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range foldName(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
