package mapping

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/heyjasper/jasper-clockify/linker"
)

func TestValidateRepo(t *testing.T) {
	for _, ok := range []string{"acme/web-app", "a/b", "Acme-Corp/repo.js", "acme/.github", "acme/git", "acme/web.gitx", "x/under_score", "mona-cat_acme/dotfiles", "acme_admin/r", "ac_me/r", "a1/" + strings.Repeat("r", 100), strings.Repeat("o", 39) + "/r"} {
		require.NoError(t, ValidateRepo(ok), ok)
	}
	cases := map[string]string{
		"acme":                          `want "owner/repo"`,
		"acme/web/app":                  "more than one '/'",
		"/web":                          "owner is empty",
		"acme/":                         "repository name is empty",
		strings.Repeat("o", 40) + "/r":  "longer than 39",
		"o/" + strings.Repeat("r", 101): "longer than 100",
		"-acme/r":                       "starts or ends with a hyphen",
		"acme-/r":                       "starts or ends with a hyphen",
		"ac--me/r":                      "two hyphens",
		"acme/..":                       `cannot be "." or ".."`,
		"acme/web.git":                  `ends in ".git"`,
		"acme/web.wiki":                 `ends in ".wiki"`,
		"_acme/r":                       "owner has '_' elsewhere",
		"mona_/r":                       "owner has '_' elsewhere",
		"mona-_acme/r":                  "owner has '_' elsewhere",
		"mona_cat_acme/r":               "owner has '_' elsewhere",
		"mona_ac-me/r":                  "owner has '_' elsewhere",
		"mona_ac.me/r":                  "owner has '.'",
		"acme/we b":                     "repository name has ' '",
		"acmé/r":                        "owner has 'é'",
		"acme/réseau":                   "repository name has 'é'",
	}
	for in, want := range cases {
		err := ValidateRepo(in)
		require.ErrorIs(t, err, ErrInvalidRepo, in)
		require.ErrorContains(t, err, want, in)
	}
}

// TestValidateRepoAgreesWithLinker: a mapping ValidateRepo accepts is one the linker
// resolves references with, and one it refuses the linker leaves unresolved, for every
// owner and repository name of up to five bytes of letters, '-', '_' and '.'.
func TestValidateRepoAgreesWithLinker(t *testing.T) {
	var p linker.Parser
	names, longest := []string{""}, []string{""}
	for range 5 {
		var longer []string
		for _, n := range longest {
			for _, c := range "ab-_." {
				longer = append(longer, n+string(c))
			}
		}
		names, longest = append(names, longer...), longer
	}
	require.Len(t, names, 1+5+25+125+625+3125)
	for _, n := range names {
		for _, full := range []string{n + "/r", "o/" + n} {
			links := p.Resolve("#1", linker.Project{Repo: full})
			require.Len(t, links, 1)
			require.Equal(t, ValidateRepo(full) == nil, links[0].Resolved(), full)
		}
	}
}

