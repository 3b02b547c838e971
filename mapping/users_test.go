package mapping

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func match(t *testing.T, members []Member, contributors []Contributor, manual []Manual) *UserResult {
	t.Helper()
	res, err := UserMatcher{}.Match(members, contributors, manual)
	require.NoError(t, err)
	return res
}

func get(t *testing.T, res *UserResult, id string) UserMatch {
	t.Helper()
	m, ok := res.Match(id)
	require.True(t, ok, id)
	return m
}

func TestUserRules(t *testing.T) {
	contributors := []Contributor{
		{Login: "jdoe", Name: "John Doe", Emails: []string{"John.Doe@Example.com"}},
		{Login: "asmith", Name: "Alice Smith", Emails: []string{"12345+asmith@users.noreply.github.com"}},
		{Login: "bwayne", Name: "", Emails: nil},
		{Login: "carol-k", Name: "Carol King"},
		{Login: "carolk2", Name: "Carol Kingsley"},
		{Login: "shared1", Emails: []string{"team@example.com"}},
		{Login: "shared2", Emails: []string{"TEAM@example.com"}},
		{Login: "wu", Name: "Wu"},
	}
	cases := []struct {
		name   string
		member Member
		manual string
		login  string
		method Method
		reason string
	}{
		{"email, case and spaces", Member{ID: "1", Name: "Johnny", Email: "  JOHN.DOE@example.COM "}, "", "jdoe", MethodEmail, ""},
		{"noreply with id", Member{ID: "1", Name: "x", Email: "12345+asmith@users.noreply.github.com"}, "", "asmith", MethodEmail, ""},
		{"noreply without id", Member{ID: "1", Name: "x", Email: "bwayne@users.noreply.github.com"}, "", "bwayne", MethodEmail, ""},
		{"name", Member{ID: "1", Name: "Smith, Alice", Email: "alice@elsewhere"}, "", "asmith", MethodName, ""},
		{"login spells the name", Member{ID: "1", Name: "Bruce Wayne", Email: "b@w"}, "", "bwayne", MethodName, ""},
		{"manual wins", Member{ID: "1", Name: "John Doe", Email: "john.doe@example.com"}, "carol-k", "carol-k", MethodManual, ""},
		{"two close candidates", Member{ID: "1", Name: "Carol K", Email: "c@k"}, "", "", "", "about as close"},
		{"below threshold", Member{ID: "1", Name: "Zed Quorum", Email: "z@q"}, "", "", "", "close enough"},
		{"two letters", Member{ID: "1", Name: "WU", Email: "w@u"}, "", "wu", MethodName, ""},
		{"one letter", Member{ID: "1", Name: "Q", Email: "q@q"}, "", "", "", "too short"},
		{"empty name", Member{ID: "1", Name: "  ", Email: ""}, "", "", "", "too short"},
		{"shared email", Member{ID: "1", Name: "Team", Email: "team@example.com"}, "", "", "", "shared by several"},
		{"cyrillic, no contributor", Member{ID: "1", Name: "Пётр Чайковский", Email: "p@c"}, "", "", "", "close enough"},
		{"CJK, no contributor", Member{ID: "1", Name: "山田 花子", Email: "y@h"}, "", "", "", "close enough"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var manual []Manual
			if tc.manual != "" {
				manual = []Manual{{MemberID: tc.member.ID, Login: tc.manual}}
			}
			m := get(t, match(t, []Member{tc.member}, contributors, manual), tc.member.ID)
			require.Equal(t, tc.login, m.Login)
			require.Equal(t, tc.method, m.Method)
			require.Contains(t, m.Reason, tc.reason)
			require.Equal(t, tc.login != "", m.Mapped())
			switch m.Method {
			case MethodName:
				require.GreaterOrEqual(t, m.Score, DefaultThreshold)
				require.Equal(t, tc.login, m.Candidates[0].Login)
			case MethodEmail, MethodManual:
				require.Equal(t, 1.0, m.Score, "certain")
			default:
				require.Zero(t, m.Score)
			}
		})
	}
	// Two close candidates are both listed, and named.
	m := get(t, match(t, []Member{{ID: "1", Name: "Carol K"}}, contributors, nil), "1")
	require.Len(t, m.Candidates, 2)
	require.Equal(t, "two GitHub users are about as close: carol-k, carolk2", m.Reason)
	// A candidate ahead of the second by the margin or more is taken.
	m = get(t, match(t, []Member{{ID: "1", Name: "John Doe"}}, []Contributor{{Login: "jdoe", Name: "John Doe"}, {Login: "jodoe", Name: "John Does"}}, nil), "1")
	require.Len(t, m.Candidates, 2)
	require.Equal(t, "jdoe", m.Login)
	// Each owner of a shared address is a candidate, and as likely as the other.
	m = get(t, match(t, []Member{{ID: "1", Email: "team@example.com"}}, contributors, nil), "1")
	require.Equal(t, []Candidate{{Login: "shared1", Score: 1}, {Login: "shared2", Score: 1}}, m.Candidates)
	// A member mapped by hand is listed candidates when the name has two letters or more.
	m = get(t, match(t, []Member{{ID: "1", Name: "Wu"}}, contributors, []Manual{{MemberID: "1", Login: "jdoe"}}), "1")
	require.Equal(t, "wu", m.Candidates[0].Login)
	m = get(t, match(t, []Member{{ID: "1", Name: "W"}}, contributors, []Manual{{MemberID: "1", Login: "wu"}}), "1")
	require.Equal(t, "wu", m.Login)
	require.Empty(t, m.Candidates)
	// A contributor listing one address twice (in two spellings) is still its only owner.
	res0 := match(t, []Member{{ID: "1", Email: "kim@example.com"}}, []Contributor{{Login: "kim", Emails: []string{"kim@example.com", "KIM@example.com "}}}, nil)
	require.Equal(t, "kim", get(t, res0, "1").Login)
	// A noreply address gives the contributor's login as GitHub spells it, or an unknown
	// login kept and flagged.
	res := match(t, []Member{{ID: "1", Email: "ASmith@users.noreply.github.com"}, {ID: "2", Email: "ghost@users.noreply.github.com"}}, contributors, nil)
	m = get(t, res, "1")
	require.Equal(t, "asmith", m.Login)
	require.False(t, m.UnknownLogin)
	m = get(t, res, "2")
	require.Equal(t, "ghost", m.Login)
	require.True(t, m.UnknownLogin)
}

