// Package linker finds pull-request references in free text, such as Clockify time-entry
// descriptions, and resolves them to owner/repo#N.
//
// It recognises the forms people write: GitHub PR URLs (with /files, /commits, a query
// or a fragment; issue URLs come back marked as issues), owner/repo#123, "PR #123",
// "PR-123", "PR#42", "pr 42", "Pull Request #123", GH-123, and the bare "#123" that
// Clockify's GitHub button writes ("#123 Fix login"); as on GitHub, a bare #123 may
// follow a space or any punctuation but '&', '/', '#' and '\'. Beyond ASCII, a letter or
// number in any script is part of a word (a mark goes with the character it sits on), and
// any other character (full-width punctuation such as "，" or "（", a dash, an emoji)
// separates words as ASCII punctuation does: "PR #12，修复" holds PR #12, "修复#12" holds
// nothing. It rejects what only looks like one: colours (#fff), "#1st", "C#", HTML
// entities (&#123;), #0, numbers over seven digits, "#123abc", versions (#1.2), times
// ("PR 10:30"), shares ("PR 80% done"), email addresses ("pr-12@acme.com"), anchors in
// other hosts' URLs, non-numeric PR URLs, and owner or repository names GitHub does not
// allow (acme/web.wiki#1). An owner may be a managed user's login, whose '_' comes before
// its enterprise's short code (mona-cat_acme/dotfiles#1).
//
// Each [Ref] carries its [Kind], the owner/repo when the text names one, the number,
// its byte span and a [Confidence]. [Parser.Resolve] fills in the repository of a bare
// reference from the entry's project mapping ([Project]), applies the project's custom
// [Pattern] first, and never guesses a repository it cannot know. [CompilePattern]
// refuses a pattern without a number group, and one too large to run on every
// description ([MaxPatternBytes], [MaxPatternInstructions]).
//
// Every reference ends in a number, so the scanner looks for digits 64 bytes at a time
// (with AVX2 or SSE2 on amd64; the purego build tag selects the portable code) and reads
// each form backwards from its number. Its time grows in proportion to the text's length,
// whatever the text holds. It allocates nothing for a text without references (nor with
// up to 64 of them, through [Parser.AppendRefs] and a reused slice); BENCHMARKS.md
// compares its speed with a regular expression's.
package linker