func TestProjectMappings(t *testing.T) {
	projects := []Project{{ID: "p3", Name: "Web App"}, {ID: "p1", Name: "API Server"}, {ID: "p2", Name: "Marketing"}, {ID: "p4", Name: "Müller Tools"}}
	mappings := []ProjectMapping{
		{ProjectID: "p1", Repo: "acme/api-server", Pattern: `API-(?P<number>\d+)`},
		{ProjectID: "gone", Repo: "acme/old"},
		{ProjectID: "p1", Repo: "bad repo"},
	}
	issues := CheckProjectMappings(projects, mappings)
	require.Equal(t, []ProjectIssue{
		{"gone", "no such Clockify project"},
		{"p1", `mapping: repository "bad repo": want "owner/repo"`},
		{"p1", "mapped more than once"},
	}, issues)

	require.Equal(t, []Project{{ID: "p2", Name: "Marketing"}, {ID: "p3", Name: "Web App"}, {ID: "p4", Name: "Müller Tools"}}, UnmappedProjects(projects, mappings))

	repos := []string{"acme/web-app", "acme/webapp-legacy", "acme/api-server", "acme/muller-tools", "other/web_app", "cli"}
	sug := SuggestRepos(projects, repos, mappings, 0)
	byProject := map[string][]string{}
	for _, s := range sug {
		byProject[s.ProjectID] = append(byProject[s.ProjectID], s.Repo)
		require.GreaterOrEqual(t, s.Score, 0.85)
	}
	require.Equal(t, []string{"acme/web-app", "other/web_app"}, byProject["p3"][:2], "Web App ~ web-app ~ web_app, best first")
	require.Equal(t, []string{"acme/muller-tools"}, byProject["p4"])
	require.Empty(t, byProject["p2"], "nothing close to Marketing")
	require.Empty(t, byProject["p1"], "mapped projects get no suggestion")
	require.Empty(t, SuggestRepos([]Project{{ID: "x", Name: "!!!"}}, repos, nil, 0.5))
	require.Equal(t, "web-app", slug("  Web   App! "))
	require.Equal(t, "x-app", slug("X App"), "a one-byte word is a word")
	sug = SuggestRepos([]Project{{ID: "x", Name: "X"}}, []string{"acme/x", "acme/y"}, nil, 0)
	require.Equal(t, []Suggestion{{ProjectID: "x", Repo: "acme/x", Score: 1}}, sug, "a name of one letter is a name")
	// Best score first, whatever the names' order.
	sug = SuggestRepos(projects[:1], []string{"aaa/web-ap", "zzz/web-app"}, nil, 0)
	require.Len(t, sug, 2)
	require.Equal(t, []string{"zzz/web-app", "aaa/web-ap"}, []string{sug[0].Repo, sug[1].Repo})
	require.Greater(t, sug[0].Score, sug[1].Score)
}

func TestSuggestReposKeepsTheBestThree(t *testing.T) {
	// Of every repository close enough, the three best are kept, best first and, on equal
	// scores, by name: the same as sorting them all.
	projects := []Project{{ID: "p1", Name: "Web App"}, {ID: "p2", Name: "Billing API"}}
	repos := []string{
		"zeta/web-app", "acme/web-apps", "acme/webapp", "beta/web-app", "acme/web-app", "acme/wb-app",
		"acme/billing-api", "acme/billing-apis", "old/billing-api", "acme/biling-api", "acme/billing",
	}
	got := SuggestRepos(projects, repos, nil, 0.8)
	for _, p := range projects {
		var all []Suggestion
		for _, r := range repos {
			_, name, _ := strings.Cut(r, "/")
			pn, rn := newSlugName(p.Name), newSlugName(name)
			if s := repoScore(&pn, &rn); s >= 0.8 {
				all = append(all, Suggestion{ProjectID: p.ID, Repo: r, Score: s})
			}
		}
		require.Greater(t, len(all), 3, "more than three are close to %q", p.Name)
		slices.SortFunc(all, func(a, b Suggestion) int {
			return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Repo, b.Repo))
		})
		var mine []Suggestion
		for _, s := range got {
			if s.ProjectID == p.ID {
				mine = append(mine, s)
			}
		}
		require.Equal(t, all[:3], mine)
	}
	require.Equal(t, []string{"acme/web-app", "beta/web-app", "zeta/web-app"},
		[]string{got[0].Repo, got[1].Repo, got[2].Repo}, "equal scores by name")

	// A repository scoring exactly minScore is proposed.
	exact := jaroWinkler([]rune("web-app"), []rune("wb-app"))
	got = SuggestRepos(projects[:1], []string{"acme/wb-app"}, nil, exact)
	require.Equal(t, []Suggestion{{ProjectID: "p1", Repo: "acme/wb-app", Score: exact}}, got)
}

// TestSuggestReposSkipsNamesWithNoLetter: a project whose name has nothing to compare
// (no letter or digit) gets no suggestion, and the projects after it still do.
func TestSuggestReposSkipsNamesWithNoLetter(t *testing.T) {
	got := SuggestRepos([]Project{{ID: "p0", Name: "!!!"}, {ID: "p1", Name: "Web App"}}, []string{"acme/web-app"}, nil, 0)
	require.Equal(t, []Suggestion{{ProjectID: "p1", Repo: "acme/web-app", Score: 1}}, got)
}

