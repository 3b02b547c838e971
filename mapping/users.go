package mapping

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Member is a Clockify workspace member.
type Member struct {
	ID    string
	Name  string
	Email string
	// Status is kept for the caller; matching reads no status: a deactivated member's
	// past entries need a login as much as anyone's.
	Status string
}

// Contributor is a GitHub user who may have done the work.
type Contributor struct {
	// Login is the GitHub login; a managed user's ends in its enterprise's short code
	// ("mona-cat_acme"), which name matching leaves aside.
	Login string
	// Name is the display name, possibly empty.
	Name string
	// Emails are the addresses known for the user, noreply addresses included.
	Emails []string
}

// Manual maps a Clockify member to a GitHub login by hand. It always wins and is never
// overwritten; two manual mappings may name the same login on purpose.
type Manual struct {
	MemberID string
	Login    string
}

// Method says how a member was mapped.
type Method string

// Mapping methods, strongest first.
const (
	MethodManual Method = "manual"
	MethodEmail  Method = "email"
	MethodName   Method = "name"
)

// Candidate is a possible login for a member, with its name-similarity score.
type Candidate struct {
	Login string
	Score float64
}

// UserMatch is the outcome for one member: a login with its method and score, or an
// empty Login with the Reason and the best Candidates.
type UserMatch struct {
	MemberID string
	Login    string
	Method   Method
	Score    float64
	// Candidates are the best name matches: up to three scoring at least
	// Threshold−Margin (those that could decide), listed whether or not one was taken.
	Candidates []Candidate
	// Reason says why the member is unmapped.
	Reason string
	// UnknownLogin flags a login that is not among the contributors (a manual mapping
	// kept as given, or a noreply address).
	UnknownLogin bool
}

// Mapped reports whether the member has a login.
func (m UserMatch) Mapped() bool { return m.Login != "" }

// Conflict is a login that several members would have had automatically.
type Conflict struct {
	Login     string
	MemberIDs []string
}

// UserResult is the mapping of every member, in member-id order.
type UserResult struct {
	Matches   []UserMatch
	Conflicts []Conflict
}

// Match returns the outcome for a member.
func (r *UserResult) Match(memberID string) (UserMatch, bool) {
	i, ok := slices.BinarySearchFunc(r.Matches, memberID, func(m UserMatch, id string) int { return strings.Compare(m.MemberID, id) })
	if !ok {
		return UserMatch{}, false
	}
	return r.Matches[i], true
}

// Defaults of a UserMatcher.
const (
	DefaultThreshold = 0.94
	DefaultMargin    = 0.03
)

// UserMatcher maps Clockify members to GitHub users: manual mappings first, then email
// (case-insensitive, Unicode-normalised; a noreply address names its login), then name
// similarity. The name score, in [0, 1], is the higher of the token-set Jaro-Winkler
// similarity of the normalised names (accents folded, Cyrillic and Greek transliterated,
// "Doe, John" read as "John Doe", middle initials dropped; a nickname as close to each
// formal name it shortens as that name itself, Sam to Samuel and to Samantha; a name's
// masculine and feminine forms far apart, Alexander and Alexandra; 0.97 for one name in
// words split otherwise, 山田 太郎 and 山田太郎, Mary Ann Lee and Maryann Lee, Kim Min-jun and
// Minjun Kim, though in Latin letters one word is not several run together) and the
// similarity of the name to the login's usual spellings (johndoe, jdoe, johnd, ...; of
// the nickname and of the formal names). Names of two generations (Jr. and Sr., II and
// III) score 0; a generation written on one side only is left aside. The login is not
// compared when the account's display name names someone else, sharing a word with the
// member's name and putting another in place of one of its own (jsmith, "Jane Smith", for
// John Smith). Only a name's first 256 bytes and first twelve words are compared, which
// keeps the cost of a pair bounded whatever the names hold. A name match is taken only
// when the best candidate scores at least Threshold and beats the second by at least
// Margin. No login is given to two members automatically. The zero value uses the
// defaults.
type UserMatcher struct {
	Threshold float64
	Margin    float64
	// AllPairs scores every member against every contributor instead of only those that
	// share a blocking key (a spelling of a name token, or the first three letters of a
	// login spelling of the name). It is there to check the index, and is slower; it finds
	// more only for a pair no token of which is spelled alike, each misspelled on one side
	// (Jonathan Smithson, Jonathon Smithsen), or a login misspelled in its first letters.
	AllPairs bool
}

