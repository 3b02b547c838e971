package sync

import (
	"errors"
	"strings"
	"testing"

	"github.com/heyjasper/jasper-clockify/linker"
)

// FuzzManualLink: any target is either refused with an InputError or read as one
// owner/repo#N whose own text reads back the same; ParsePR reads the same target, but
// an issue.
func FuzzManualLink(f *testing.F) {
	for _, s := range []string{"acme/web#12", " https://github.com/acme/web/pull/7/files ", "https://github.com/a/b/issues/3",
		"#12", "acme/web", "acme/web#0", "acme/web#12 acme/api#13", "ａcme/web#1", "a--b/c#1", "acme/web.git#4", "mona-cat_acme/dotfiles#3", "mona_cat_acme/dotfiles#3"} {
		f.Add(s)
	}
	var p *linker.Parser // github.com only
	f.Fuzz(func(t *testing.T, target string) {
		l, err := manualLink(p, "ws", "e1", target)
		owner, repo, number, prErr := ParsePR(target)
		if (prErr == nil) != (err == nil && !l.Issue) {
			t.Fatalf("%q: ParsePR says %v, manualLink %v (issue %v)", target, prErr, err, l.Issue)
		}
		if prErr == nil && (owner != l.Owner || repo != l.Repo || number != l.Number) {
			t.Fatalf("%q: ParsePR read %s/%s#%d, manualLink %s", target, owner, repo, number, l.Target())
		}
		if err != nil {
			if !errors.Is(err, ErrInput) || prErr != nil && !errors.Is(prErr, ErrInput) {
				t.Fatalf("%q: %v, %v is not an InputError", target, err, prErr)
			}
			return
		}
		if !l.Resolved() || l.Number <= 0 || l.Source != SourceManual {
			t.Fatalf("%q read as %+v", target, l)
		}
		if !strings.Contains(strings.ToLower(target), strings.ToLower(l.Owner+"/"+l.Repo)) {
			t.Fatalf("%q: %s is not in the text", target, l.Target())
		}
		again, err := manualLink(p, "ws", "e1", l.Target())
		if err != nil || again.Target() != l.Target() {
			t.Fatalf("%q read as %s, which reads as %s (%v)", target, l.Target(), again.Target(), err)
		}
	})
}
