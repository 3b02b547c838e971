package mapping

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzMatch maps members and contributors built from arbitrary text and checks the
// promises: bad input is an InputError; otherwise every member has one outcome, a manual
// mapping is kept as given, no login goes to two members automatically nor to one when
// another has it by hand, and an unmapped member says why.
func FuzzMatch(f *testing.F) {
	f.Add("John Doe|Jane Roe,j@x.com|Иван Петров", "jdoe|John Doe|j@x.com;octo|Octo Cat|;ivan|Ivan Petrov|", "1:jdoe")
	f.Add("Doe, John|John Doe|J. Doe", "jdoe|John Doe|;john-doe||", "")
	f.Add("John Doe,j@acme.dev|Bruce Wayne", "jdoe_acme||j@acme.dev;bruce-wayne_acme|Bruce Wayne|;acme_admin||", "1:acme_admin")
	f.Fuzz(func(t *testing.T, members, contributors, manual string) {
		var ms []Member
		for i, s := range strings.Split(members, "|") {
			name, email, _ := strings.Cut(s, ",")
			ms = append(ms, Member{ID: string(rune('0' + i%75)), Name: name, Email: email})
		}
		var cs []Contributor
		for s := range strings.SplitSeq(contributors, ";") {
			parts := append(strings.SplitN(s, "|", 3), "", "")
			cs = append(cs, Contributor{Login: parts[0], Name: parts[1], Emails: []string{parts[2]}})
		}
		var mm []Manual
		for s := range strings.SplitSeq(manual, ";") {
			if id, login, ok := strings.Cut(s, ":"); ok {
				mm = append(mm, Manual{MemberID: id, Login: login})
			}
		}
		res, err := UserMatcher{}.Match(ms, cs, mm)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		if len(res.Matches) != len(ms) {
			t.Fatalf("%d outcomes for %d members", len(res.Matches), len(ms))
		}
		manualOf := map[string]string{}
		for _, m := range mm {
			manualOf[m.MemberID] = strings.TrimSpace(m.Login)
		}
		auto := map[string]string{}
		for _, m := range res.Matches {
			if want, ok := manualOf[m.MemberID]; ok {
				if m.Login != want || m.Method != MethodManual {
					t.Fatalf("member %q: manual %q became %q (%s)", m.MemberID, want, m.Login, m.Method)
				}
				continue
			}
			if !m.Mapped() {
				if m.Reason == "" {
					t.Fatalf("member %q unmapped without a reason", m.MemberID)
				}
				continue
			}
			l := strings.ToLower(m.Login)
			for id, login := range manualOf {
				if strings.EqualFold(login, m.Login) {
					t.Fatalf("login %q mapped by hand to %q, and automatically to %q", m.Login, id, m.MemberID)
				}
			}
			if other, ok := auto[l]; ok {
				t.Fatalf("login %q given to %q and %q", m.Login, other, m.MemberID)
			}
			auto[l] = m.MemberID
		}
	})
}

// FuzzSuggestRepos proposes repositories for projects named by arbitrary text and checks
// the promises: at most three a project, best first, each scoring between the minimum and
// 1, and two names of which the shorter's words are all words of the other (as splitting
// both at their hyphens finds; for two as long, the same words) scoring above 0.85 and
// below 1 for it, whichever comes first, and no others.
func FuzzSuggestRepos(f *testing.F) {
	f.Add("ACME - Mobile App|Portal|Web App", "acme/mobile-app;acme/client-portal;acme/web_app;acme/app", 0.0)
	f.Add("App app app|a-a", "acme/app-app;acme/a;acme/a-a-a", 0.9)
	f.Add("0 0 0 0 0 0", "00𭉄0000 0", 0.45)                     // the fewer bytes, the more runes
	f.Add(strings.Repeat("a|", 26)+"a", "acme/a;acme/a-b", 0.0) // 27 projects, each an id of its own
	f.Fuzz(func(t *testing.T, projects, repos string, minScore float64) {
		if minScore < 0 || minScore > 1 {
			return
		}
		var ps []Project
		for i, name := range strings.Split(projects, "|") {
			ps = append(ps, Project{ID: strconv.Itoa(i), Name: name})
		}
		rs := strings.Split(repos, ";")
		got := SuggestRepos(ps, rs, nil, minScore)
		least := minScore
		if least == 0 {
			least = 0.85
		}
		count := map[string]int{}
		for i, s := range got {
			if s.Score < least || s.Score > 1 {
				t.Fatalf("%+v scores outside [%v, 1]", s, least)
			}
			if count[s.ProjectID]++; count[s.ProjectID] > maxSuggestions {
				t.Fatalf("more than %d suggestions for %q", maxSuggestions, s.ProjectID)
			}
			if i > 0 && got[i-1].ProjectID == s.ProjectID && got[i-1].Score < s.Score {
				t.Fatalf("%+v before %+v", got[i-1], s)
			}
		}
		for _, p := range ps {
			for _, r := range rs {
				_, name, ok := strings.Cut(r, "/")
				if !ok {
					name = r
				}
				a, b := newSlugName(p.Name), newSlugName(name)
				if a.text == b.text {
					continue
				}
				s := containedScore(&a, &b)
				if r := containedScore(&b, &a); r != s {
					t.Fatalf("%q and %q scored %v, the other way round %v", a.text, b.text, s, r)
				}
				if held := wordsAmong(a.text, b.text); held != (s > 0) || s != 0 && (s <= 0.85 || s >= 1) {
					t.Fatalf("%q and %q (words held: %v) scored %v", a.text, b.text, held, s)
				}
			}
		}
	})
}

// wordsAmong reports whether every word of the shorter slug is a word of the other, and
// the other way round too for two as long, splitting both at their hyphens.
func wordsAmong(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	among := func(a, b string) bool {
		words := strings.Split(b, "-")
		for w := range strings.SplitSeq(a, "-") {
			if !slices.Contains(words, w) {
				return false
			}
		}
		return true
	}
	return a != "" && among(a, b) && (len(a) < len(b) || among(b, a))
}
