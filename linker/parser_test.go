package linker

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// show renders refs compactly: kind, target, span text.
func show(text string, refs []Ref) []string {
	var out []string
	for _, r := range refs {
		s := fmt.Sprintf("%s %s %q", r.Kind, r.String(), text[r.Start:r.End])
		if r.Issue {
			s += " issue"
		}
		out = append(out, s)
	}
	return out
}

func TestFindForms(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		// What the product promises.
		{"PR #123", []string{`PR #N #123 "PR #123"`}},
		{"PR-123 fix", []string{`PR #N #123 "PR-123"`}},
		{"Pull Request #123", []string{`pull request #N #123 "Pull Request #123"`}},
		{"#123 Fix login", []string{`#N #123 "#123"`}},
		{"https://github.com/org/repo/pull/42", []string{`url org/repo#42 "https://github.com/org/repo/pull/42"`}},
		{"see https://github.com/org/repo/pull/42/files", []string{`url org/repo#42 "https://github.com/org/repo/pull/42/files"`}},
		{"https://github.com/org/repo/pull/42/commits/abc123", []string{`url org/repo#42 "https://github.com/org/repo/pull/42/commits/abc123"`}},
		{"https://github.com/org/repo/pull/42?w=1", []string{`url org/repo#42 "https://github.com/org/repo/pull/42?w=1"`}},
		{"https://github.com/org/repo/pull/42#discussion_r1", []string{`url org/repo#42 "https://github.com/org/repo/pull/42#discussion_r1"`}},
		{"(https://github.com/org/repo/pull/42).", []string{`url org/repo#42 "https://github.com/org/repo/pull/42"`}},
		{"http://www.github.com/Org/Repo.js/pull/7", []string{`url Org/Repo.js#7 "http://www.github.com/Org/Repo.js/pull/7"`}},
		{"github.com/org/repo/pull/9 review", []string{`url org/repo#9 "github.com/org/repo/pull/9"`}},
		{"HTTPS://GITHUB.COM/org/repo/pull/9", []string{`url org/repo#9 "HTTPS://GITHUB.COM/org/repo/pull/9"`}},
		// What GitHub itself autolinks, and other ways people write it.
		{"golang/go#12345", []string{`owner/repo#N golang/go#12345 "golang/go#12345"`}},
		{"a/b#1", []string{`owner/repo#N a/b#1 "a/b#1"`}},                                // one-letter names at the very start
		{"see //github.com/o/r/pull/1", []string{`url o/r#1 "//github.com/o/r/pull/1"`}}, // scheme-relative
		// Between the word and the number: '#' or '-', up to two spaces, a colon.
		{"PR:42", []string{`PR #N #42 "PR:42"`}},
		{"pr:  #7", []string{`PR #N #7 "pr:  #7"`}},
		{"PR  -9", []string{`PR #N #9 "PR  -9"`}},
		{"pull request: 3", []string{`pull request #N #3 "pull request: 3"`}},
		{"fix for acme/web-app#7.", []string{`owner/repo#N acme/web-app#7 "acme/web-app#7"`}},
		{"(pytorch/pytorch#1)", []string{`owner/repo#N pytorch/pytorch#1 "pytorch/pytorch#1"`}},
		{"git@github.com:acme/web.git#12", []string{`owner/repo#N acme/web#12 "acme/web.git#12"`}}, // GitHub drops .git
		{"acme/web.github#3", []string{`owner/repo#N acme/web.github#3 "acme/web.github#3"`}},
		// A managed user's login names its enterprise after '_', and the user owns private
		// repositories.
		{"mona-cat_acme/dotfiles#3", []string{`owner/repo#N mona-cat_acme/dotfiles#3 "mona-cat_acme/dotfiles#3"`}},
		{"https://github.com/mona_acme2/notes/pull/4", []string{`url mona_acme2/notes#4 "https://github.com/mona_acme2/notes/pull/4"`}},
		{"GH-123", []string{`GH-N #123 "GH-123"`}},
		{"gh-5 and GH-6", []string{`GH-N #5 "gh-5"`, `GH-N #6 "GH-6"`}},
		{"PR#42", []string{`PR #N #42 "PR#42"`}},
		{"pr 42", []string{`PR #N #42 "pr 42"`}},
		{"Pr: #42", []string{`PR #N #42 "Pr: #42"`}},
		{"pull request 42", []string{`pull request #N #42 "pull request 42"`}},
		{"PULL-REQUEST #8", []string{`pull request #N #8 "PULL-REQUEST #8"`}},
		{"pullrequest 8", []string{`pull request #N #8 "pullrequest 8"`}},
		{"Pull  Request  #7", []string{`pull request #N #7 "Pull  Request  #7"`}}, // two spaces, as before a number
		{"https://github.com/org/repo/issues/5", []string{`url org/repo#5 "https://github.com/org/repo/issues/5" issue`}},
		{"https://github.com/org/repo/pulls/6", []string{`url org/repo#6 "https://github.com/org/repo/pulls/6"`}},
		{"#5", []string{`#N #5 "#5"`}},
		{"x PR-5", []string{`PR #N #5 "PR-5"`}},
		// Several in one description; the same PR once, in its most confident form.
		{"#1, #2 and PR #3", []string{`#N #1 "#1"`, `#N #2 "#2"`, `PR #N #3 "PR #3"`}},
		{"#12 then PR #12", []string{`PR #N #12 "PR #12"`}},
		{"#100 then PR #100", []string{`PR #N #100 "PR #100"`}},          // past 63: seen's bits wrap
		{"#1, #2 and PR #1", []string{`PR #N #1 "PR #1"`, `#N #2 "#2"`}}, // not the last one seen
		{"acme/web#4 https://github.com/acme/web/pull/4", []string{`owner/repo#N acme/web#4 "acme/web#4"`}},
		{"acme/web#4 acme/api#4 #4", []string{`owner/repo#N acme/web#4 "acme/web#4"`, `owner/repo#N acme/api#4 "acme/api#4"`, `#N #4 "#4"`}},
		{"PR #5: https://github.com/o/r/issues/5", []string{`PR #N #5 "PR #5"`, `url o/r#5 "https://github.com/o/r/issues/5" issue`}},
		// A number's start inside a URL (after its '-') is passed over, not what follows it.
		{"https://github.com/o/r/pull/42#issuecomment-99 and #7", []string{`url o/r#42 "https://github.com/o/r/pull/42#issuecomment-99"`, `#N #7 "#7"`}},
		{"**#77** done", []string{`#N #77 "#77"`}},
		{`<a href="https://example.com/x">#12</a>`, []string{`#N #12 "#12"`}}, // a URL ends at '"'; '>' is no part of one
		{"github.com:#12", []string{`#N #12 "#12"`}},                          // a host with no path is no URL
		{"[#77](x)", []string{`#N #77 "#77"`}},
		{"#9999999", []string{`#N #9999999 "#9999999"`}},
		{"Fixes:#3", []string{`#N #3 "#3"`}},
		{"PR #12: fix the retry", []string{`PR #N #12 "PR #12"`}},
		{"https://github.com/o/r/pull/12: merged", []string{`url o/r#12 "https://github.com/o/r/pull/12"`}},
		{"a\x00#3", []string{`#N #3 "#3"`}}, // a NUL byte separates words like a space
		// Like GitHub, a bare #N may follow any ASCII byte outside a word but &, /, # and \.
		{"Login fix -#12", []string{`#N #12 "#12"`}},
		{"fix.#12", []string{`#N #12 "#12"`}},
		{"ref=#12", []string{`#N #12 "#12"`}},
		{"%#12 @#13", []string{`#N #12 "#12"`, `#N #13 "#13"`}}, // bytes that only may not end a number
		{"~~#12~~ |#13|", []string{`#N #12 "#12"`, `#N #13 "#13"`}},
		{"acme/web.#4", []string{`owner/repo#N acme/web.#4 "acme/web.#4"`}}, // a repository still wins
		{"~~acme/web#4~~ ref=o/r#5", []string{`owner/repo#N acme/web#4 "acme/web#4"`, `owner/repo#N o/r#5 "o/r#5"`}},
		// Outside ASCII, punctuation, spaces and symbols stand between words as ASCII does.
		{"修复登录 PR #12。", []string{`PR #N #12 "PR #12"`}},
		{"PR #12，修复 #13、#14", []string{`PR #N #12 "PR #12"`, `#N #13 "#13"`, `#N #14 "#14"`}},
		{"（#12）🚀#13", []string{`#N #12 "#12"`, `#N #13 "#13"`}},
		{"PR #12—fix, see #13…", []string{`PR #N #12 "PR #12"`, `#N #13 "#13"`}},
		{"（PR #5）「GH-7」（pull request 8）", []string{`PR #N #5 "PR #5"`, `GH-N #7 "GH-7"`, `pull request #N #8 "pull request 8"`}},
		{"（acme/web#4）", []string{`owner/repo#N acme/web#4 "acme/web#4"`}},
		{"⚠️#12 ✔️PR #3", []string{`#N #12 "#12"`, `PR #N #3 "PR #3"`}}, // an emoji's selector is a mark on a symbol
		{"*\ufe0f\u20e3#12", []string{`#N #12 "#12"`}},                  // a keycap's marks sit on ASCII '*'
		{"\ufffd#12", []string{`#N #12 "#12"`}},                         // U+FFFD written out is a symbol, not an invalid byte
		{"PR：https://github.com/o/r/pull/37（commit）", []string{`url o/r#37 "https://github.com/o/r/pull/37"`}},
		// A URL is ASCII: it starts and ends at a character outside ASCII, even in a word.
		{"见https://github.com/o/r/pull/12，然后", []string{`url o/r#12 "https://github.com/o/r/pull/12"`}},
		{"https://github.com/o/r/pull/12修复", []string{`url o/r#12 "https://github.com/o/r/pull/12"`}},
		{"PR:https://github.com/o/r/pull/1", []string{`url o/r#1 "https://github.com/o/r/pull/1"`}},
		{"修复PR #12 修复pull request #13 修复a/b#14 éa/b-#15", []string{`#N #12 "#12"`, `#N #13 "#13"`, `#N #15 "#15"`}}, // as after "_"
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			require.Equal(t, tc.want, show(tc.text, Find(tc.text)))
		})
	}
}

