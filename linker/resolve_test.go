package linker

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func links(ls []Link) []string {
	var out []string
	for _, l := range ls {
		s := l.String() + " " + l.Kind.String()
		if !l.Resolved() {
			s += " unresolved"
		}
		out = append(out, s)
	}
	return out
}

func TestResolve(t *testing.T) {
	var p Parser
	jira := mustPattern(t, `(?i)\bWEB-(?P<number>\d+)\b`)
	withRepo := mustPattern(t, `\[(?P<repo>[\w.-]+(?:/[\w.-]+)?)\s+(?P<number>\d+)\]`)
	repoFirst := mustPattern(t, `(?P<repo>[a-z]+)!(?P<number>\d+)`)
	numberFirst := mustPattern(t, `(x)?(?P<number>\d+)@(?P<repo>[\w.-]+);`)    // the groups in another order
	optionalRepo := mustPattern(t, `(T)(?P<number>\d+)(?:@(?P<repo>[a-z]+))?`) // the repo group third, and optional
	hashInside := mustPattern(t, `\[(?P<repo>[a-z]+) #(?P<number>\d+)\]`)      // holds a built-in #N
	anyRepo := mustPattern(t, `\{(?P<repo>[^\s}]+)\s+(?P<number>\d+)\}`)
	cases := []struct {
		name string
		text string
		proj Project
		want []string
	}{
		{"bare with mapping", "#123 Fix login", Project{Repo: "acme/web-app"}, []string{"acme/web-app#123 #N"}},
		{"bare without mapping", "#123 Fix login", Project{}, []string{"#123 #N unresolved"}},
		{"bad mapping is ignored", "#123", Project{Repo: "not a repo"}, []string{"#123 #N unresolved"}},
		{"mapping with a byte GitHub refuses", "#1", Project{Repo: "acme/web!"}, []string{"#1 #N unresolved"}},
		{"mapping with an owner GitHub refuses", "#1", Project{Repo: "ac_me_x/web"}, []string{"#1 #N unresolved"}},
		{"mapping to a managed user's repository", "#1", Project{Repo: "mona-cat_acme/dotfiles"}, []string{"mona-cat_acme/dotfiles#1 #N"}},
		{"text repo wins", "acme/api#5", Project{Repo: "acme/web"}, []string{"acme/api#5 owner/repo#N"}},
		{"url wins", "https://github.com/acme/api/pull/5", Project{Repo: "acme/web"}, []string{"acme/api#5 url"}},
		{"same PR named twice once", "PR #5 https://github.com/acme/web/pull/5 #5", Project{Repo: "acme/web"}, []string{"acme/web#5 url"}},
		{"different repos stay apart", "#5 acme/api#5", Project{Repo: "acme/web"}, []string{"acme/web#5 #N", "acme/api#5 owner/repo#N"}},
		{"custom pattern first", "WEB-42: fix #7", Project{Repo: "acme/web", Pattern: jira}, []string{"acme/web#42 custom", "acme/web#7 #N"}},
		{"same number, custom and built-in, two repos", "[api 9] and #9", Project{Repo: "acme/web", Pattern: withRepo}, []string{"acme/api#9 custom", "acme/web#9 #N"}},
		{"built-in inside a custom match dropped", "[api #9] #10", Project{Repo: "acme/web", Pattern: hashInside}, []string{"acme/api#9 custom", "acme/web#10 #N"}},
		{"custom with owner/repo", "[other/lib 3]", Project{Pattern: withRepo}, []string{"other/lib#3 custom"}},
		{"custom bare repo without mapping", "[lib 3]", Project{Pattern: withRepo}, []string{"#3 custom unresolved"}},
		{"custom bad repo skipped", "[-x/lib 3] {a/b/c 4} {we!b 5} {o_x_y/lib 6} {acme/we~b 7} {acme/lib 8}", Project{Repo: "acme/web", Pattern: anyRepo},
			[]string{"acme/lib#8 custom"}},
		{"custom groups in another order", "12@lib;", Project{Repo: "acme/web", Pattern: numberFirst}, []string{"acme/lib#12 custom"}},
		{"custom repo group left out", "T12 T13@lib", Project{Repo: "acme/web", Pattern: optionalRepo}, []string{"acme/web#12 custom", "acme/lib#13 custom"}},
		{"custom repo at the start", "lib!3", Project{Repo: "acme/web", Pattern: repoFirst}, []string{"acme/lib#3 custom"}},
		{"built-ins touching a custom match stay", "#8[api 9]#7", Project{Repo: "acme/web", Pattern: withRepo},
			[]string{"acme/web#8 #N", "acme/api#9 custom", "acme/web#7 #N"}},
		{"custom numbers at the limits", "WEB-1 WEB-9999999", Project{Repo: "acme/web", Pattern: jira}, []string{"acme/web#1 custom", "acme/web#9999999 custom"}},
		{"custom number zero skipped", "WEB-0 WEB-99999999 WEB-3", Project{Repo: "acme/web", Pattern: jira}, []string{"acme/web#3 custom"}},
		{"nothing", "Standup", Project{Repo: "acme/web"}, nil},
		// GitHub drops a ".git" suffix from repository names, as for acme/web.git#5 in text.
		{"mapping with .git", "#5", Project{Repo: "acme/web.git"}, []string{"acme/web#5 #N"}},
		{"mapping that is only .git", "#5", Project{Repo: "acme/.git"}, []string{"#5 #N unresolved"}},
		{"custom repos with .git", "[lib.git 3] [other/lib.git 4] [.git 5]", Project{Repo: "acme/web", Pattern: withRepo},
			[]string{"acme/lib#3 custom", "other/lib#4 custom"}},
		// What is left after the suffix must still be a name GitHub allows: none ends in
		// ".git" (removed) or ".wiki" (kept for wikis).
		{"mapping with .git twice", "#5", Project{Repo: "acme/web.git.git"}, []string{"#5 #N unresolved"}},
		{"mapping to a wiki", "#5", Project{Repo: "acme/web.wiki"}, []string{"#5 #N unresolved"}},
		{"custom repos that are no names", "[.git.git 3] [lib.wiki 4] [o/lib.git.git 5]", Project{Repo: "acme/web", Pattern: withRepo}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, links(p.Resolve(tc.text, tc.proj)))
		})
	}
	// Named twice in the same form, a PR keeps its first place.
	ls := p.Resolve("WEB-5 and WEB-5", Project{Repo: "acme/web", Pattern: jira})
	require.Len(t, ls, 1)
	require.Equal(t, 0, ls[0].Start)
}

