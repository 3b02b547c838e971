package linker

import (
	"errors"
	"strings"
)

// MaxNumber is the largest number taken as a pull-request number (seven digits); longer
// numbers are ids, amounts or phone numbers, not PRs.
const MaxNumber = 9_999_999

// Parser finds pull-request references in text. The zero value recognises github.com;
// [NewParser] adds GitHub Enterprise hosts. A Parser is safe for concurrent use.
type Parser struct {
	hosts []string // lower case, github.com first
}

// Option configures a [Parser].
type Option func(*Parser) error

// WithHost adds a GitHub Enterprise host (for example "github.acme.corp") whose PR URLs
// are recognised beside github.com's. URLs on it need their http(s):// scheme.
func WithHost(host string) Option {
	return func(p *Parser) error {
		h := strings.ToLower(strings.TrimSpace(host))
		h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
		h = strings.TrimSuffix(h, "/")
		if h == "" || strings.ContainsAny(h, "/ \t\n?#@") {
			return errors.New("linker: a host is a bare domain name such as github.acme.corp")
		}
		p.hosts = append(p.hosts, h)
		return nil
	}
}

// NewParser returns a parser for github.com and the given hosts.
func NewParser(opts ...Option) (*Parser, error) {
	p := &Parser{hosts: []string{"github.com", "www.github.com"}}
	for _, opt := range opts {
		if err := opt(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Parser) hostList() []string {
	if p == nil || len(p.hosts) == 0 {
		return defaultHosts[:]
	}
	return p.hosts
}

var defaultHosts = [...]string{"github.com", "www.github.com"}

// Find returns the references in text, in order, each PR or issue once (the form with the
// highest confidence is kept). It returns nil, and allocates nothing, when there is none.
func (p *Parser) Find(text string) []Ref { return p.AppendRefs(nil, text) }

// Find is Find of a zero Parser: github.com references only.
func Find(text string) []Ref { return (*Parser)(nil).AppendRefs(nil, text) }

// AppendRefs appends the references in text to dst and returns it, so that a caller can
// reuse one slice across many texts.
func (p *Parser) AppendRefs(dst []Ref, text string) []Ref {
	base := len(dst)
	s := text
	for i := 0; i < len(s); i++ {
		h := handler[s[i]]
		if h == 0 {
			continue
		}
		// Cheap checks on the next byte reject most candidates before any call.
		if i+1 >= len(s) {
			break
		}
		nx := s[i+1]
		var r Ref
		var ok bool
		next := i + 1
		switch h {
		case onHash:
			if nx < '1' || nx > '9' {
				continue
			}
			r, ok = hashRef(s, i)
		case onSlash:
			if nx != '/' {
				continue
			}
			r, next, ok = p.urlRef(s, schemeStart(s, i), i+2)
		case onP:
			if nx|0x20 != 'r' && nx|0x20 != 'u' || (i > 0 && class[s[i-1]]&word != 0) {
				continue
			}
			r, ok = prefixRef(s, i)
		case onG:
			if nx|0x20 != 'h' && nx|0x20 != 'i' || (i > 0 && class[s[i-1]]&word != 0) {
				continue
			}
			r, next, ok = p.gRef(s, i)
		}
		if ok {
			dst = appendUnique(dst, base, r)
			next = max(next, r.End)
		}
		i = next - 1
	}
	return dst
}

// appendUnique adds r unless a reference to the same target is already there, keeping
// the one with the higher confidence (at the earlier one's place).
func appendUnique(dst []Ref, base int, r Ref) []Ref {
	for k := base; k < len(dst); k++ {
		if sameTarget(&dst[k], &r) {
			if r.Confidence() > dst[k].Confidence() {
				dst[k] = r
			}
			return dst
		}
	}
	return append(dst, r)
}

// number reads a PR number at s[i:]: 1 to 7 digits, no leading zero, not followed by a
// letter, digit or underscore, nor by ".", "," or "-" and a digit (versions, amounts).
func number(s string, i int) (n, end int, ok bool) {
	j := i
	for j < len(s) && j-i <= 7 && isDigit(s[j]) {
		n = n*10 + int(s[j]-'0')
		j++
	}
	if j == i || j-i > 7 || s[i] == '0' {
		return 0, 0, false
	}
	if j < len(s) {
		c := s[j]
		if class[c]&word != 0 {
			return 0, 0, false
		}
		if (c == '.' || c == ',' || c == '-') && j+1 < len(s) && isDigit(s[j+1]) {
			return 0, 0, false
		}
	}
	return n, j, true
}

// hashRef reads #123 or owner/repo#123 around the '#' at s[i].
func hashRef(s string, i int) (Ref, bool) {
	n, end, ok := number(s, i+1)
	if !ok {
		return Ref{}, false
	}
	if i == 0 || class[s[i-1]]&before != 0 {
		return Ref{Kind: KindHash, Number: n, Start: i, End: end}, true
	}
	// owner/repo#123: walk back over the repository name, a slash and the owner.
	j := i
	for j > 0 && class[s[j-1]]&repoChar != 0 {
		j--
	}
	if j == i || j < 2 || s[j-1] != '/' {
		return Ref{}, false
	}
	k := j - 1
	for k > 0 && class[s[k-1]]&ownerChar != 0 {
		k--
	}
	if k == j-1 || (k > 0 && class[s[k-1]]&before == 0) {
		return Ref{}, false
	}
	owner, repo := s[k:j-1], s[j:i]
	if !validOwner(owner) || !validRepo(repo) {
		return Ref{}, false
	}
	return Ref{Kind: KindRepoRef, Owner: owner, Repo: repo, Number: n, Start: k, End: end}, true
}

// prefixRef reads "PR #123" and its variants, or "pull request #123", at s[i].
func prefixRef(s string, i int) (Ref, bool) {
	rest := s[i:]
	kind := KindPR
	j := i + 2
	switch {
	case len(rest) >= 3 && lower(rest[1]) == 'r' && class[rest[2]]&word == 0:
		// PR, then ":", spaces, "#" or "-" below.
	case len(rest) == 2 && lower(rest[1]) == 'r':
		return Ref{}, false
	case len(rest) >= 12 && hasPrefixFold(rest, "pull") && (rest[4] == ' ' || rest[4] == '-') && hasPrefixFold(rest[5:], "request"):
		kind, j = KindPullRequest, i+12
	case len(rest) >= 11 && hasPrefixFold(rest, "pullrequest"):
		kind, j = KindPullRequest, i+11
	default:
		return Ref{}, false
	}
	if j < len(s) && s[j] == ':' {
		j++
	}
	for sp := 0; j < len(s) && s[j] == ' ' && sp < 2; sp++ {
		j++
	}
	if j < len(s) && (s[j] == '#' || (s[j] == '-' && kind == KindPR)) {
		j++
	}
	n, end, ok := number(s, j)
	if !ok {
		return Ref{}, false
	}
	return Ref{Kind: kind, Number: n, Start: i, End: end}, true
}

// gRef reads GH-123, or a scheme-less URL on a host that starts at s[i].
func (p *Parser) gRef(s string, i int) (Ref, int, bool) {
	if i+3 < len(s) && lower(s[i+1]) == 'h' && s[i+2] == '-' {
		n, end, ok := number(s, i+3)
		if ok {
			return Ref{Kind: KindGH, Number: n, Start: i, End: end}, end, true
		}
		return Ref{}, i + 1, false
	}
	for _, h := range p.hostList() {
		if len(s)-i > len(h) && s[i+len(h)] == '/' && hasPrefixFold(s[i:], h) {
			return p.urlRef(s, i, i)
		}
	}
	return Ref{}, i + 1, false
}

// schemeStart returns where the URL whose "//" is at s[i] starts: at its scheme when
// one precedes ("https://"), else at the slashes.
func schemeStart(s string, i int) int {
	if i == 0 || s[i-1] != ':' {
		return i
	}
	k := i - 1
	for k > 0 && class[s[k-1]]&letter != 0 {
		k--
	}
	if k == i-1 {
		return i
	}
	return k
}

// urlRef reads the URL that starts at s[from] with its host at s[host:]. It returns the
// reference (for a PR or issue URL on a known host) and where the URL ends, so the
// scanner skips what it already read: nothing inside another host's URL is a reference.
func (p *Parser) urlRef(s string, from, host int) (Ref, int, bool) {
	end := host
	for end < len(s) && class[s[end]]&urlChar != 0 {
		end++
	}
	// Prose punctuation after a URL is not part of it.
	for end > host && strings.IndexByte(".,;:!?)]}'\"", s[end-1]) >= 0 {
		end--
	}
	u := s[host:end]
	slash := strings.IndexByte(u, '/')
	if slash <= 0 || !p.knownHost(u[:slash]) {
		return Ref{}, max(end, host), false
	}
	// owner/repo/pull/123[/files|/commits|?query|#fragment]
	path := u[slash+1:]
	owner, path, ok1 := strings.Cut(path, "/")
	repo, path, ok2 := strings.Cut(path, "/")
	kindSeg, path, ok3 := strings.Cut(path, "/")
	if !ok1 || !ok2 || !ok3 || !validOwner(owner) || !validRepo(repo) {
		return Ref{}, end, false
	}
	issue := false
	switch kindSeg {
	case "pull", "pulls":
	case "issues":
		issue = true
	default:
		return Ref{}, end, false
	}
	n, numEnd, ok := number(path, 0)
	if !ok {
		return Ref{}, end, false
	}
	if numEnd < len(path) && path[numEnd] != '/' && path[numEnd] != '?' && path[numEnd] != '#' {
		return Ref{}, end, false
	}
	return Ref{Kind: KindURL, Owner: owner, Repo: repo, Number: n, Start: from, End: end, Issue: issue}, end, true
}

func (p *Parser) knownHost(h string) bool {
	for _, k := range p.hostList() {
		if equalFold(h, k) {
			return true
		}
	}
	return false
}

// validOwner follows GitHub's rules: 1 to 39 letters, digits or single hyphens, not at
// either end.
func validOwner(o string) bool {
	if len(o) == 0 || len(o) > 39 || o[0] == '-' || o[len(o)-1] == '-' || strings.Contains(o, "--") {
		return false
	}
	for i := 0; i < len(o); i++ {
		if class[o[i]]&ownerChar == 0 {
			return false
		}
	}
	return true
}

// validRepo follows GitHub's rules: 1 to 100 letters, digits, '.', '-' or '_', and not
// "." or "..".
func validRepo(r string) bool {
	if len(r) == 0 || len(r) > 100 || r == "." || r == ".." {
		return false
	}
	for i := 0; i < len(r); i++ {
		if class[r[i]]&repoChar == 0 {
			return false
		}
	}
	return true
}

// handler says which bytes may start a reference, and how to read on.
const (
	onHash = 1 + iota
	onSlash
	onP
	onG
)

var handler = func() (t [256]uint8) {
	t['#'], t['/'] = onHash, onSlash
	t['p'], t['P'], t['g'], t['G'] = onP, onP, onG, onG
	return t
}()

// Byte classes, looked up in one table.
const (
	word      = 1 << iota // letters, digits, '_' and bytes of multi-byte characters
	before                // may stand just before a bare #N or an owner
	repoChar              // may appear in a repository name
	ownerChar             // may appear in an owner name
	urlChar               // may appear in a URL
	letter                // ASCII letter
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		isLetter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		isNum := c >= '0' && c <= '9'
		if isLetter || isNum || c == '_' || c >= 0x80 {
			t[c] |= word
		}
		if isLetter {
			t[c] |= letter
		}
		if isLetter || isNum || c == '-' {
			t[c] |= ownerChar
		}
		if isLetter || isNum || c == '-' || c == '.' || c == '_' {
			t[c] |= repoChar
		}
		if c > ' ' && c < 0x7f && !strings.ContainsRune("\"<>`{}|\\^", rune(c)) {
			t[c] |= urlChar
		}
	}
	for _, c := range " \t\n\r\f\v([{<,;:\"'`*!?>" {
		t[c] |= before
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// equalFold compares ASCII strings ignoring case.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