func TestFindRejects(t *testing.T) {
	cases := []string{
		"#fff", "#C0FFEE", "color: #a1b2c3;", "#1st place", "#2nd", "C# and F# code", "abc#1", "&#123; entity", "&#x1F600;",
		"#0", "#00", "#012", "#12345678 too large", "ticket 123456789", "#123abc", "#12_x", "v#12", "##12",
		"release #1.2", "#1,000 rows", "#12-3", "https://example.com/page#123", "see example.com/docs#12",
		"https://gitlab.com/a/b/-/merge_requests/3", "https://gitlab.com/org/repo/pull/42",
		"github.com/org/repo/pull/abc", "https://github.com/org/repo/pull/", "https://github.com/org/repo/pull/0",
		"https://github.com/org/repo/pull/42abc", "https://github.com/org/repo/blob/main/a.go#L12",
		"https://github.com/org/repo", "https://github.com/orgs/acme/projects/3", "https://github.com/-bad/repo/pull/1",
		"https://github.com/a--b/repo/pull/1", "acme--corp/web#12", "acme/.git#12",
		"_acme/web#1", "mona_/web#1", "mona-_acme/web#1", "mona_ac-me/web#1", "snake_case_name/web#1", // '_' only as a managed user's
		"https://github.com/mona__acme/r/pull/1", "https://github.com/_acme/r/pull/1",
		"acme/web.git.git#1", "acme/web.wiki#1", "https://github.com/acme/web.wiki/pull/1", "https://github.com/acme/web.git/pull/1", // names GitHub cannot have
		"https://github.com/org/../pull/1", "email me at pr@acme.dev", "PRs #", "PR", "pr", "PR #", "PR-x", "PRs", "product 42",
		"spring 42", "support 12", "print 3", "upgrade 7", "apr 4", "GH-", "GH-0", "gh5", "GH-12a", "pull request", "pull requests 12",
		"pull 12", "request 12", "prepare 12", "a/b#0", "-a/b#1", "a-/b#1", "x.y/z#1", "über#12", "#", "", "/", "//", "://",
		"the#1", "item#12", "foo/#12", "owner/#12", "https://example.com/?q=#5&pr=3", "PR #3.5", "PR 2024-05 planning",
		"gh-pages", "ghost 12", "page 12", "pp 12", "PR   42", "PR - 4", "GH -3", "PR ::5",
		"PR 10:30 sync", "PR 1:1", "#1:1", "GH-9:45", // times and ratios
		"PR 80% done", "#50%", "GH-5%", // shares
		"mail pr-12@acme.com", "gh-7@acme.dev", "#12@acme", // an address or a handle goes on after '@'
		`\#12 escaped`, "_#12_", "@acme/web#4", // after '\\' or '_'; a team, not an owner
		// Forms inside another URL, and URLs that are not PR URLs.
		"https://example.com/track?ref=PR-12", "//example.com/GH-4", "github.com/acme/web/wiki/PR-5",
		"see github.com/acme/web/wiki/PR-5", "see github.com/acme/web#12", // a URL after a word: it starts at its host
		" /acme/web/pull/3", // a path with no host
		"https://github.com//pull/12", "o/r/pull/12", "repo/pull/12", "://github.com/o/r/pull/1", "x/github.com/o/r/pull/1", "https://github.com/o/r/pull/12=3",
		"notgithub.com/o/r/pull/1", "1github.com/o/r/pull/1", // a host's name goes on before it
		"xhttps://github.com/o/r/pull/1", "_https://github.com/o/r/pull/1", "ftp://github.com/o/r/pull/1", // not a web URL's scheme
		"ftps://github.com/o/r/pull/1", "httpss://github.com/o/r/pull/1",
		// A letter, mark or number in any script is part of a word; so is an invalid byte.
		"修复#123", "#12修复", "ａ#12", "e\u0301#12", "\u0301#12", "é\u0301\u0302#12", "#12\ufe0f", "#12²", "PR #12é", "acme/web#12é",
		"\xff#12", "\x80#12", "#12\xff", "éacme/web#12", "修复GH-12", "修复PR#12",
	}
	for _, text := range cases {
		require.Empty(t, show(text, Find(text)), "%q", text)
	}
}