// TestMembersAfterAnUnmappedOneAreMatched: a member left unmapped (an address several
// GitHub users share, a name too short to compare) does not end the matching of those
// after it.
func TestMembersAfterAnUnmappedOneAreMatched(t *testing.T) {
	contributors := []Contributor{
		{Login: "jdoe", Name: "John Doe"},
		{Login: "shared1", Emails: []string{"team@example.com"}},
		{Login: "shared2", Emails: []string{"team@example.com"}},
	}
	for _, first := range []Member{{ID: "1", Name: "Team", Email: "team@example.com"}, {ID: "1", Name: "Q"}} {
		res := match(t, []Member{first, {ID: "2", Name: "John Doe"}}, contributors, nil)
		require.False(t, get(t, res, "1").Mapped())
		require.Equal(t, "jdoe", get(t, res, "2").Login, "after %q", first.Name)
	}
}

func TestManualMappings(t *testing.T) {
	contributors := []Contributor{{Login: "jdoe", Name: "John Doe"}}
	members := []Member{{ID: "a", Name: "John Doe"}, {ID: "b", Name: "Jane Roe"}, {ID: "c", Name: "Jay Roe"}}
	res := match(t, members, contributors, []Manual{{MemberID: "b", Login: "ghost-user"}})
	b := get(t, res, "b")
	require.Equal(t, "ghost-user", b.Login, "a manual mapping to an unknown login is kept")
	require.True(t, b.UnknownLogin, "and flagged")
	require.Equal(t, "jdoe", get(t, res, "a").Login)

	// A login mapped by hand is not also given away automatically.
	res = match(t, members, contributors, []Manual{{MemberID: "b", Login: "jdoe"}})
	require.Equal(t, "jdoe", get(t, res, "b").Login)
	a := get(t, res, "a")
	require.False(t, a.Mapped())
	require.Zero(t, a.Score)
	require.Contains(t, a.Reason, "conflict")
	require.Equal(t, []Conflict{{Login: "jdoe", MemberIDs: []string{"a", "b"}}}, res.Conflicts)

	// The same mapping given twice is no conflict.
	res = match(t, members, contributors, []Manual{{MemberID: "b", Login: "jdoe"}, {MemberID: "b", Login: " jdoe"}})
	require.Equal(t, "jdoe", get(t, res, "b").Login)
	// Manual mappings may share a login on purpose.
	res = match(t, members, contributors, []Manual{{MemberID: "a", Login: "jdoe"}, {MemberID: "b", Login: "jdoe"}})
	require.Equal(t, "jdoe", get(t, res, "a").Login)
	require.Equal(t, "jdoe", get(t, res, "b").Login)
	require.Empty(t, res.Conflicts)
}

// A member mapped by hand still lists the name matches that could have decided: those
// scoring at least Threshold−Margin, as an unmapped member does.
func TestManualMappingListsCandidates(t *testing.T) {
	contributors := []Contributor{{Login: "cking", Name: "Caroline Kingston"}, {Login: "carol-k", Name: "Carol King"}, {Login: "carolyn-k", Name: "Carolyn King"}}
	member := []Member{{ID: "1", Name: "Carole King"}}
	manual := []Manual{{MemberID: "1", Login: "ghost-user"}}
	for _, tc := range []struct {
		margin float64
		logins []string
	}{
		{0, []string{"cking", "carol-k", "carolyn-k"}}, // the third scores 0.92: under Threshold, over Threshold−Margin
		{0.01, []string{"cking", "carol-k"}},
	} {
		matcher := UserMatcher{Margin: tc.margin}
		byHand, err := matcher.Match(member, contributors, manual)
		require.NoError(t, err)
		auto, err := matcher.Match(member, contributors, nil)
		require.NoError(t, err)
		m := get(t, byHand, "1")
		require.Equal(t, "ghost-user", m.Login)
		var logins []string
		for _, c := range m.Candidates {
			logins = append(logins, c.Login)
		}
		require.Equal(t, tc.logins, logins, "margin %v", tc.margin)
		require.Equal(t, get(t, auto, "1").Candidates, m.Candidates)
	}
}

func TestNoLoginTwiceAutomatically(t *testing.T) {
	contributors := []Contributor{{Login: "jdoe", Emails: []string{"jd@x.com"}}}
	// Two members whose names both fit the login: neither gets it.
	res := match(t, []Member{{ID: "1", Name: "John Doe"}, {ID: "2", Name: "Jane Doe"}}, contributors, nil)
	require.False(t, get(t, res, "1").Mapped())
	require.False(t, get(t, res, "2").Mapped())
	require.Equal(t, []Conflict{{Login: "jdoe", MemberIDs: []string{"1", "2"}}}, res.Conflicts)
	// An email match beats a name match for the same login.
	res = match(t, []Member{{ID: "1", Name: "John Doe"}, {ID: "2", Name: "Jane Doe", Email: "JD@x.com"}}, contributors, nil)
	require.False(t, get(t, res, "1").Mapped())
	require.Equal(t, MethodEmail, get(t, res, "2").Method)
	require.Len(t, res.Conflicts, 1)
	// ... and two name matches.
	res = match(t, []Member{{ID: "1", Name: "John Doe"}, {ID: "2", Name: "Jane Doe", Email: "JD@x.com"}, {ID: "3", Name: "Jon Doe"}}, contributors, nil)
	require.Equal(t, []bool{false, true, false}, []bool{get(t, res, "1").Mapped(), get(t, res, "2").Mapped(), get(t, res, "3").Mapped()})
	require.Equal(t, []Conflict{{Login: "jdoe", MemberIDs: []string{"1", "2", "3"}}}, res.Conflicts)
	// Two email matches: neither.
	res = match(t, []Member{{ID: "1", Email: "jd@x.com"}, {ID: "2", Email: "jdoe@users.noreply.github.com"}}, contributors, nil)
	require.False(t, get(t, res, "1").Mapped())
	require.False(t, get(t, res, "2").Mapped())
}

