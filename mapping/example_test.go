package mapping_test

import (
	"fmt"

	"github.com/heyjasper/jasper-clockify/mapping"
)

func ExampleUserMatcher_Match() {
	members := []mapping.Member{
		{ID: "u1", Name: "Doe, John", Email: "john@acme.dev"},
		{ID: "u2", Name: "Alice Smith", Email: "12345+asmith@users.noreply.github.com"},
		{ID: "u3", Name: "Bob Martin", Email: "bob@acme.dev"},
		{ID: "u4", Name: "Jane Whitaker", Email: "jane@acme.dev"},
	}
	contributors := []mapping.Contributor{
		{Login: "jdoe", Name: "John Doe"},
		{Login: "asmith"},
		{Login: "rmartin", Name: "Robert Martin"},
		{Login: "jane-morrison", Name: "Jane Morrison"},
	}
	res, err := mapping.UserMatcher{}.Match(members, contributors, nil)
	if err != nil {
		panic(err)
	}
	for _, m := range res.Matches {
		if m.Mapped() {
			fmt.Printf("%s → %s (%s, %.2f)\n", m.MemberID, m.Login, m.Method, m.Score)
		} else {
			fmt.Printf("%s unmapped: %s\n", m.MemberID, m.Reason)
		}
	}
	// Output:
	// u1 → jdoe (name, 1.00)
	// u2 → asmith (email, 1.00)
	// u3 → rmartin (name, 1.00)
	// u4 unmapped: no GitHub user's name is close enough
}

func ExampleValidateRepo() {
	fmt.Println(mapping.ValidateRepo("acme/web-app"))
	fmt.Println(mapping.ValidateRepo("acme--corp/web app"))
	// Output:
	// <nil>
	// mapping: repository "acme--corp/web app": owner has two hyphens in a row
}

func ExampleSuggestRepos() {
	projects := []mapping.Project{
		{ID: "p1", Name: "Web App"},
		{ID: "p2", Name: "ACME - Billing Service"},
		{ID: "p3", Name: "Marketing"},
	}
	repos := []string{"acme/web-app", "acme/webapp-legacy", "acme/billing-service", "acme/billing"}
	// Up to three a project, best first; none for Marketing, which no name is like.
	for _, s := range mapping.SuggestRepos(projects, repos, nil, 0) {
		fmt.Printf("%s → %s (%.2f)\n", s.ProjectID, s.Repo, s.Score)
	}
	// Output:
	// p1 → acme/web-app (1.00)
	// p2 → acme/billing-service (0.95)
	// p2 → acme/billing (0.90)
}