func TestEnterpriseHost(t *testing.T) {
	p, err := NewParser(WithHost("https://GitHub.Acme.Corp/"))
	require.NoError(t, err)
	text := "see https://github.acme.corp/team/svc/pull/31 and https://github.com/o/r/pull/2 and https://other.corp/team/svc/pull/4"
	require.Equal(t, []string{
		`url team/svc#31 "https://github.acme.corp/team/svc/pull/31"`,
		`url o/r#2 "https://github.com/o/r/pull/2"`,
	}, show(text, p.Find(text)))
	require.Empty(t, Find("https://github.acme.corp/team/svc/pull/31"), "the default parser knows github.com only")
	require.Equal(t, []string{`url team/svc#32 "github.acme.corp/team/svc/pull/32"`}, show("see github.acme.corp/team/svc/pull/32", p.Find("see github.acme.corp/team/svc/pull/32")))
	for _, bad := range []string{"", "  ", "a/b", "host with space", "x?y", "a\\b", "user@ghe", "ghe#1",
		"ghe\x00.corp", "ghe\x7f", "ghe\u0085corp", "ghe\u00a0corp", "ghe\xff", strings.Repeat("a", 260)} {
		_, err := NewParser(WithHost(bad))
		require.Error(t, err, "%q", bad)
	}
	_, err = NewParser(WithHost(strings.Repeat("a", 253) + ":65535"))
	require.NoError(t, err, "the longest domain name with a port")

	// A host is taken whole: one that ends another host's name is not found inside it.
	p, err = NewParser(WithHost("acme.com"), WithHost("myacme.com"), WithHost("2acme.com"))
	require.NoError(t, err)
	text = "https://myacme.com/o/r/pull/1 https://2acme.com/o/r/pull/2"
	require.Equal(t, []string{`url o/r#1 "https://myacme.com/o/r/pull/1"`, `url o/r#2 "https://2acme.com/o/r/pull/2"`},
		show(text, p.Find(text)))
	// A host may be a bare intranet name. After a word in another script, "#12" left over
	// from an owner/repo form is a bare #N unless what it ends is a URL on a known host.
	p, err = NewParser(WithHost("ghe"))
	require.NoError(t, err)
	require.Empty(t, p.Find("修复ghe/web.#12"), "the anchor of a URL on ghe")
	require.Equal(t, []string{`#N #12 "#12"`}, show("修复acme/web.#12", p.Find("修复acme/web.#12")))
}