func TestBadUserInput(t *testing.T) {
	good := []Contributor{{Login: "jdoe"}}
	cases := []struct {
		name    string
		members []Member
		contrib []Contributor
		manual  []Manual
	}{
		{"duplicate member id", []Member{{ID: "1"}, {ID: "1"}}, good, nil},
		{"empty member id", []Member{{ID: " "}}, good, nil},
		{"duplicate login", []Member{{ID: "1"}}, []Contributor{{Login: "jdoe"}, {Login: "JDoe"}}, nil},
		{"invalid login", []Member{{ID: "1"}}, []Contributor{{Login: "-bad-"}}, nil},
		{"manual for unknown member", []Member{{ID: "1"}}, good, []Manual{{MemberID: "2", Login: "jdoe"}}},
		{"manual to invalid login", []Member{{ID: "1"}}, good, []Manual{{MemberID: "1", Login: "no spaces"}}},
		// Which one would win would depend on their order.
		{"two manual logins for a member", []Member{{ID: "1"}}, good, []Manual{{MemberID: "1", Login: "jdoe"}, {MemberID: "1", Login: "octocat"}}},
	}
	for _, tc := range cases {
		_, err := UserMatcher{}.Match(tc.members, tc.contrib, tc.manual)
		require.ErrorIs(t, err, ErrInput, tc.name)
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		require.NotEmpty(t, ie.Error())
	}
	// A threshold or margin outside [0, 1] (NaN too, which every comparison would let
	// through) is refused, not read as "map every member to its best candidate".
	for _, m := range []UserMatcher{{Threshold: math.NaN()}, {Threshold: -0.5}, {Threshold: 1.5}, {Margin: math.NaN()}, {Margin: -0.1}, {Margin: 2}} {
		_, err := m.Match([]Member{{ID: "1", Name: "John Doe"}}, []Contributor{{Login: "jdoe", Name: "John Doe"}}, nil)
		require.ErrorIs(t, err, ErrInput, "%+v", m)
	}
	_, err := UserMatcher{Threshold: 1.05}.Match(nil, nil, nil)
	require.EqualError(t, err, `mapping: threshold "1.05": is not between 0 and 1`)
	// The ends of the range are settings like any other: a score of exactly the threshold
	// reaches it.
	for _, m := range []UserMatcher{{Threshold: 1}, {Margin: 1}} {
		res, err := m.Match([]Member{{ID: "1", Name: "John Doe"}}, []Contributor{{Login: "jdoe", Name: "John Doe"}}, nil)
		require.NoError(t, err, "%+v", m)
		require.Equal(t, "jdoe", get(t, res, "1").Login, "%+v", m)
	}
	_, ok := (&UserResult{}).Match("x")
	require.False(t, ok)
}

func TestEmailHelpers(t *testing.T) {
	require.Equal(t, "ann@example.com", NormalizeEmail("  Ann@EXAMPLE.com\t"))
	require.Equal(t, NormalizeEmail("Jose\u0301@x.com"), NormalizeEmail("Jos\u00e9@x.com"), "NFC")
	for email, want := range map[string]string{
		"123+octo-cat@users.noreply.github.com": "octo-cat",
		"OctoCat@Users.Noreply.GitHub.com":      "octocat",
		"@users.noreply.github.com":             "",
		"a+-bad@users.noreply.github.com":       "",
		"octocat@github.com":                    "",
		"octocat":                               "", // a login, not an address
	} {
		login, ok := NoreplyLogin(email)
		require.Equal(t, want, login, email)
		require.Equal(t, want != "", ok)
	}
}

// TestShuffledInputSameResult is the property: the same input in any order gives the
// same result.
func TestShuffledInputSameResult(t *testing.T) {
	members, contributors, _, _ := qualitySet(t)
	manual := []Manual{{MemberID: members[3].ID, Login: "octocat"}, {MemberID: members[40].ID, Login: "ghost"}}
	want, err := UserMatcher{}.Match(members, contributors, manual)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 25 {
		m, c, mm := slices.Clone(members), slices.Clone(contributors), slices.Clone(manual)
		rng.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
		rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		rng.Shuffle(len(mm), func(i, j int) { mm[i], mm[j] = mm[j], mm[i] })
		got, err := UserMatcher{}.Match(m, c, mm)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

// population generates n members and n contributors with overlapping names, initials,
// nicknames and accents, for the index and scale tests.
func population(n int, seed uint64) ([]Member, []Contributor) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	// A few hundred first and last names, built from syllables, plus the hard cases.
	syl := []string{"ka", "ri", "mo", "len", "tar", "si", "do", "vel", "an", "be", "lu", "ni", "ra", "to", "mi", "sha", "gor", "el", "vi", "na",
		"bro", "ste", "fa", "qui", "ze", "hol", "pa", "der", "ju", "cy", "wen", "ox", "har", "ly", "mun", "ge", "ta", "rho", "sven", "ing"}
	word := func() string {
		w := ""
		for range 2 + rng.IntN(2) {
			w += syl[rng.IntN(len(syl))]
		}
		return strings.ToUpper(w[:1]) + w[1:]
	}
	firsts := []string{"John", "Jon", "Jane", "Anna", "Anne", "Robert", "Bob", "María", "Mario", "Mei", "Dmitry", "Дмитрий", "Sam", "Samantha"}
	lasts := []string{"Doe", "Smith", "Chen", "Cheng", "Ivanov", "Иванов", "García", "Garcia", "Brown", "Brownlow", "Müller", "Mueller"}
	for range 300 {
		firsts, lasts = append(firsts, word()), append(lasts, word())
	}
	var members []Member
	var contributors []Contributor
	logins := map[string]bool{}
	for i := range n {
		f, l := firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))]
		members = append(members, Member{ID: fmt.Sprintf("m%06d", i), Name: f + " " + l, Email: fmt.Sprintf("u%d@corp.example", i)})
		// Half the contributors are members under a varied spelling, half are strangers.
		f2, l2 := firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))]
		if rng.IntN(2) == 0 {
			f2, l2 = f, l
		}
		login := strings.ToLower(strings.Map(func(r rune) rune {
			if r < 128 {
				return r
			}
			return -1
		}, []string{f2[:1] + l2, f2 + "-" + l2, l2 + f2[:1]}[rng.IntN(3)]))
		if logins[login] || !validLogin(login) {
			login = fmt.Sprintf("user%d", i)
		}
		logins[login] = true
		c := Contributor{Login: login, Name: []string{f2 + " " + l2, ""}[rng.IntN(2)]}
		if i%10 == 0 {
			c.Emails = []string{fmt.Sprintf("u%d@corp.example", rng.IntN(n))}
		}
		contributors = append(contributors, c)
	}
	return members, contributors
}