// InputError reports bad input: a duplicate or empty id, a manual mapping for a member
// that does not exist, two manual mappings of one member to different logins, or a
// threshold or margin outside [0, 1]. Nothing is mapped when it is returned.
type InputError struct {
	Field, Value, Reason string
}

// Error says which input is wrong and why.
func (e *InputError) Error() string {
	return fmt.Sprintf("mapping: %s %q: %s", e.Field, e.Value, e.Reason)
}

// ErrInput is matched (errors.Is) by every *InputError.
var ErrInput = errors.New("mapping: bad input")

// Is makes errors.Is(err, ErrInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// indexedContributor is a contributor prepared for comparison.
type indexedContributor struct {
	login     string
	lower     string
	name      person
	loginSegs []string
	// loginNames are the login's parts and the formal names of the nicknames among
	// them (sam-taylor: sam, taylor, samuel, samantha).
	loginNames  []string
	loginJoined []rune
}

// newIndexedContributor prepares a contributor's login and name for comparisons.
func newIndexedContributor(login, name string) indexedContributor {
	segs := loginTokens(login)
	names := segs
	for _, seg := range segs {
		if formal := nicknames[seg]; len(formal) > 0 {
			names = append(slices.Clip(names), formal...)
		}
	}
	return indexedContributor{login: login, lower: strings.ToLower(login), name: newPerson(nameTokens(name), false),
		loginSegs: segs, loginNames: names, loginJoined: []rune(strings.Join(segs, ""))}
}

// proposal is an automatic match before conflicts are settled.
type proposal struct {
	member int
	method Method
}

// Match maps every member. The same input in any order gives the same result.
func (m UserMatcher) Match(members []Member, contributors []Contributor, manual []Manual) (*UserResult, error) {
	threshold, margin := m.Threshold, m.Margin
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	if margin == 0 {
		margin = DefaultMargin
	}
	if err := checkUnit("threshold", threshold); err != nil {
		return nil, err
	}
	if err := checkUnit("margin", margin); err != nil {
		return nil, err
	}
	members = slices.Clone(members)
	slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.ID, b.ID) })
	for i, mem := range members {
		if strings.TrimSpace(mem.ID) == "" {
			return nil, &InputError{"member id", mem.ID, "is empty"}
		}
		if i > 0 && members[i-1].ID == mem.ID {
			return nil, &InputError{"member id", mem.ID, "appears twice"}
		}
	}
	idx, err := newIndex(contributors)
	if err != nil {
		return nil, err
	}
	manualByMember := map[string]string{}
	for _, mm := range manual {
		if _, ok := slices.BinarySearchFunc(members, mm.MemberID, func(a Member, id string) int { return strings.Compare(a.ID, id) }); !ok {
			return nil, &InputError{"manual mapping member", mm.MemberID, "is not a member"}
		}
		login := strings.TrimSpace(mm.Login)
		if !validLogin(login) {
			return nil, &InputError{"manual mapping login", mm.Login, "is not a valid GitHub login"}
		}
		if prev, ok := manualByMember[mm.MemberID]; ok && prev != login {
			return nil, &InputError{"manual mapping member", mm.MemberID, "is mapped by hand to two logins: " + prev + ", " + login}
		}
		manualByMember[mm.MemberID] = login
	}
	manualMembers := map[string][]string{} // lower login → the members mapped to it by hand
	for id, login := range manualByMember {
		l := strings.ToLower(login)
		manualMembers[l] = append(manualMembers[l], id)
	}

	res := &UserResult{Matches: make([]UserMatch, len(members))}
	proposals := map[string][]proposal{} // lower login → automatic proposals
	for i, mem := range members {
		out := &res.Matches[i]
		out.MemberID = mem.ID
		tokens := nameTokens(mem.Name)
		if login, ok := manualByMember[mem.ID]; ok {
			out.Login, out.Method, out.Score = login, MethodManual, 1
			out.UnknownLogin = idx.byLogin[strings.ToLower(login)] == nil
			out.Candidates = idx.candidates(tokens, threshold-margin, m.AllPairs)
			continue
		}
		if login, ok := NoreplyLogin(mem.Email); ok {
			c := idx.byLogin[strings.ToLower(login)]
			out.Login, out.Method, out.Score, out.UnknownLogin = login, MethodEmail, 1, c == nil
			if c != nil {
				out.Login = c.login
			}
			proposals[strings.ToLower(login)] = append(proposals[strings.ToLower(login)], proposal{i, MethodEmail})
			continue
		}
		if logins := idx.byEmail[NormalizeEmail(mem.Email)]; len(logins) == 1 {
			out.Login, out.Method, out.Score = logins[0], MethodEmail, 1
			proposals[strings.ToLower(logins[0])] = append(proposals[strings.ToLower(logins[0])], proposal{i, MethodEmail})
			continue
		} else if len(logins) > 1 {
			out.Reason = "email is shared by several GitHub users: " + strings.Join(logins, ", ")
			for _, l := range logins {
				out.Candidates = append(out.Candidates, Candidate{Login: l, Score: 1})
			}
			continue
		}
		if letters(tokens) < 2 {
			out.Reason = "name too short to compare"
			continue
		}
		out.Candidates = idx.candidates(tokens, threshold-margin, m.AllPairs)
		switch {
		case len(out.Candidates) == 0 || out.Candidates[0].Score < threshold:
			out.Reason = "no GitHub user's name is close enough"
		case len(out.Candidates) > 1 && out.Candidates[0].Score-out.Candidates[1].Score < margin:
			out.Reason = "two GitHub users are about as close: " + out.Candidates[0].Login + ", " + out.Candidates[1].Login
		default:
			best := out.Candidates[0]
			out.Login, out.Method, out.Score = best.Login, MethodName, best.Score
			proposals[strings.ToLower(best.Login)] = append(proposals[strings.ToLower(best.Login)], proposal{i, MethodName})
		}
	}
	res.Conflicts = settleConflicts(res, proposals, manualMembers)
	return res, nil
}