// TestParserWith: With adds hosts to a copy, and leaves the parser it started from as it
// was, so that each customer's host can be added to one shared parser.
func TestParserWith(t *testing.T) {
	base, err := NewParser(WithHost("github.acme.corp"))
	require.NoError(t, err)
	text := "https://github.acme.corp/a/b/pull/1 https://acme.ghe.com/c/d/pull/2 https://github.com/e/f/pull/3"
	p, err := base.With(WithHost("acme.ghe.com"))
	require.NoError(t, err)
	require.Len(t, p.Find(text), 3)
	require.Len(t, base.Find(text), 2, "the base parser is unchanged")
	p, err = (*Parser)(nil).With(WithHost("acme.ghe.com"))
	require.NoError(t, err)
	require.Len(t, p.Find(text), 2, "github.com and the host added")
	_, err = base.With(WithHost("not a host"))
	require.Error(t, err)
	p, err = base.With(WithHost(" https://ACME.ghe.com/ "))
	require.NoError(t, err)
	hosts := p.Hosts()
	require.Equal(t, []string{"github.com", "www.github.com", "github.acme.corp", "acme.ghe.com"}, hosts)
	hosts[0] = "changed"
	require.Equal(t, "github.com", p.Hosts()[0], "a copy")
	require.Equal(t, []string{"github.com", "www.github.com"}, (*Parser)(nil).Hosts())
}

