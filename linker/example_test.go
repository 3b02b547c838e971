package linker_test

import (
	"fmt"

	"github.com/heyjasper/jasper-clockify/linker"
)

func ExampleFind() {
	for _, r := range linker.Find("PR #42 review, see acme/api#7 and https://github.com/acme/web/issues/9 (#fff is a colour)") {
		fmt.Printf("%-16s %-12s confidence %.2f issue=%v\n", r.Kind, r, r.Confidence(), r.Issue)
	}
	// Output:
	// PR #N            #42          confidence 0.80 issue=false
	// owner/repo#N     acme/api#7   confidence 0.95 issue=false
	// url              acme/web#9   confidence 0.95 issue=true
}

func ExampleParser_Resolve() {
	var p linker.Parser
	jira, err := linker.CompilePattern(`\bWEB-(?P<number>\d+)\b`)
	if err != nil {
		panic(err)
	}
	// Clockify's GitHub button writes "#123 Title" with the repository as the project.
	for _, l := range p.Resolve("#123 Fix login, WEB-45", linker.Project{Repo: "acme/web-app", Pattern: jira}) {
		fmt.Println(l, l.Kind)
	}
	// Without a mapping, a bare reference stays unresolved rather than guessed.
	for _, l := range p.Resolve("#123 Fix login", linker.Project{}) {
		fmt.Println(l, l.Resolved())
	}
	// Output:
	// acme/web-app#123 #N
	// acme/web-app#45 custom
	// #123 false
}