func mustPattern(t *testing.T, expr string) *Pattern {
	t.Helper()
	p, err := CompilePattern(expr)
	require.NoError(t, err)
	require.Equal(t, expr, p.String())
	return p
}

func TestCompilePatternRejects(t *testing.T) {
	_, err := CompilePattern(`WEB-(\d+)`)
	require.ErrorIs(t, err, ErrPatternNoNumber)
	_, err = CompilePattern(`WEB-(?P<number>\d+`)
	require.ErrorContains(t, err, "custom pattern")
	_, err = CompilePattern(`(?P<num>\d+)`)
	require.ErrorIs(t, err, ErrPatternNoNumber)

	// A pattern runs on every description of its project: its size is bounded.
	for _, expr := range []string{
		`(?P<number>\d+)` + strings.Repeat("x", MaxPatternBytes), // too long
		strings.Repeat(`[a-z]{100}`, 10) + `(?P<number>\d+)`,     // short, but 1,000 instructions and more
	} {
		_, err = CompilePattern(expr)
		require.ErrorIs(t, err, ErrPatternTooLarge, "%.40s…", expr)
	}
	p, err := CompilePattern(strings.Repeat(`[a-z]{100}`, 9) + `(?P<number>\d+)`)
	require.NoError(t, err, "within the bounds")
	require.Len(t, p.appendMatches(nil, strings.Repeat("a", 900)+"42"), 1)

	// Both bounds are inclusive. MaxPatternBytes bytes compile:
	exact := `(?P<number>\d+)` + strings.Repeat("x", MaxPatternBytes-len(`(?P<number>\d+)`))
	require.Len(t, exact, MaxPatternBytes)
	_, err = CompilePattern(exact)
	require.NoError(t, err)
	// and so does a program of MaxPatternInstructions instructions, but not one more.
	repeat := func(k int) string { return fmt.Sprintf(`x{%d}(?P<number>\d+)`, k) }
	k := MaxPatternInstructions - instructions(t, repeat(1)) + 1 // each x is one instruction
	require.Equal(t, MaxPatternInstructions, instructions(t, repeat(k)))
	_, err = CompilePattern(repeat(k))
	require.NoError(t, err)
	require.Equal(t, MaxPatternInstructions+1, instructions(t, repeat(k+1)))
	_, err = CompilePattern(repeat(k + 1))
	require.ErrorIs(t, err, ErrPatternTooLarge)
}

// instructions returns the size of expr's program, as CompilePattern counts it.
func instructions(t *testing.T, expr string) int {
	t.Helper()
	parsed, err := syntax.Parse(expr, syntax.Perl)
	require.NoError(t, err)
	prog, err := syntax.Compile(parsed.Simplify())
	require.NoError(t, err)
	return len(prog.Inst)
}

func TestOptionalNumberGroup(t *testing.T) {
	p := mustPattern(t, `X(?P<number>\d+)?`)
	var ps Parser
	require.Empty(t, ps.Resolve("X and X12345678901", Project{Repo: "a/b", Pattern: p}))
	require.Equal(t, []string{"a/b#12 custom"}, links(ps.Resolve("X and X12", Project{Repo: "a/b", Pattern: p})),
		"a match without its number is skipped, not the matches after it")
}

// TestLinkResolvedNeedsBoth: a link names its repository only with both its owner and
// its name.
func TestLinkResolvedNeedsBoth(t *testing.T) {
	for _, l := range []Link{{Ref: Ref{Number: 5}, Repo: "web"}, {Ref: Ref{Number: 5}, Owner: "acme"}} {
		require.False(t, l.Resolved(), "%+v", l)
		require.Equal(t, "#5", l.String())
	}
	require.Equal(t, "acme/web#5", Link{Ref: Ref{Number: 5}, Owner: "acme", Repo: "web"}.String())
}

func TestResolveLongTexts(t *testing.T) {
	// More links than are compared one by one (scanLimit): a bare #N and the owner/repo#N
	// it resolves to are one link, whatever lies between them.
	var p Parser
	var b strings.Builder
	for k := 1; k <= 100; k++ {
		fmt.Fprintf(&b, "#%d [#%d] ", k, k+1000)
	}
	for k := 1; k <= 100; k++ {
		fmt.Fprintf(&b, "Acme/Web#%d ", k)
	}
	text := b.String()
	got := p.Resolve(text, Project{Repo: "acme/web", Pattern: mustPattern(t, `\[#(?P<number>\d+)\]`)})
	require.Len(t, got, 200)
	for k, l := range got {
		n := k/2 + 1
		if k%2 == 0 {
			require.Equal(t, "Acme/Web#"+strconv.Itoa(n)+" owner/repo#N", links(got[k : k+1])[0], "the surer form, at the first one's place")
		} else {
			require.Equal(t, "acme/web#"+strconv.Itoa(n+1000)+" custom", links(got[k : k+1])[0], "the pattern's match, not the #N inside it")
		}
		require.True(t, l.Resolved())
	}
}