func TestAppendRefsReusesTheSlice(t *testing.T) {
	var p Parser
	buf := make([]Ref, 0, 8)
	buf = p.AppendRefs(buf[:0], "#1 #2")
	require.Len(t, buf, 2)
	buf = p.AppendRefs(buf, "#2 #3")
	require.Len(t, buf, 4, "de-duplication is per text")
	allocs := testing.AllocsPerRun(100, func() { buf = p.AppendRefs(buf[:0], "PR #12 and acme/web#3") })
	require.Zero(t, allocs)
	for _, text := range []string{"Standup with the team about the roadmap", "1:1 with Sam, 42 lines #fff C# &#123; item#12"} {
		allocs = testing.AllocsPerRun(100, func() { _ = p.Find(text) })
		require.Zero(t, allocs, "no reference, no allocation: %q", text)
	}
}

func TestKindsAndConfidence(t *testing.T) {
	order := []Kind{KindURL, KindPR, KindHash}
	for i := 1; i < len(order); i++ {
		require.Greater(t, order[i-1].Confidence(), order[i].Confidence())
	}
	require.Equal(t, KindURL.Confidence(), KindRepoRef.Confidence())
	require.Greater(t, KindPullRequest.Confidence(), KindGH.Confidence())
	require.Zero(t, Kind(0).Confidence())
	require.Equal(t, "Kind(99)", Kind(99).String())
	require.Equal(t, "Kind(8)", (KindCustom + 1).String())
	require.Equal(t, "Kind(0)", Kind(0).String())
	require.Equal(t, "#N", KindHash.String())
	require.Equal(t, "web#3", Ref{Repo: "web", Number: 3}.String())
}

func TestSpansAreExact(t *testing.T) {
	text := "Ünïcødé — PR #5 👀 and acme/x#6 then https://github.com/a/b/pull/7"
	refs := Find(text)
	require.Len(t, refs, 3)
	for _, r := range refs {
		require.True(t, strings.HasSuffix(text[r.Start:r.End], fmt.Sprint(r.Number)), text[r.Start:r.End])
	}
}

func TestParseDigits(t *testing.T) {
	for _, s := range []string{"1", "9", "10", "42", "123", "9999", "10203", "999999", "1234567", "9999999", "12345678", "00000001"} {
		for _, tail := range []string{"", " x", "abcdefgh", "\x00"} {
			text := s + tail
			want, _ := strconv.Atoi(s)
			w := load64(text+"\x00\x00\x00\x00\x00\x00\x00\x00", 0)
			require.Equal(t, want, parseDigits(w, len(s)), "%q", text)
		}
	}
	w, pre := shortWords("ab12", 2)
	require.Equal(t, uint64(0x3231), w)
	require.Equal(t, uint64(0x6261)<<48, pre)
}