// TestIndexAgreesWithAllPairs checks that blocking changes no decision and no candidate.
func TestIndexAgreesWithAllPairs(t *testing.T) {
	t.Parallel() // with TestTenThousandEach, the two slowest tests of the package
	members, contributors, _, _ := qualitySet(t)
	m2, c2 := population(1500, 3)
	for _, set := range []struct {
		m []Member
		c []Contributor
	}{{members, contributors}, {m2, c2}} {
		fast, err := UserMatcher{}.Match(set.m, set.c, nil)
		require.NoError(t, err)
		slow, err := UserMatcher{AllPairs: true}.Match(set.m, set.c, nil)
		require.NoError(t, err)
		require.Equal(t, slow, fast)
	}
}

func TestTenThousandEach(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short")
	}
	members, contributors := population(10_000, 9)
	res, err := UserMatcher{}.Match(members, contributors, nil)
	require.NoError(t, err)
	require.Len(t, res.Matches, 10_000)
	seen := map[string]string{}
	for _, m := range res.Matches {
		if m.Mapped() {
			require.Empty(t, seen[m.Login], "login %s given twice", m.Login)
			seen[m.Login] = m.MemberID
		}
	}
}

func BenchmarkMatchUsers(b *testing.B) {
	members, contributors := population(2000, 3)
	for _, tc := range []struct {
		name string
		m    UserMatcher
	}{{"baseline-all-pairs", UserMatcher{AllPairs: true}}, {"indexed", UserMatcher{}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.m.Match(members, contributors, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLongNamesAreBounded: comparing two names costs the product of their lengths, so only
// the first 256 bytes of a name count (GitHub's display names stop at 255 characters), and
// of those only the first twelve words.
func TestLongNamesAreBounded(t *testing.T) {
	require.Len(t, nameTokens(strings.Repeat("ab ", 100_000)), maxNameTokens)
	require.Equal(t, []string{"maria", "de", "los", "angeles", "garcia", "lopez", "de", "la", "fuente", "ruiz", "del", "castillo"},
		nameTokens("María de los Ángeles García López de la Fuente y Ruiz del Castillo Pérez"), "the first twelve words")
	require.LessOrEqual(t, len(slug(strings.Repeat("é", 100_000))), maxNameBytes)
	res := match(t, []Member{{ID: "1", Name: "John Doe " + strings.Repeat("x", 100_000)}},
		[]Contributor{{Login: "jdoe", Name: "John Doe " + strings.Repeat("x", 100_000)}}, nil)
	require.Equal(t, "jdoe", get(t, res, "1").Login)
	// Names of more than eight words, past the scores kept on the stack, compare as well.
	long := "María de los Ángeles García López de la Fuente Ruiz"
	res = match(t, []Member{{ID: "1", Name: long}}, []Contributor{{Login: "mgarcia", Name: long}, {Login: "mlopez", Name: "María López"}}, nil)
	require.Equal(t, "mgarcia", get(t, res, "1").Login)
	require.Equal(t, 1.0, get(t, res, "1").Score)
}

// TestFoldName: the form names are compared in, accents and case folded, Cyrillic and
// Greek transliterated, and cut between characters.
func TestFoldName(t *testing.T) {
	a255 := strings.Repeat("a", 255)
	cases := []struct{ in, want string }{
		{"John DOE", "john doe"},
		{"Émile Zola", "emile zola"}, // an accent on the first letter
		{"José Müller", "jose muller"},
		{"ŁUKASZ Đorđević", "lukasz dordevic"},
		{"Straße Ørsted Æsa", "strasse orsted aesa"},
		{"Þórunn Guðmundsdóttir", "thorunn gudmundsdottir"}, // as Icelanders spell them in ASCII
		{"Œlla Ħabib", "oella habib"},
		{"GROẞ", "gross"},
		{"Дмитрий Иванов", "dmitrii ivanov"},
		{"Γιώργος", "giorgos"},
		{"İsmail Işık", "ismail isik"},
		{a255 + "éé", a255}, // byte 256 is inside the first é: the cut goes before it
		{a255 + "bc", a255 + "b"},
		{a255 + "b", a255 + "b"},          // exactly the limit: nothing cut
		{"JOS\x80", "jos\ufffd"},          // an invalid byte becomes U+FFFD
		{strings.Repeat("\x80", 300), ""}, // no character starts before the cut
	}
	for _, tc := range cases {
		got := foldName(tc.in)
		require.Equal(t, tc.want, got, tc.in)
		require.True(t, utf8.ValidString(got), tc.in)
	}
}

// TestNameTokens: the tokens two names are compared by.
func TestNameTokens(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Jane Smith", []string{"jane", "smith"}},
		{"Smith, Jane", []string{"jane", "smith"}},
		{"Smith,", []string{"smith"}},                      // nothing after the comma: not reordered
		{"Jane Q. Smith", []string{"jane", "smith"}},       // a middle initial, two names beside it
		{"J Smith", []string{"j", "smith"}},                // an initial with one name is kept
		{"J. Q.", []string{"j", "q"}},                      // only initials
		{"Dr. Jane Smith, PhD", []string{"jane", "smith"}}, // honorifics on either side of a comma
		{"Smith, Dr. Jane", []string{"jane", "smith"}},
		{"Jane Smith, Jr.", []string{"jane", "smith", "jr"}}, // a generation is kept, for newPerson
		{"John Smith III", []string{"john", "smith", "iii"}},
		{"J Smith Sr", []string{"j", "smith", "sr"}}, // Sr is no name beside which J is a middle initial
		{"Prof Jane Smith PhD", []string{"jane", "smith"}},
		{"Bob O'Neil", []string{"bob", "oneil"}},           // a nickname stays as written
		{"Siobhan O’Brien", []string{"siobhan", "obrien"}}, // a typographic apostrophe
		{"Li Wei", []string{"li", "wei"}},                  // two letters are a name, not an initial
		{"Wei J Li", []string{"wei", "li"}},                // so an initial beside them is dropped
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, nameTokens(tc.in), tc.in)
	}
}

// TestApostrophesInNames: "O'Neil" is one name whichever apostrophe is typed, so it meets
// a login or a display name written without one.
func TestApostrophesInNames(t *testing.T) {
	res := match(t,
		[]Member{{ID: "1", Name: "Sean O'Neil"}, {ID: "2", Name: "Siobhan O’Brien"}},
		[]Contributor{{Login: "seanoneil"}, {Login: "sobrien", Name: "Siobhan OBrien"}}, nil)
	require.Equal(t, "seanoneil", get(t, res, "1").Login)
	require.Equal(t, "sobrien", get(t, res, "2").Login)
}

// TestNicknames: a nickname is as close to each formal name it shortens as that name is
// itself, so one that shortens two (Sam: Samuel, Samantha) picks neither, and a login
// spelled from the nickname (mikec) meets the member as one spelled from the formal name.
func TestNicknames(t *testing.T) {
	cases := []struct {
		name, member string
		contributors []Contributor
		login        string // "" when the member stays unmapped
		candidates   []string
	}{
		{"one formal name", "Sam Taylor", []Contributor{{Login: "samantha1", Name: "Samantha Taylor"}}, "samantha1", []string{"samantha1"}},
		{"the other", "Sam Taylor", []Contributor{{Login: "samuel1", Name: "Samuel Taylor"}}, "samuel1", []string{"samuel1"}},
		{"both", "Sam Taylor", []Contributor{{Login: "samuel-t", Name: "Samuel Taylor"}, {Login: "samantha", Name: "Samantha Taylor"}},
			"", []string{"samantha", "samuel-t"}},
		{"both, as Ted", "Ted Lasso", []Contributor{{Login: "elasso", Name: "Edward Lasso"}, {Login: "tlasso", Name: "Theodore Lasso"}},
			"", []string{"elasso", "tlasso"}},
		{"the nickname on GitHub", "Samantha Taylor", []Contributor{{Login: "samt", Name: "Sam Taylor"}}, "samt", []string{"samt"}},
		{"two formal names are two people", "Samantha Taylor", []Contributor{{Login: "samuel-t", Name: "Samuel Taylor"}}, "", nil},
		{"two nicknames of one name", "Bob Smith", []Contributor{{Login: "rsmith", Name: "Rob Smith"}}, "rsmith", []string{"rsmith"}},
		{"a spelling of each", "Steve Jones", []Contributor{{Login: "sj", Name: "Stephen Jones"}}, "sj", []string{"sj"}},
		{"login from the nickname", "Mike Chen", []Contributor{{Login: "mikec"}}, "mikec", []string{"mikec"}},
		{"login parts from the nickname", "Mike Chen", []Contributor{{Login: "mike-chen-dev"}}, "mike-chen-dev", []string{"mike-chen-dev"}},
		{"a nickname among the login's parts", "Samantha Taylor", []Contributor{{Login: "sam-taylor"}}, "sam-taylor", []string{"sam-taylor"}},
		{"initial of the nickname", "Bob Smith", []Contributor{{Login: "bsmith"}}, "bsmith", []string{"bsmith"}},
		{"initial of the formal name", "Bob Smith", []Contributor{{Login: "rsmith"}}, "rsmith", []string{"rsmith"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range []UserMatcher{{}, {AllPairs: true}} {
				res, err := m.Match([]Member{{ID: "1", Name: tc.member}}, tc.contributors, nil)
				require.NoError(t, err)
				got := get(t, res, "1")
				require.Equal(t, tc.login, got.Login, got.Reason)
				var logins []string
				for _, c := range got.Candidates {
					logins = append(logins, c.Login)
				}
				require.Equal(t, tc.candidates, logins)
			}
		})
	}
}

// mappedBoth matches one member against one contributor, with the index and with all
// pairs, and reports whether the member was mapped, with the reason when it was not.
func mappedBoth(t *testing.T, member string, c Contributor) (bool, string) {
	t.Helper()
	var mapped []bool
	var reason string
	for _, m := range []UserMatcher{{}, {AllPairs: true}} {
		res, err := m.Match([]Member{{ID: "1", Name: member}}, []Contributor{c}, nil)
		require.NoError(t, err)
		got := get(t, res, "1")
		mapped, reason = append(mapped, got.Mapped()), got.Reason
	}
	require.Equal(t, mapped[0], mapped[1], "the index and all pairs disagree")
	return mapped[0], reason
}

// namePair is a member's name, a GitHub account's display name (its login, "someone",
// spells neither), and whether the member is mapped to that account.
type namePair struct {
	member, display string
	mapped          bool
}

// requireMapped checks each pair, with the index and with all pairs (mappedBoth).
func requireMapped(t *testing.T, pairs []namePair) {
	t.Helper()
	for _, p := range pairs {
		mapped, reason := mappedBoth(t, p.member, Contributor{Login: "someone", Name: p.display})
		require.Equal(t, p.mapped, mapped, "%s, %s: %s", p.member, p.display, reason)
	}
}

// TestGenderedForms: a name's masculine and feminine forms name two people, so neither
// is mapped to the other, however alike they are spelled; two spellings of one name
// still are.
func TestGenderedForms(t *testing.T) {
	requireMapped(t, []namePair{
		{"Alexandra Marin", "Alexander Marin", false},
		{"Christian Berg", "Christina Berg", false},
		{"Francis Doyle", "Frances Doyle", false},
		{"Michael Chen", "Michaela Chen", false},
		{"Daniel Cho", "Danielle Cho", false},
		{"Maria Rossi", "Mario Rossi", false},
		{"Louise Martin", "Louis Martin", false},
		{"Kristen Olsen", "Kristin Olsen", true},
		{"Carole King", "Carol King", true},
	})
}

// TestDisplayNameNamesSomeoneElse: a login spelled like the member's name (jsmith for
// John Smith) is no evidence when the account's display name names another person, one
// sharing a word with the member's name but with another in place of one of its own; a
// word added, an initial, or a display name sharing no word leaves the login to decide.
func TestDisplayNameNamesSomeoneElse(t *testing.T) {
	for _, tc := range []struct {
		member, login, display string
		mapped                 bool
	}{
		{"John Smith", "jsmith", "Jane Smith", false},
		{"John Smith", "john-smith", "Jane Smith", false},
		{"Christian Holm", "cholm", "Christina Holm", false},
		{"Jane Whitaker", "jwhitaker", "Jane Morrison", false},
		{"John Mueller", "jmueller", "Jane Müller", false}, // the word shared in another spelling
		{"Mary Lee", "mlee", "Mary Ann Lee", true},
		{"Mary Ann Lee", "mlee", "Mary Lee", true},
		{"John Smith", "jsmith", "J Smith", true},
		{"John Smith", "jsmith", "Octocat", true},
		{"John Smith", "jsmith", "", true},
		{"Hanako Yamada", "hyamada", "山田 花子", true},
	} {
		mapped, reason := mappedBoth(t, tc.member, Contributor{Login: tc.login, Name: tc.display})
		require.Equal(t, tc.mapped, mapped, "%s, %s (%s): %s", tc.member, tc.login, tc.display, reason)
	}
}

// TestSpacedOtherwise: a name written with its words run together on one side (山田太郎
// for 山田 太郎, as Chinese and Japanese names are written both ways; Maryann for Mary
// Ann) is the same name, also when the words run together take another place (Kim
// Min-jun, Minjun Kim); letters of another name still are not, nor is one word in Latin
// letters against several: Lina is a name of its own, not Li Na run together.
func TestSpacedOtherwise(t *testing.T) {
	requireMapped(t, []namePair{
		{"山田 太郎", "山田太郎", true},
		{"山田太郎", "山田 太郎", true},
		{"李 雷", "李雷", true},
		{"Mary Ann Lee", "Maryann Lee", true},
		{"Juan de la Cruz", "Juan Delacruz", true},
		{"Jean-Luc Picard", "Jeanluc Picard", true},
		{"Kim Min-jun", "Minjun Kim", true}, // family name first, given name split
		{"Wang Xiao Ming", "Xiaoming Wang", true},
		{"Wang Li Na", "Lina Wang", true},
		{"Kim Min-jun", "Minjun Park", false},
		{"Kim Min-jun", "Junmin Kim", false},
		{"Li Na", "Lina", false},
		{"Mohan", "Mo Han", false},
		{"Anne Lee", "AnneLee", false},
		{"山田 太郎", "山田花子", false},
		{"李 雷", "李雷雷", false},
		{"Anne Lee", "Annelie", false},
		{"Anne Lee", "Ann Elee", false}, // the same letters, as many words, split elsewhere
	})
}

// TestSameWordsJoining: each word of the shorter name is matched once, so a word written
// twice in the longer name needs it twice in the shorter.
func TestSameWordsJoining(t *testing.T) {
	long := []string{"lee", "lee", "mary", "ann"}
	require.True(t, sameWordsJoining(long, 2, []string{"maryann", "lee", "lee"}))
	require.False(t, sameWordsJoining(long, 2, []string{"maryann", "lee", "kim"}))
	require.False(t, sameWordsJoining(long, 1, []string{"maryann", "lee", "lee"}), "leemary is no word of it")
	require.False(t, sameWordsJoining([]string{"anna", "bo", "an", "na"}, 2, []string{"anna", "bo", "cyxy"}),
		"a word of short matches one word of long only")
}

// TestDoubledCharacters: a Latin letter written once or twice is one name spelled two
// ways (Anna, Ana; Philipp, Philip), but a character of another script written twice
// makes another name: Wang Lili (王丽丽) is not Wang Li (王丽).
func TestDoubledCharacters(t *testing.T) {
	requireMapped(t, []namePair{
		{"Anna Lee", "Ana Lee", true},
		{"Philipp Meyer", "Philip Meyer", true},
		{"王丽", "王丽丽", false},
		{"王 丽", "王 丽丽", false},
		{"김나 박", "김나나 박", false},
	})
}

// TestGenerations: a parent and a child of one name are two people (Jr. and Sr., II and
// III), even with a login that spells the name; a generation written on one side only is
// left aside.
func TestGenerations(t *testing.T) {
	for _, tc := range []struct {
		member, display string
		mapped          bool
	}{
		{"John Smith Jr.", "John Smith Sr.", false},
		{"Smith, John, Jr", "John Smith Senior", false},
		{"John Smith III", "John Smith II", false},
		{"John Smith Jr.", "John Smith", true},
		{"John Smith III", "John Smith", true},
		{"John Smith", "John Smith, Jr.", true},
		{"John Smith Jr", "John Smith Junior", true},
	} {
		mapped, reason := mappedBoth(t, tc.member, Contributor{Login: "jsmith", Name: tc.display})
		require.Equal(t, tc.mapped, mapped, "%s, %s: %s", tc.member, tc.display, reason)
	}
}

func TestValidLogin(t *testing.T) {
	for _, ok := range []string{"a", "z", "A", "Z", "0", "9", "a-b", "octo-cat-42", strings.Repeat("a", 39),
		// Managed users of an enterprise: a login, '_' and the enterprise's short code.
		"mona-cat_acme", "acme_admin", "a_b", "Mona_ACME2", strings.Repeat("a", 34) + "_acme"} {
		require.True(t, validLogin(ok), ok)
	}
	for _, bad := range []string{"", strings.Repeat("a", 40), "-a", "a-", "a--b", "a.b", "a b", "é", "a/b", "@a",
		"_acme", "a_", "a__b", "a_b_c", "a_b-c", "-a_b", "a-_b", "a--b_c", "a_é", strings.Repeat("a", 35) + "_acme"} {
		require.False(t, validLogin(bad), bad)
	}
}

// TestManagedUsers: in an enterprise with managed users every login ends in the
// enterprise's short code; members map to them by email, noreply address and name, and
// the short code counts for nothing in the name's score.
func TestManagedUsers(t *testing.T) {
	contributors := []Contributor{
		{Login: "jdoe_acme", Emails: []string{"john.doe@acme.dev"}},
		{Login: "asmith_acme"},
		{Login: "bruce-wayne_acme", Name: "Bruce Wayne"},
		{Login: "acme_admin"},
	}
	members := []Member{
		{ID: "1", Name: "John Doe", Email: "John.Doe@acme.dev"},
		{ID: "2", Name: "A. Smith", Email: "123+asmith_acme@users.noreply.github.com"},
		{ID: "3", Name: "Bruce Wayne"},
		{ID: "4", Name: "Alice Smith"},
	}
	res := match(t, members, contributors, []Manual{{MemberID: "4", Login: "acme_admin"}})
	for id, want := range map[string]struct {
		login  string
		method Method
	}{"1": {"jdoe_acme", MethodEmail}, "2": {"asmith_acme", MethodEmail}, "3": {"bruce-wayne_acme", MethodName}, "4": {"acme_admin", MethodManual}} {
		m := get(t, res, id)
		require.Equal(t, want.login, m.Login, id)
		require.Equal(t, want.method, m.Method, id)
	}
	// The login alone spells the name: the short code lowers nothing.
	c := newIndexedContributor("jdoe_acme", "")
	plain := newIndexedContributor("jdoe", "")
	p := newPerson(nameTokens("John Doe"), true)
	require.Equal(t, loginSimilarity(&p, &plain, 0), loginSimilarity(&p, &c, 0))
	require.Equal(t, []string{"bruce", "wayne"}, loginTokens("bruce-wayne_acme"))
}

// TestSkeleton checks the one pass of skeleton against its definition: the folds made by a
// strings.Replacer (each pair before its letters alone, from the left), then doubled Latin
// letters made one. Every string of up to four characters over the letters the folds read
// and two others (one of them not Latin), and longer random ones.
func TestSkeleton(t *testing.T) {
	folds := strings.NewReplacer("ue", "u", "oe", "o", "ae", "a", "ks", "x", "iy", "i", "ij", "i", "y", "i",
		"ph", "f", "w", "v", "kh", "h", "j", "i")
	reference := func(s string) string {
		var b strings.Builder
		var prev rune
		for _, r := range folds.Replace(s) {
			if r != prev || r >= utf8.RuneSelf {
				b.WriteRune(r)
			}
			prev = r
		}
		return b.String()
	}
	// 耀 is E8 80 80 in UTF-8: two equal bytes that are not letters.
	alphabet := []string{"u", "e", "o", "a", "k", "s", "h", "i", "y", "j", "p", "w", "v", "x", "丽", "耀", "ß"}
	var all func(prefix string, n int)
	all = func(prefix string, n int) {
		require.Equal(t, reference(prefix), skeleton(prefix), "%q", prefix)
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			all(prefix+a, n-1)
		}
	}
	all("", 4)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		var b strings.Builder
		for range rng.IntN(16) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		require.Equal(t, reference(b.String()), skeleton(b.String()), "%q", b.String())
	}
	require.Equal(t, "mulerfilipalexandr", skeleton("muellerphilippaleksandr"))
	require.Equal(t, "王丽丽", skeleton("王丽丽"))
}

