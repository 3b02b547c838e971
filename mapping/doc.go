// Package mapping maps Clockify members to GitHub users and Clockify projects to GitHub
// repositories. It stands alone: it takes its own small input types.
//
// Users ([UserMatcher]): a manual mapping always wins; then email (case-insensitive,
// trimmed, Unicode-normalised; a GitHub noreply address names its login); then name
// similarity, with a documented score in [0, 1], a threshold and a margin over the
// runner-up. Two members never get one login automatically: the conflict is reported.
// The same input in any order gives the same result. Matching is indexed by name tokens,
// the first letters of a name's login spellings and emails rather than comparing every
// pair.
//
// Projects: manual mappings to "owner/repo" ([ValidateRepo] says what is wrong with a
// name), each with an optional custom pattern kept as text; [UnmappedProjects] lists the
// rest and [SuggestRepos] proposes repositories by name, never applying them.
package mapping