// TestNameEdges checks the bytes and lengths at the edges of GitHub's names: owners of 39
// characters and repositories of 100 pass, one more does not; letters and digits at both
// ends of their ranges belong to names; hosts and targets compare ignoring case.
func TestNameEdges(t *testing.T) {
	o39, r100 := strings.Repeat("o", 39), strings.Repeat("r", 100)
	cases := []struct{ text, want string }{
		{o39 + "/" + r100 + "#1", o39 + "/" + r100 + "#1"},
		{"https://github.com/" + o39 + "/" + r100 + "/pull/1", o39 + "/" + r100 + "#1"},
		{"AZaz09/Zz.9_-0#2", "AZaz09/Zz.9_-0#2"},
		{"https://github.com/AZ-az-09/Zz.09_/pull/3", "AZ-az-09/Zz.09_#3"},
	}
	for _, tc := range cases {
		refs := Find(tc.text)
		require.Len(t, refs, 1, tc.text)
		require.Equal(t, tc.want, refs[0].String())
	}
	for _, text := range []string{o39 + "o/r#1", "o/" + r100 + "r#1", "https://github.com/" + o39 + "o/r/pull/1", "https://github.com/o/" + r100 + "r/pull/1"} {
		require.Empty(t, Find(text), text)
	}
	// A URL ends before a space or a DEL byte.
	require.Equal(t, []string{`url o/r#4 "https://github.com/o/r/pull/4"`}, show("https://github.com/o/r/pull/4\x7fx", Find("https://github.com/o/r/pull/4\x7fx")))
	// Case: "AZ/web#5" and its URL name one PR; an Enterprise host in capitals is known.
	require.Len(t, Find("AZ/web#5 https://github.com/az/WEB/pull/5"), 1)
	p, err := NewParser(WithHost("az.example"))
	require.NoError(t, err)
	require.Len(t, p.Find("https://AZ.EXAMPLE/o/r/pull/6"), 1)
}

// TestOwnerWalk: the walk back over an owner's name, which checks its '-' and '_' as it
// goes, finds an owner exactly when validOwner accepts the name, in owner/repo#N and in a
// URL, for every name of up to five bytes of letters, '-', '_' and '.'.
func TestOwnerWalk(t *testing.T) {
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
	for _, n := range names {
		for _, text := range []string{"see " + n + "/r#1", "https://github.com/" + n + "/r/pull/1"} {
			refs := Find(text)
			found := len(refs) == 1 && refs[0].Owner == n
			require.Equal(t, validOwner(n), found, "%q: %v", text, refs)
		}
	}
}

// repeat joins f(1), ..., f(n).
func repeat(n int, f func(k int) string) string {
	var b strings.Builder
	for k := 1; k <= n; k++ {
		b.WriteString(f(k))
	}
	return b.String()
}