// TestBlockingKeys: a login's key is its first three characters, whole; a name of several
// words is also found under its words run together.
func TestBlockingKeys(t *testing.T) {
	require.Equal(t, "l:jdo", loginKey("jdoe"))
	require.Equal(t, "l:jo", loginKey("jo"))
	require.Equal(t, "l:山田太", loginKey("山田太郎"))
	p := newPerson(nameTokens("山田 太郎"), true)
	require.Contains(t, queryKeys(&p), tokenKey("山田太郎"))
}

// TestJaroWinkler checks the similarity against the published examples (Winkler's MARTHA,
// DWAYNE and DIXON; Jaro alone where no prefix is shared) and its edges.
func TestJaroWinkler(t *testing.T) {
	long := strings.Repeat("a", 70)
	cases := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"crate", "trace", 0.7333},
		{"xmartha", "marhta", 0.8968}, // MARTHA's transposition after a letter unmatched: (6/7 + 1 + 5/6)/3
		{"jellyfish", "smellyfish", 0.8963},
		{"abc", "xyz", 0},
		{"ab", "ba", 0},          // the window is max(len)/2-1 = 0 here: no match one apart
		{"abcd", "xabc", 0.8333}, // window 1: a match one apart on either side
		{"", "abc", 0},
		{"same", "same", 1},
		{"j", "j", 1},
		{"j", "jo", 0.85},                // one rune: (1 + 1/2 + 1)/3, and a prefix of one
		{long + "b", long + "c", 0.9944}, // past the 64 runes kept on the stack
	}
	for _, tc := range cases {
		for _, ab := range [][2]string{{tc.a, tc.b}, {tc.b, tc.a}} {
			require.InDelta(t, tc.want, jaroWinkler([]rune(ab[0]), []rune(ab[1])), 5e-5, "%q %q", ab[0], ab[1])
		}
	}
}

