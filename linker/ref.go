package linker

import (
	"strconv"
	"strings"
)

// Kind is the form a reference was written in.
type Kind uint8

// The forms the parser recognises.
const (
	// KindURL is a GitHub pull-request URL (https://github.com/o/r/pull/42, also with
	// /files, /commits, a query or a fragment). With Issue set it is an issue URL.
	KindURL Kind = iota + 1
	// KindRepoRef is GitHub's cross-repository form, owner/repo#123.
	KindRepoRef
	// KindPR is "PR #123", "PR#123", "PR-123" or "PR 123", in any case.
	KindPR
	// KindPullRequest is "Pull Request #123" or "pull request 123", in any case.
	KindPullRequest
	// KindGH is GitHub's GH-123.
	KindGH
	// KindHash is a bare #123, as Clockify's GitHub button writes it.
	KindHash
	// KindCustom is a match of a project's custom pattern.
	KindCustom
)

var kindNames = [...]string{"", "url", "owner/repo#N", "PR #N", "pull request #N", "GH-N", "#N", "custom"}

// String names the form ("#N", "PR #N", "url", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Confidence is how sure a reference is to name a pull request, in [0, 1].
type Confidence float32

// Confidence of each form: a URL or owner/repo#N beats PR #N, which beats a bare #N.
func (k Kind) Confidence() Confidence {
	switch k {
	case KindURL, KindRepoRef:
		return 0.95
	case KindCustom:
		return 0.9
	case KindPR, KindPullRequest:
		return 0.8
	case KindGH:
		return 0.6
	case KindHash:
		return 0.5
	}
	return 0
}

// Ref is one reference found in a text.
type Ref struct {
	// Owner and Repo are set when the text names the repository (URLs, owner/repo#N, a
	// custom pattern's repo group); they are substrings of the text.
	Owner, Repo string
	Number      int
	// Start and End are the byte span of the reference in the text: text[Start:End].
	Start, End int
	Kind       Kind
	// Issue marks an issue URL: it names an issue, not a pull request.
	Issue bool
}

// Confidence is the reference's confidence, from its kind.
func (r Ref) Confidence() Confidence { return r.Kind.Confidence() }

// String formats the reference as owner/repo#N, or #N when the text names no repository.
func (r Ref) String() string {
	n := "#" + strconv.Itoa(r.Number)
	if r.Repo == "" {
		return n
	}
	if r.Owner == "" {
		return r.Repo + n
	}
	return r.Owner + "/" + r.Repo + n
}

// sameTarget reports whether two references name the same PR or issue.
func sameTarget(a, b *Ref) bool {
	return a.Number == b.Number && a.Issue == b.Issue && equalFold(a.Owner, b.Owner) && equalFold(a.Repo, b.Repo)
}

// target is what a reference names, its names in lower case (GitHub's names are ASCII,
// and case does not tell them apart): references with one target name one PR or issue.
type target struct {
	owner, repo string
	number      int
	issue       bool
}

func refTarget(r *Ref) target {
	return target{strings.ToLower(r.Owner), strings.ToLower(r.Repo), r.Number, r.Issue}
}

// keepSurest removes from refs[base:] every reference whose target an earlier one has,
// keeping at the earlier one's place whichever of them has the higher confidence (the
// earlier on a tie), as appendUnique does one reference at a time.
func keepSurest[T interface{ Confidence() Confidence }](refs []T, base int, key func(*T) target) []T {
	at := make(map[target]int, len(refs)-base)
	kept := refs[:base]
	for _, r := range refs[base:] {
		t := key(&r)
		if j, ok := at[t]; ok {
			if r.Confidence() > kept[j].Confidence() {
				kept[j] = r
			}
			continue
		}
		at[t] = len(kept)
		kept = append(kept, r)
	}
	clear(refs[len(kept):])
	return kept
}