// settleConflicts keeps, for each login proposed automatically, only a single strongest
// proposal, and none when the login is mapped by hand; the losers are unmapped and the
// conflict reported.
func settleConflicts(res *UserResult, proposals map[string][]proposal, manualMembers map[string][]string) []Conflict {
	var conflicts []Conflict
	logins := make([]string, 0, len(proposals))
	for l := range proposals {
		logins = append(logins, l)
	}
	slices.Sort(logins)
	for _, l := range logins {
		ps := proposals[l]
		byHand := manualMembers[l]
		if len(ps) == 1 && len(byHand) == 0 {
			continue
		}
		keep := -1
		if len(byHand) == 0 {
			strongest := 0
			for _, p := range ps {
				if p.method == MethodEmail {
					strongest++
				}
			}
			if strongest == 1 {
				for _, p := range ps {
					if p.method == MethodEmail {
						keep = p.member
					}
				}
			}
		}
		c := Conflict{Login: res.Matches[ps[0].member].Login, MemberIDs: slices.Clone(byHand)}
		for _, p := range ps {
			c.MemberIDs = append(c.MemberIDs, res.Matches[p.member].MemberID)
			if p.member == keep {
				continue
			}
			mt := &res.Matches[p.member]
			mt.Reason = "conflict: " + mt.Login + " would also go to another member"
			mt.Login, mt.Method, mt.Score, mt.UnknownLogin = "", "", 0, false
		}
		slices.Sort(c.MemberIDs)
		conflicts = append(conflicts, c)
	}
	return conflicts
}

// checkUnit refuses a score setting outside [0, 1], NaN included (every comparison with
// NaN is false, so it would let any candidate through).
func checkUnit(field string, x float64) error {
	if x >= 0 && x <= 1 {
		return nil
	}
	return &InputError{field, strconv.FormatFloat(x, 'g', -1, 64), "is not between 0 and 1"}
}

func letters(tokens []string) int {
	n := 0
	for _, t := range tokens {
		n += utf8.RuneCountInString(t)
	}
	return n
}

// contributorIndex finds contributors by login, email and blocking key.
type contributorIndex struct {
	all []indexedContributor
	// seen marks, per contributor, the last query that scored it (a query counter).
	seen    []uint32
	query   uint32
	byLogin map[string]*indexedContributor
	byEmail map[string][]string
	byKey   map[string][]int32
}

