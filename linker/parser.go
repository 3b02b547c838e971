package linker

import (
	"errors"
	"math/bits"
	"slices"
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
	p := &Parser{hosts: slices.Clone(defaultHosts[:])}
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
//
// Every reference ends in a number, so the scanner looks for runs of digits, eight bytes
// at a time, and reads each form backwards from its number: "#", "owner/repo#", "PR ",
// "PR-", "pull request ", "GH-" or a URL path. Text without digits costs one pass of
// word-sized loads.
func (p *Parser) AppendRefs(dst []Ref, text string) []Ref {
	base := len(dst)
	s := text
	n := len(s)
	i := 0
	for {
		// Find the next digit a word at a time; the last word overlaps the one before it.
		var m uint64
		for i+8 <= n {
			if m = digitMask(load64(s, i)); m != 0 {
				break
			}
			i += 8
		}
		if m == 0 {
			if i >= n {
				break
			}
			if n >= 8 {
				m = digitMask(load64(s, n-8)) >> (8 * (i - (n - 8)))
			} else {
				m = smallDigitMask(s[i:])
			}
			if m == 0 {
				break
			}
		}
		i += bits.TrailingZeros64(m) >> 3
		// The digit run starting at i, counted without a loop in the word at i.
		w := wordAt(s, i)
		j := i + bits.TrailingZeros64(^digitMask(w)&highBits)>>3
		for j < n && isDigit(s[j]) { // eight digits or more: no PR number, just skip them
			j++
		}
		var r Ref
		skip, ok := p.refAt(s, i, j, w, &r)
		if ok {
			dst = appendUnique(dst, base, &r)
		}
		i = max(j, skip)
	}
	return dst
}

// wordAt returns the bytes s[i:i+8] as a little-endian word, zero past the end of s.
func wordAt(s string, i int) uint64 {
	n := len(s)
	switch {
	case i+8 <= n:
		return load64(s, i)
	case n >= 8:
		return load64(s, n-8) >> (8 * (i - (n - 8)))
	}
	var w uint64
	for k := i; k < n; k++ {
		w |= uint64(s[k]) << (8 * (k - i))
	}
	return w
}

// smallDigitMask is digitMask for a text shorter than a word.
func smallDigitMask(s string) uint64 {
	var m uint64
	for k := 0; k < len(s); k++ {
		if isDigit(s[k]) {
			m |= 0x80 << (8 * k)
		}
	}
	return m
}

// appendUnique adds r unless a reference to the same target is already there, keeping
// the one with the higher confidence (at the earlier one's place).
func appendUnique(dst []Ref, base int, r *Ref) []Ref {
	for k := base; k < len(dst); k++ {
		if sameTarget(&dst[k], r) {
			if r.Confidence() > dst[k].Confidence() {
				dst[k] = *r
			}
			return dst
		}
	}
	return append(dst, *r)
}

// refAt reads into r the reference whose number is the digit run s[d0:d1], if there is
// one. It also returns where scanning may resume (past a URL it has read). References
// travel by pointer: copying them is most of the cost on a text full of them.
func (p *Parser) refAt(s string, d0, d1 int, w uint64, r *Ref) (int, bool) {
	if d0 == 0 {
		return 0, false
	}
	n, ok := number(s, d0, d1, w)
	if !ok {
		return 0, false
	}
	switch s[d0-1] {
	case '/':
		skip, ok := p.urlAt(s, d0, d1, r)
		r.Number = n
		return skip, ok
	case '#':
		ok = hashAt(s, d0-1, r)
	case '-':
		ok = dashAt(s, d0-1, r)
	case ' ', ':':
		ok = prefixAt(s, d0, false, r)
	default:
		return 0, false
	}
	if !ok || p.insideURL(s, r.Start) {
		return 0, false
	}
	r.Number, r.End = n, d1
	return 0, true
}

// number checks the digit run s[d0:d1] as a PR number: 1 to 7 digits, no leading zero,
// not followed by a letter, digit or underscore, nor by ".", "," or "-" and a digit
// (versions, amounts, dates). w holds the bytes from d0 on (see wordAt); the digits are
// converted in it without a loop.
func number(s string, d0, d1 int, w uint64) (int, bool) {
	if d1-d0 > 7 || s[d0] == '0' {
		return 0, false
	}
	if d1 < len(s) {
		c := s[d1]
		if class[c]&word != 0 {
			return 0, false
		}
		if (c == '.' || c == ',' || c == '-') && d1+1 < len(s) && isDigit(s[d1+1]) {
			return 0, false
		}
	}
	return parseDigits(w, d1-d0), true
}

// parseDigits converts the first l (1 to 8) bytes of w, ASCII digits with the most
// significant first, to their value: the digits are moved to the top of the word (so the
// bytes below read as leading zeros) and combined pairwise, then by fours, then by eights.
func parseDigits(w uint64, l int) int {
	v := (w - 0x3030303030303030) << (8 * (8 - l))
	v = (v & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	v = (v & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return int((v & 0x0000FFFF0000FFFF) * 42949672960001 >> 32)
}

// hashAt reads what precedes the '#' at s[h]: "PR #", "pull request #", a bare "#" after
// a word boundary, or "owner/repo#".
func hashAt(s string, h int, r *Ref) bool {
	if prefixAt(s, h+1, true, r) {
		return true
	}
	if h == 0 || class[s[h-1]]&before != 0 {
		r.Kind, r.Start = KindHash, h
		return true
	}
	// owner/repo#: walk back over the repository name, a slash and the owner.
	j := h
	for j > 0 && class[s[j-1]]&repoChar != 0 {
		j--
	}
	if j == h || j < 2 || s[j-1] != '/' {
		return false
	}
	k := j - 1
	for k > 0 && class[s[k-1]]&ownerChar != 0 {
		k--
	}
	if k == j-1 || (k > 0 && class[s[k-1]]&before == 0) {
		return false
	}
	owner, repo := s[k:j-1], s[j:h]
	if !validOwner(owner) || !validRepo(repo) {
		return false
	}
	r.Kind, r.Owner, r.Repo, r.Start = KindRepoRef, owner, repo, k
	return true
}

// dashAt reads "PR-" or "GH-" ending with the '-' at s[h].
func dashAt(s string, h int, r *Ref) bool {
	if h >= 2 && wordStart(s, h-2) {
		switch {
		case lower(s[h-2]) == 'g' && lower(s[h-1]) == 'h':
			r.Kind, r.Start = KindGH, h-2
			return true
		case lower(s[h-2]) == 'p' && lower(s[h-1]) == 'r':
			r.Kind, r.Start = KindPR, h-2
			return true
		}
	}
	return prefixAt(s, h+1, true, r)
}

// prefixAt reads a "PR" or "pull request" prefix that ends where the number (or its '#'
// or '-', when sep is set) begins: PR[:][ ]{0,2}[#|-] or pull[ -]?request[:][ ]{0,2}[#].
func prefixAt(s string, k int, sep bool, r *Ref) bool {
	dash := false
	if sep {
		dash = s[k-1] == '-'
		k--
	}
	for sp := 0; sp < 2 && k > 0 && s[k-1] == ' '; sp++ {
		k--
	}
	if k > 0 && s[k-1] == ':' {
		k--
	}
	if k >= 2 && lower(s[k-1]) == 'r' && lower(s[k-2]) == 'p' && wordStart(s, k-2) {
		r.Kind, r.Start = KindPR, k-2
		return true
	}
	if dash || k < 11 || !hasPrefixFold(s[k-7:k], "request") {
		return false
	}
	for _, w := range [...]int{12, 11} { // "pull request", "pull-request"; "pullrequest"
		if k >= w && hasPrefixFold(s[k-w:], "pull") && wordStart(s, k-w) &&
			(w == 11 || s[k-8] == ' ' || s[k-8] == '-') {
			r.Kind, r.Start = KindPullRequest, k-w
			return true
		}
	}
	return false
}

// wordStart reports whether a word starts at s[i].
func wordStart(s string, i int) bool { return i == 0 || class[s[i-1]]&word == 0 }

// urlAt reads the URL whose path ends in the number at s[d0:d1]: it checks, walking back
// from the number, "/pull/" (or "/pulls/", "/issues/"), the repository, the owner and a
// known host after "//" or at the start of a word; then it finds where the URL ends.
// Scanning resumes after the URL, so nothing inside a URL is read twice.
func (p *Parser) urlAt(s string, d0, d1 int, r *Ref) (int, bool) {
	var k int
	issue := false
	switch {
	case hasSuffixFold(s[:d0], "/pull/"):
		k = d0 - len("/pull/")
	case hasSuffixFold(s[:d0], "/pulls/"):
		k = d0 - len("/pulls/")
	case hasSuffixFold(s[:d0], "/issues/"):
		k, issue = d0-len("/issues/"), true
	default:
		return 0, false
	}
	// The number must end the path or be followed by a path, query or fragment.
	if d1 < len(s) && class[s[d1]]&urlChar != 0 && s[d1] != '/' && s[d1] != '?' && s[d1] != '#' &&
		strings.IndexByte(".,;:!?)]}'\"", s[d1]) < 0 {
		return 0, false
	}
	j := k
	for j > 0 && class[s[j-1]]&repoChar != 0 {
		j--
	}
	if j == k || j < 2 || s[j-1] != '/' {
		return 0, false
	}
	o := j - 1
	for o > 0 && class[s[o-1]]&ownerChar != 0 {
		o--
	}
	if o == j-1 || o < 2 || s[o-1] != '/' {
		return 0, false
	}
	h := o - 1
	for h > 0 && class[s[h-1]]&hostChar != 0 {
		h--
	}
	owner, repo, host := s[o:j-1], s[j:k], s[h:o-1]
	if !validOwner(owner) || !validRepo(repo) || !p.knownHost(host) {
		return 0, false
	}
	from := h
	switch {
	case h >= 2 && s[h-1] == '/' && s[h-2] == '/':
		from = h - 2
		if h >= 3 && s[h-3] == ':' {
			from = h - 3
			for from > 0 && class[s[from-1]]&letter != 0 {
				from--
			}
		}
	case h > 0 && class[s[h-1]]&urlChar != 0:
		return 0, false // a host in the middle of another URL or word
	}
	end := d1
	for end < len(s) && class[s[end]]&urlChar != 0 {
		end++
	}
	for end > d1 && strings.IndexByte(".,;:!?)]}'\"", s[end-1]) >= 0 {
		end-- // prose punctuation after a URL is not part of it
	}
	*r = Ref{Kind: KindURL, Owner: owner, Repo: repo, Start: from, End: end, Issue: issue}
	return end, true
}

// urlStart finds, in the token s[t0:limit], where a URL starts and where its host does:
// after a scheme's "//", or at a known host's name.
func (p *Parser) urlStart(s string, t0, limit int) (from, host int, ok bool) {
	tok := s[t0:limit]
	if i := strings.Index(tok, "//"); i >= 0 {
		from = t0 + i
		if i > 0 && tok[i-1] == ':' {
			from = t0 + i - 1
			for from > t0 && class[s[from-1]]&letter != 0 {
				from--
			}
		}
		return from, t0 + i + 2, true
	}
	for _, h := range p.hostList() {
		if len(tok) > len(h) && tok[len(h)] == '/' && hasPrefixFold(tok, h) {
			return t0, t0, true
		}
	}
	return 0, 0, false
}

// insideURL reports whether position i lies inside a URL (a token with "//" or one that
// starts with a known host): nothing inside another URL is a reference.
func (p *Parser) insideURL(s string, i int) bool {
	t0 := i
	for t0 > 0 && class[s[t0-1]]&urlChar != 0 {
		t0--
	}
	if t0 == i {
		return false
	}
	_, _, ok := p.urlStart(s, t0, i)
	return ok
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

// Byte classes, looked up in one table.
const (
	word      = 1 << iota // letters, digits, '_' and bytes of multi-byte characters
	before                // may stand just before a bare #N or an owner
	repoChar              // may appear in a repository name
	ownerChar             // may appear in an owner name
	urlChar               // may appear in a URL
	letter                // ASCII letter
	hostChar              // may appear in a host name
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
		if isLetter || isNum || c == '-' || c == '.' {
			t[c] |= hostChar
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

// load64 reads eight bytes of s at i as a little-endian word (the compiler makes it one
// load).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

const highBits = 0x8080808080808080

// digitMask sets the high bit of each byte of x that is an ASCII digit, and no other
// bit ("has a byte strictly between 0x2F and 0x3A", from Bit Twiddling Hacks; no carry
// or borrow crosses a byte, so the answer is exact per byte).
func digitMask(x uint64) uint64 {
	const ones, high, low7 = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	t := x & low7
	return (ones*(127+':') - t) &^ x & (t + ones*(127-'/')) & high
}

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

// hasSuffixFold reports whether s ends with the lower-case ASCII suffix, ignoring case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && hasPrefixFold(s[len(s)-len(suffix):], suffix)
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
