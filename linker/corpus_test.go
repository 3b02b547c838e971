package linker

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// description is one generated text and the references planted in it, as show()
// renders them.
type description struct {
	text    string
	planted []string
}

var (
	fillers = []string{
		"Standup", "Sprint planning", "Code review", "Investigating flaky test", "1:1 with Sam", "Customer call",
		"Writing the design doc", "Pairing on the sync engine", "Reviewing the roadmap", "Lunch & learn", "Interviews",
		"Fixing the CI pipeline", "Deploy to staging", "Support rotation", "Refactor billing totals", "Update dependencies",
		"Improve page load", "Grooming the backlog", "Onboarding Priya", "Retro", "Prepare the demo", "Upgrade Postgres",
		"Приёмка задачи", "设计评审", "Überarbeitung der API", "Réunion d'équipe",
	}
	titles = []string{"Fix login redirect", "Add retries", "Handle null tagIds", "Speed up search", "Dark mode", "Docs: quickstart", "Bump deps"}
	// Things that look like references but are not, each kept whole in the text.
	decoys = []string{
		"#fff", "#C0FFEE", "color #a1b2c3", "#1st place", "C# port", "F# script", "&#123;", "#0", "#12345678",
		"#123abc", "release #1.2", "#1,000 rows", "https://example.com/page#123", "example.com/docs#12",
		"github.com/acme/web/pull/abc", "https://github.com/acme/web/blob/main/x.go#L12", "print 42 lines",
		"spring 42", "support 12", "gh-pages", "PRs", "pr@acme.dev", "upgrade 7", "item#12", "v#3", "##4",
		"https://gitlab.com/acme/web/-/merge_requests/3", "PR 2024-05 notes", "#12-3",
	}
	owners = []string{"acme", "golang", "heyjasper", "octo-org", "k8s"}
	repos  = []string{"web-app", "api", "go", "jasper.js", "infra_tools", "cli"}
)

// generateCorpus builds n deterministic descriptions: most with no reference, many with
// one, some with several or with URLs, and decoys throughout. It records what it planted.
func generateCorpus(n int, seed uint64) []description {
	rng := rand.New(rand.NewPCG(seed, seed^0xda3e39cb94b95bdb))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	out := make([]description, n)
	for i := range out {
		var b strings.Builder
		var planted []string
		used := map[int]bool{}
		num := func() int {
			for {
				v := 1 + rng.IntN(50000)
				if !used[v] {
					used[v] = true
					return v
				}
			}
		}
		write := func(s string) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
		plant := func() {
			n := num()
			o, r := pick(owners), pick(repos)
			var text, kind, target string
			target = fmt.Sprintf("#%d", n)
			issue := ""
			switch rng.IntN(11) {
			case 0, 1, 2:
				text, kind = fmt.Sprintf("#%d", n), "#N"
			case 3:
				text, kind = fmt.Sprintf("PR #%d", n), "PR #N"
			case 4:
				text, kind = fmt.Sprintf("%s-%d", pick([]string{"PR", "pr", "Pr"}), n), "PR #N"
			case 5:
				text, kind = fmt.Sprintf("%s%d", pick([]string{"Pull Request #", "pull request ", "PULL-REQUEST #"}), n), "pull request #N"
			case 6:
				text, kind, target = fmt.Sprintf("%s/%s#%d", o, r, n), "owner/repo#N", fmt.Sprintf("%s/%s#%d", o, r, n)
			case 7:
				text, kind = fmt.Sprintf("GH-%d", n), "GH-N"
			case 8:
				text, kind = fmt.Sprintf("PR#%d", n), "PR #N"
			case 9:
				suffix := pick([]string{"", "/files", "/commits", "?w=1", "#discussion_r9"})
				text = fmt.Sprintf("https://github.com/%s/%s/pull/%d%s", o, r, n, suffix)
				kind, target = "url", fmt.Sprintf("%s/%s#%d", o, r, n)
			default:
				text = fmt.Sprintf("https://github.com/%s/%s/issues/%d", o, r, n)
				kind, target, issue = "url", fmt.Sprintf("%s/%s#%d", o, r, n), " issue"
			}
			write(text)
			planted = append(planted, fmt.Sprintf("%s %s %q%s", kind, target, text, issue))
		}
		refs := 0
		switch k := rng.IntN(100); {
		case k < 55:
		case k < 85:
			refs = 1
		default:
			refs = 2 + rng.IntN(3)
		}
		if refs > 0 && rng.IntN(2) == 0 {
			plant() // Clockify's GitHub button puts the reference first
			write(pick(titles))
			refs--
		} else {
			write(pick(fillers))
		}
		for ; refs > 0; refs-- {
			write(pick([]string{"and", "see", "review", "(follow-up)", "-", "re:"}))
			plant()
		}
		if rng.IntN(3) == 0 {
			write(pick(decoys))
		}
		if rng.IntN(4) == 0 {
			write(pick(fillers))
		}
		out[i] = description{text: b.String(), planted: planted}
	}
	return out
}

func TestCorpusIsFoundExactly(t *testing.T) {
	corpus := generateCorpus(100_000, 1)
	var p Parser
	var buf []Ref
	var withRefs, several, withDecoy int
	for _, d := range corpus {
		buf = p.AppendRefs(buf[:0], d.text)
		got := show(d.text, buf)
		if len(d.planted) == 0 {
			require.Empty(t, got, "false positive in %q", d.text)
		} else {
			require.Equal(t, d.planted, got, "in %q", d.text)
			withRefs++
		}
		if len(d.planted) > 1 {
			several++
		}
		for _, dec := range decoys {
			if strings.Contains(d.text, dec) {
				withDecoy++
				break
			}
		}
	}
	require.Greater(t, withRefs, 40_000)
	require.Greater(t, several, 10_000)
	require.Greater(t, withDecoy, 25_000)
}
