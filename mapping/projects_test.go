package mapping

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateRepo(t *testing.T) {
	for _, ok := range []string{"acme/web-app", "a/b", "Acme-Corp/repo.js", "acme/.github", "acme/git", "acme/web.gitx", "x/under_score", "a1/" + strings.Repeat("r", 100), strings.Repeat("o", 39) + "/r"} {
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
		"ac_me/r":                       "owner has '_'",
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
	// Best score first, whatever the names' order.
	sug = SuggestRepos(projects[:1], []string{"aaa/web-ap", "zzz/web-app"}, nil, 0)
	require.Len(t, sug, 2)
	require.Equal(t, []string{"zzz/web-app", "aaa/web-ap"}, []string{sug[0].Repo, sug[1].Repo})
	require.Greater(t, sug[0].Score, sug[1].Score)
}