func TestLongTexts(t *testing.T) {
	// Texts far longer than a description, shaped so that each reference would walk back
	// over all the text before it, or be compared with every reference before it. They
	// take time in proportion to their length (BenchmarkFindLongText); here, what they
	// find is checked.
	t.Run("one run of URL bytes", func(t *testing.T) {
		text := repeat(20_000, func(int) string { return "~#1" })
		require.Equal(t, []string{`#N #1 "#1"`}, show(text, Find(text)))
		text = repeat(5_000, func(k int) string { return "pr-" + strconv.Itoa(k%50+1) + "." })
		refs := Find(text)
		require.Len(t, refs, 50)
		for k, r := range refs {
			require.Equal(t, k+2-50*((k+1)/50), r.Number) // 2, 3, ..., 50, 1
			require.Equal(t, KindPR, r.Kind)
		}
	})
	t.Run("a URL's slashes reach only what follows them", func(t *testing.T) {
		text := repeat(1_000, func(k int) string { return "~#" + strconv.Itoa(k) }) + "//" +
			repeat(1_000, func(k int) string { return "~#" + strconv.Itoa(k+1_000) })
		refs := Find(text)
		require.Len(t, refs, 1_000)
		require.Equal(t, 1_000, refs[999].Number)
		text = "github.com/" + text
		require.Empty(t, Find(text), "inside a URL from its first byte")
		text = "github.com/a~#1 b~#2 https://x.io/c~#3 d~#4"
		require.Equal(t, []string{`#N #2 "#2"`, `#N #4 "#4"`}, show(text, Find(text)), "each run on its own")
		require.Empty(t, Find("x//PR-1"), "right after the slashes")
		require.Equal(t, []string{`#N #1 "#1"`}, show("x~#1//y", Find("x~#1//y")), "right before them")
	})
	t.Run("thousands of PRs, each named twice", func(t *testing.T) {
		const n = 1_000
		text := repeat(n, func(k int) string { return "#" + strconv.Itoa(k) + " " }) +
			repeat(n, func(k int) string {
				if k%2 == 0 {
					return "PR #" + strconv.Itoa(k) + " " // surer: replaces the bare one
				}
				return "(#" + strconv.Itoa(k) + ") " // as sure: the first is kept
			})
		refs := Find(text)
		require.Len(t, refs, n)
		second := strings.Index(text, "PR #2 ")
		for k, r := range refs {
			require.Equal(t, k+1, r.Number, "in the order of first mention")
			if r.Number%2 == 0 {
				require.Equal(t, KindPR, r.Kind)
				require.Greater(t, r.Start, second-1, "the surer form's span")
			} else {
				require.Equal(t, KindHash, r.Kind)
				require.Less(t, r.Start, second, "the first form's span")
			}
		}
		// Appending to a slice that already holds references leaves them alone.
		prior := []Ref{{Number: 1, Kind: KindHash}, {Number: 1, Kind: KindHash}}
		got := (*Parser)(nil).AppendRefs(prior, text)
		require.Len(t, got, 2+n)
		require.Equal(t, prior[:2], got[:2])
		// However many it holds, a short text's repeats are still found.
		got = (*Parser)(nil).AppendRefs(got, "#7 PR #7 #8 (#8)")
		require.Equal(t, []string{`PR #N #7 "PR #7"`, `#N #8 "#8"`}, show("#7 PR #7 #8 (#8)", got[2+n:]))
	})
}

func TestKeepSurestMatchesOneByOne(t *testing.T) {
	// keepSurest, used past scanLimit references, keeps what comparing each reference with
	// those before it (sameTarget) keeps: the same targets, places and forms.
	owners := []string{"", "acme", "ACME", "other"}
	kinds := []Kind{KindHash, KindPR, KindURL, KindGH, KindRepoRef}
	for seed := range 50 {
		var refs []Ref
		x := uint32(seed*7919 + 1)
		next := func(n int) int { x = x*1664525 + 1013904223; return int(x>>16) % n }
		for k := range 300 {
			o := owners[next(len(owners))]
			r := Ref{Number: next(40) + 1, Kind: kinds[next(len(kinds))], Start: k, End: k + 1, Issue: next(5) == 0}
			if o != "" {
				r.Owner, r.Repo = o, "web"
			}
			refs = append(refs, r)
		}
		var want []Ref
	each:
		for _, r := range refs {
			for j := range want {
				if sameTarget(&want[j], &r) {
					if r.Confidence() > want[j].Confidence() {
						want[j] = r
					}
					continue each
				}
			}
			want = append(want, r)
		}
		got := keepSurest(append([]Ref{{Number: 1}}, refs...), 1, refTarget)
		require.Equal(t, Ref{Number: 1}, got[0], "before base: untouched")
		require.Equal(t, want, got[1:], "seed %d", seed)
	}
}

// TestNilOptionIsSkipped: a nil option changes nothing.
func TestNilOptionIsSkipped(t *testing.T) {
	p, err := NewParser(nil, WithHost("ghe.acme.corp"))
	require.NoError(t, err)
	want, err := NewParser(WithHost("ghe.acme.corp"))
	require.NoError(t, err)
	require.Equal(t, want.Hosts(), p.Hosts())
}
