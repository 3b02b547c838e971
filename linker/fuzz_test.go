package linker

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzFind checks that any text is parsed without panic into well-formed references (a
// span in the text, a number in range, names GitHub allows); that a character outside
// ASCII that is not part of a word reads as '"' does (an ASCII byte with no role in any
// form); and that a reference planted in random text, between spaces or other separators
// (full-width brackets, a dash and an ellipsis), is found at its span.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"", "#12 Fix", "PR #3 and acme/web#4", "https://github.com/o/r/pull/9/files", "&#123; C# #fff", "pull request 7", "GH-1", "über 12 #", "//github.com/a/b/pull/1?x", "（#12）修复#3", "PR #7，ok", "mona-cat_acme/dotfiles#3 a_b_c/r#4"} {
		f.Add(s, s, uint16(42), uint8(0))
	}
	f.Add("notes", "", uint16(7), uint8(7)) // plants the eighth form, a managed user's repository
	forms := []func(n int) (string, Kind){
		func(n int) (string, Kind) { return "#" + strconv.Itoa(n), KindHash },
		func(n int) (string, Kind) { return "PR #" + strconv.Itoa(n), KindPR },
		func(n int) (string, Kind) { return "pr-" + strconv.Itoa(n), KindPR },
		func(n int) (string, Kind) { return "Pull Request #" + strconv.Itoa(n), KindPullRequest },
		func(n int) (string, Kind) { return "GH-" + strconv.Itoa(n), KindGH },
		func(n int) (string, Kind) { return "acme/web#" + strconv.Itoa(n), KindRepoRef },
		func(n int) (string, Kind) { return "https://github.com/acme/web/pull/" + strconv.Itoa(n), KindURL },
		func(n int) (string, Kind) { return "mona-cat_acme/dotfiles#" + strconv.Itoa(n), KindRepoRef }, // a managed user's
	}
	f.Fuzz(func(t *testing.T, left, right string, num uint16, form uint8) {
		for _, text := range []string{left, right, left + right} {
			refs := Find(text)
			for _, r := range refs {
				require.True(t, 0 <= r.Start && r.Start < r.End && r.End <= len(text), "span %d:%d of %q", r.Start, r.End, text)
				require.True(t, r.Number >= 1 && r.Number <= MaxNumber)
				require.Contains(t, text[r.Start:r.End], strconv.Itoa(r.Number))
				if r.Repo != "" {
					require.True(t, validOwner(r.Owner) && validRepo(r.Repo), "%q in %q", r.String(), text)
				}
			}
			quoted := quoteOthers(text)
			require.Equal(t, show(text, refs), show(quoted, Find(quoted)), "%q against %q", text, quoted)
		}
		n := int(num)%MaxNumber + 1
		ref, kind := forms[int(form)%len(forms)](n)
		// Keep the plant apart from its neighbours: a separator on each side, and no URL
		// or reference form that would swallow it.
		seps := [...][2]string{{" ", " "}, {"（", "）"}, {"—", "…"}}
		sep := seps[int(form)/len(forms)%len(seps)]
		text := left + sep[0] + ref + sep[1] + right
		if strings.ContainsAny(left+right, "\x00") {
			return
		}
		start := len(left) + len(sep[0])
		var found *Ref
		refs := Find(text)
		for i := range refs {
			if refs[i].Start == start {
				found = &refs[i]
			}
		}
		if found == nil {
			// The plant may be read as part of a URL or a longer form that begins on its
			// left ("https://x.com/a" + " " is not), or merged with an identical target.
			if endsInsideToken(left) {
				return
			}
			for _, r := range refs {
				if r.Number == n && (r.Repo == "") == (kind != KindRepoRef && kind != KindURL) {
					return // the same PR named elsewhere too, kept once in its surest form
				}
			}
			t.Fatalf("planted %q at %d not found in %q: %+v", ref, start, text, refs)
		}
		require.Equal(t, start+len(ref), found.End)
		require.Equal(t, n, found.Number)
		require.Equal(t, kind, found.Kind)
	})
}

// endsInsideToken reports whether the text before a plant could join it into one form:
// "PR", "pull request", a trailing ':' or '#', or an open URL token.
func endsInsideToken(left string) bool {
	l := strings.ToLower(strings.TrimRight(left, " "))
	for _, suffix := range []string{"pr", "pr:", "pull request", "pull-request", "pullrequest", "request", "request:", "#", "-", ":"} {
		if strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

// quoteOthers replaces each character outside ASCII that is not part of a word (and not a
// mark, which counts as the character it sits on) with '"'.
func quoteOthers(text string) string {
	var b strings.Builder
	for len(text) > 0 {
		c, size := utf8.DecodeRuneInString(text)
		if c >= utf8.RuneSelf && !isWordRune(c, size) {
			b.WriteByte('"')
		} else {
			b.WriteString(text[:size])
		}
		text = text[size:]
	}
	return b.String()
}

// FuzzResolve checks Resolve on any text, mapping and custom pattern: no panic, spans in
// the text, resolved links naming valid repositories, each target once, and a bare
// reference resolved whenever the mapping is a repository.
func FuzzResolve(f *testing.F) {
	f.Add("#12 and WEB-3 and [lib.git 4] acme/web#12", "acme/web", uint8(1))
	f.Add("PR #5 https://github.com/a/b/pull/5 #5", "a/b.git", uint8(2))
	patterns := []*Pattern{nil,
		mustCompile(f, `(?i)\bWEB-(?P<number>\d+)`),
		mustCompile(f, `\[(?P<repo>[\w./-]+)\s+(?P<number>\d+)\]`),
		mustCompile(f, `(?P<number>\d*)`), // empty matches everywhere
	}
	var p Parser
	f.Fuzz(func(t *testing.T, text, repo string, pattern uint8) {
		proj := Project{Repo: repo, Pattern: patterns[int(pattern)%len(patterns)]}
		_, _, mapped := splitRepo(repo)
		seen := map[string]bool{}
		for _, l := range p.Resolve(text, proj) {
			require.True(t, 0 <= l.Start && l.Start < l.End && l.End <= len(text), "span %d:%d of %q", l.Start, l.End, text)
			require.True(t, l.Number >= 1 && l.Number <= MaxNumber)
			require.True(t, l.Resolved() || !mapped, "%s unresolved though %q maps the project", l, repo)
			if l.Resolved() {
				require.True(t, validOwner(l.Owner) && validRepo(l.Repo), "%q", l.String())
				require.False(t, strings.HasSuffix(l.Repo, ".git"), "%q", l.String())
			}
			key := strings.ToLower(l.String()) + strconv.FormatBool(l.Issue)
			require.False(t, seen[key], "%s twice", l)
			seen[key] = true
		}
	})
}

func mustCompile(f *testing.F, expr string) *Pattern {
	p, err := CompilePattern(expr)
	if err != nil {
		f.Fatal(err)
	}
	return p
}