func TestGenderedPair(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"maria", "mario", true},
		{"carla", "carlo", true},
		{"ivo", "iva", false}, // too short to tell
		{"gina", "gino", true},
		{"maria", "marie", true},
		{"marta", "marty", false}, // y is not a vowel here
		{"maria", "marian", false},
		{"anna", "enna", false},
		{"alexander", "alexandra", true}, // a pair of endings
		{"frances", "francis", true},
		{"christian", "christina", true},
		{"paul", "paula", true}, // an ending added
		{"daniel", "danielle", true},
		{"stephanie", "stephan", true},
		{"jean", "jeanne", true},
		{"joseph", "josephine", true},
		{"ann", "anna", false},     // too short to tell
		{"carol", "carole", false}, // one name spelled two ways
		{"clark", "clarke", false},
		{"kristen", "kristin", false},
		{"louis", "louise", true},
		{"king", "kings", false}, // a surname with an "s", or without
		{"robert", "roberts", false},
		{"paul", "paulxyz", false},
	} {
		require.Equal(t, tc.want, genderedPair(tc.a, tc.b), "%s %s", tc.a, tc.b)
		require.Equal(t, tc.want, genderedPair(tc.b, tc.a), "%s %s", tc.b, tc.a)
	}
}

// TestLoginSimilarity pins the login rules: both names among the login's parts, a usual
// spelling, the first name alone; and that a floor only ever hides scores under it.
func TestLoginSimilarity(t *testing.T) {
	cases := []struct {
		name, login string
		want        float64
	}{
		{"John Doe", "john-doe-dev", 0.95},
		{"John Doe", "doe-john", 0.95},
		{"John Q Doe", "john-doe", 0.95},
		{"Samantha Taylor", "sam-taylor", 0.95}, // a nickname among the parts
		{"Samantha Taylor", "sam", 0.5348},      // one part is not the first and last name
		{"John Doe", "johndoe", 0.95},
		{"John Doe", "jdoe", 0.95},
		{"John", "john", 0.8},      // a first name alone is weak evidence
		{"John", "john-x", 0.6912}, // one name is not "both names among the parts"
		{"John Doe", "jsmith", 0.4441},
		// A name of three words: two of them run together may be the first or last name.
		{"Kim Min-jun", "minjun-kim", 0.95},
		{"Jean-Luc Picard", "jeanluc-picard-dev", 0.95},
		{"Kim Min-jun", "junmin-kim", 0.6993},
		{"Jean-Luc Picard", "lucjean-picard", 0.8647},
	}
	for _, tc := range cases {
		p, c := newPerson(nameTokens(tc.name), true), newIndexedContributor(tc.login, "")
		require.InDelta(t, tc.want, loginSimilarity(&p, &c, 0), 5e-5, "%s %s", tc.name, tc.login)
		if floored := loginSimilarity(&p, &c, 0.9); tc.want >= 0.9 {
			require.InDelta(t, tc.want, floored, 5e-5, "%s %s", tc.name, tc.login)
		} else {
			require.Less(t, floored, 0.9, "%s %s", tc.name, tc.login)
		}
	}
}