func newIndex(contributors []Contributor) (*contributorIndex, error) {
	idx := &contributorIndex{
		all:     make([]indexedContributor, 0, len(contributors)),
		byLogin: make(map[string]*indexedContributor, len(contributors)),
		byEmail: map[string][]string{},
		byKey:   map[string][]int32{},
	}
	sorted := slices.Clone(contributors)
	slices.SortFunc(sorted, func(a, b Contributor) int { return cmp.Compare(strings.ToLower(a.Login), strings.ToLower(b.Login)) })
	for i, c := range sorted {
		login := strings.TrimSpace(c.Login)
		if !validLogin(login) {
			return nil, &InputError{"contributor login", c.Login, "is not a valid GitHub login"}
		}
		if i > 0 && strings.EqualFold(sorted[i-1].Login, login) {
			return nil, &InputError{"contributor login", c.Login, "appears twice"}
		}
		idx.all = append(idx.all, newIndexedContributor(login, c.Name))
		for _, e := range c.Emails {
			if ne := NormalizeEmail(e); ne != "" {
				idx.byEmail[ne] = appendOnce(idx.byEmail[ne], login)
			}
		}
	}
	idx.seen = make([]uint32, len(idx.all))
	for i := range idx.all {
		c := &idx.all[i]
		idx.byLogin[c.lower] = c
		keys := make([]string, 0, len(c.name.tokens)+len(c.loginNames)+1)
		for _, spell := range c.name.spell {
			for _, s := range spell {
				keys = append(keys, tokenKey(s.skel))
			}
		}
		for _, seg := range c.loginNames {
			keys = append(keys, tokenKey(skeleton(seg)))
		}
		if len(c.name.tokens) > 1 {
			keys = append(keys, tokenKey(skeleton(c.name.joined)))
		}
		keys = append(keys, loginKey(string(c.loginJoined)))
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			idx.byKey[k] = append(idx.byKey[k], int32(i))
		}
	}
	return idx, nil
}

// appendOnce appends x unless it is xs's last element: newIndex appends each
// contributor's logins one contributor after another, so a login already there is last.
func appendOnce(xs []string, x string) []string {
	if len(xs) > 0 && xs[len(xs)-1] == x {
		return xs
	}
	return append(xs, x)
}

func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// candidates scores the contributors that share a blocking key with the name (or all of
// them) and returns the best three scoring at least floor, best first, ties by login.
func (idx *contributorIndex) candidates(tokens []string, floor float64, allPairs bool) []Candidate {
	if letters(tokens) < 2 {
		return nil
	}
	p := newPerson(tokens, true)
	var top [3]Candidate
	n := 0
	consider := func(c *indexedContributor) {
		s := nameScore(&p, c, floor)
		if s < floor {
			return
		}
		cand := Candidate{Login: c.login, Score: s}
		pos := n
		for pos > 0 && better(cand, top[pos-1]) {
			pos--
		}
		if pos >= len(top) {
			return
		}
		copy(top[pos+1:], top[pos:min(n, len(top)-1)])
		top[pos] = cand
		n = min(n+1, len(top))
	}
	if allPairs {
		for i := range idx.all {
			consider(&idx.all[i])
		}
	} else {
		idx.query++
		for _, k := range queryKeys(&p) {
			for _, i := range idx.byKey[k] {
				if idx.seen[i] != idx.query {
					idx.seen[i] = idx.query
					consider(&idx.all[i])
				}
			}
		}
	}
	if n == 0 {
		return nil
	}
	return slices.Clone(top[:n])
}

func better(a, b Candidate) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return strings.ToLower(a.Login) < strings.ToLower(b.Login)
}

// Blocking keys. A contributor is scored only when it shares a key with the member:
// a spelling of a name token (in its transliteration skeleton, so Müller meets Mueller
// and Aleksandr meets Alexander's surname; a nickname's formal names too, so Sam meets
// Samantha), a name's words run together (so 山田 太郎 meets 山田太郎), or the first
// three letters of a login spelling of the name (jdoe, johnd, doej). A pair that can
// decide a match nearly always shares one. Without a token spelled the same, the
// token-set score reaches Threshold−Margin only when every token is misspelled on one
// side (Jonathan Smithson, Jonathon Smithsen); the login score reaches it only when the
// login is nearly one of the login spellings, so begins as it does unless misspelled in
// its first three letters. Only AllPairs scores those pairs.
func tokenKey(skel string) string { return "t:" + skel }

func loginKey(login string) string { return "l:" + prefix(login, 3) }

// queryKeys are a member's blocking keys.
func queryKeys(p *person) []string {
	keys := make([]string, 0, len(p.tokens)+len(p.loginForms)+2)
	for _, spell := range p.spell {
		for _, s := range spell {
			keys = append(keys, tokenKey(s.skel))
		}
	}
	if len(p.tokens) > 1 {
		keys = append(keys, tokenKey(skeleton(p.joined)))
	}
	for _, f := range p.loginForms {
		keys = append(keys, loginKey(string(f)))
	}
	for _, f := range p.spell[0] {
		keys = append(keys, loginKey(f.text))
	}
	return keys
}