// TestHasWord: a word is found where it stands whole between hyphens, not inside
// another word, whichever comes first.
func TestHasWord(t *testing.T) {
	for _, tc := range []struct {
		s, w string
		want bool
	}{
		{"ab", "ab", true}, {"ab-cd", "cd", true}, {"abc-ab", "ab", true}, {"cd-ab-x", "ab", true},
		{"cd-abx", "ab", false}, {"xab-abx", "ab", false}, {"abc", "ab", false}, {"", "ab", false},
	} {
		require.Equal(t, tc.want, hasWord(tc.s, tc.w), "%q in %q", tc.w, tc.s)
	}
}

func TestSuggestReposNamesHeldInOthers(t *testing.T) {
	// A repository whose name's words are all in the project's name (after a client's or
	// the owner's name, before a qualifier, in another order), or the other way round, is
	// proposed; the one covering more of the name first.
	repos := []string{"acme/mobile-app", "acme/mobile", "acme/ios-app", "acme/billing-service",
		"acme/support-portal", "acme/client-portal", "acme/tools", "acme/app", "acme/website"}
	cases := []struct {
		project string
		want    []string
	}{
		{"ACME - Mobile App", []string{"acme/mobile-app", "acme/mobile", "acme/app"}},
		{"Mobile App (iOS)", []string{"acme/mobile-app", "acme/ios-app", "acme/mobile"}},
		{"Jasper: Billing Service", []string{"acme/billing-service"}},
		{"Service Billing", []string{"acme/billing-service"}},
		{"Customer Support Portal", []string{"acme/support-portal"}},
		{"Portal", []string{"acme/client-portal", "acme/support-portal"}},
		{"Internal Tools", []string{"acme/tools"}},
		{"Website Redesign", []string{"acme/website"}},
		{"Appliance App", []string{"acme/app"}}, // the second "app" is a word
		// A word held only in part is not.
		{"Appliances", nil},
	}
	for _, c := range cases {
		var got []string
		for _, s := range SuggestRepos([]Project{{ID: "p", Name: c.project}}, repos, nil, 0) {
			got = append(got, s.Repo)
		}
		require.Equal(t, c.want, got, c.project)
	}
	held := func(a, b string) float64 {
		x, y := newSlugName(a), newSlugName(b)
		return containedScore(&x, &y)
	}
	require.Greater(t, held("acme-mobile-app", "mobile-app"), held("acme-mobile-app", "mobile"))
	require.Less(t, held("service-billing", "billing-service"), 1.0, "only the same name scores 1")
	require.Zero(t, held("web-app", "web-apps"), "\"apps\" is not \"app\"")
	require.Zero(t, held("app-app", "app-xyz")+held("app-xyz", "app-app"), "as long, and with other words")
}

// BenchmarkSuggestRepos proposes repositories for 1,000 projects among 5,000, most of
// them close to many ("Client 12 web app" ~ "acme/client-84-web-app"). The baseline only
// scores every pair, from names already folded: the work no suggestion can skip.
func BenchmarkSuggestRepos(b *testing.B) {
	var projects []Project
	var repos []string
	for i := range 1000 {
		projects = append(projects, Project{ID: fmt.Sprint("p", i), Name: fmt.Sprintf("Client %d web app", i)})
	}
	for i := range 5000 {
		repos = append(repos, fmt.Sprintf("acme/client-%d-web-app", i*7))
	}
	b.Run("baseline-score-every-pair", func(b *testing.B) {
		var ps, rs [][]rune
		for _, p := range projects {
			ps = append(ps, []rune(slug(p.Name)))
		}
		for _, r := range repos {
			_, name, _ := strings.Cut(r, "/")
			rs = append(rs, []rune(slug(name)))
		}
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, p := range ps {
				for _, r := range rs {
					if jaroWinkler(p, r) >= 0.85 {
						n++
					}
				}
			}
			if n == 0 {
				b.Fatal("no pair is close")
			}
		}
	})
	b.Run("suggest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(SuggestRepos(projects, repos, nil, 0)) != 3*len(projects) {
				b.Fatal("want three suggestions a project")
			}
		}
	})
}