// TestCandidatesAreTheBestThree checks the top-three insertion against sorting every
// score, with the contributors in many orders, ties included.
func TestCandidatesAreTheBestThree(t *testing.T) {
	contributors := []Contributor{
		{Login: "jdoe", Name: "John Doe"}, {Login: "doej", Name: "Doe John"}, {Login: "john-doe-2", Name: "John Doe"},
		{Login: "jdow", Name: "John Dow"}, {Login: "jondoe", Name: "Jon Doe"}, {Login: "johnny", Name: "Johnny Doerr"},
		{Login: "jd", Name: "J Doe"}, {Login: "smith", Name: "John Smith"},
	}
	tokens := nameTokens("John Doe")
	idx, err := newIndex(contributors)
	require.NoError(t, err)
	p := newPerson(tokens, true)
	var want []Candidate
	for i := range idx.all {
		if s := nameScore(&p, &idx.all[i], 0.5); s >= 0.5 {
			want = append(want, Candidate{Login: idx.all[i].login, Score: s})
		}
	}
	slices.SortFunc(want, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Login, b.Login))
	})
	require.Greater(t, len(want), 4)
	require.Equal(t, want[0].Score, want[1].Score, "a tie among the best")
	require.Equal(t, want[:3], idx.candidates(tokens, 0.5, false))
	// All pairs scores in the index's order; shuffled, the best three arrive in every order.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		rng.Shuffle(len(idx.all), func(i, j int) { idx.all[i], idx.all[j] = idx.all[j], idx.all[i] })
		require.Equal(t, want[:3], idx.candidates(tokens, 0.5, true))
	}
}
