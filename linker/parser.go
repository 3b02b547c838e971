package linker

import (
	"errors"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNumber is the largest number taken as a pull-request number (seven digits); longer
// numbers are ids, amounts or phone numbers, not PRs.
const MaxNumber = 9_999_999

// Parser finds pull-request references in text. The zero value recognises github.com;
// [NewParser] adds GitHub Enterprise hosts. A Parser is safe for concurrent use.
type Parser struct {
	hosts []string // lower case, github.com first
}

// maxHostBytes bounds a host: a domain name has at most 253 characters, and a port
// may follow.
const maxHostBytes = 253 + len(":65535")

// Option configures a [Parser].
type Option func(*Parser) error

// WithHost adds a GitHub Enterprise host (for example "github.acme.corp") whose PR URLs
// are recognised beside github.com's, with or without their http(s):// scheme. A host
// with a path, query, user, space, control character or bytes that are not UTF-8, or
// longer than a domain name may be, is an error.
func WithHost(host string) Option {
	return func(p *Parser) error {
		h := strings.ToLower(strings.TrimSpace(host))
		h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
		h = strings.TrimSuffix(h, "/")
		if h == "" || len(h) > maxHostBytes || !utf8.ValidString(host) || strings.ContainsAny(h, "/\\?#@") ||
			strings.ContainsFunc(h, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return errors.New("linker: a host is a bare domain name such as github.acme.corp")
		}
		p.hosts = append(p.hosts, h)
		return nil
	}
}

// NewParser returns a parser for github.com and the given hosts.
func NewParser(opts ...Option) (*Parser, error) { return (*Parser)(nil).With(opts...) }

// With returns a parser that recognises what p does and what the options add (a host of
// one customer's GitHub Enterprise, say), leaving p as it is. A nil p is the zero
// Parser.
func (p *Parser) With(opts ...Option) (*Parser, error) {
	q := &Parser{hosts: slices.Clone(p.hostList())}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(q); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// Hosts returns the hosts whose URLs the parser recognises, github.com's first, each as
// the parser keeps it: a bare domain name in lower case.
func (p *Parser) Hosts() []string { return slices.Clone(p.hostList()) }

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
// Every reference ends in a number after '#', '-', '/', a space or ':', so the scanner
// looks for such runs of digits, 64 bytes at a time (with AVX2 or SSE2 on amd64, eight
// bytes per load elsewhere), and reads each form backwards from its number: "#",
// "owner/repo#", "PR ", "PR-", "pull request ", "GH-" or a URL path.
func (p *Parser) AppendRefs(dst []Ref, text string) []Ref {
	base := len(dst)
	s := text
	resume := 0 // scanning resumes here after a reference
	var seen uint64
	var run urlRun
	for at := 0; at < len(s); at += 64 {
		for c := candidates(s, at); c != 0; c &= c - 1 {
			i := at + bits.TrailingZeros64(c)
			if i < resume {
				continue
			}
			var r Ref
			if end, ok := p.refAt(s, i, &r, &run); ok {
				// seen has bit n%64 set for each number n appended by this call: a new
				// number, the common case, is appended without comparing.
				if bit := uint64(1) << (r.Number & 63); seen&bit == 0 {
					seen |= bit
					dst = append(dst, r)
				} else {
					dst = appendUnique(dst, base, &r)
				}
				resume = end
			}
		}
	}
	if len(dst)-base > scanLimit {
		dst = keepSurest(dst, base, refTarget)
	}
	return dst
}

// candidateBits returns a mask with bit k set when s[at+k] starts a run of digits right
// after a lead byte ('#', '-', '/', ' ' or ':'), for the (up to) 64 bytes of s from at.
// It is the portable form of candidates.
func candidateBits(s string, at int) uint64 {
	d := digitBits(s, at)
	c := d &^ (d << 1)
	for m := c; m != 0; m &= m - 1 {
		k := bits.TrailingZeros64(m)
		if at+k == 0 || class[s[at+k-1]]&lead == 0 {
			c &^= 1 << k
		}
	}
	return c
}

// digitBits returns a mask with bit k set when s[at+k] is an ASCII digit, for the (up to)
// 64 bytes from at: one word-sized load per eight bytes, no branch on what they hold.
func digitBits(s string, at int) uint64 {
	end := min(at+64, len(s))
	var m uint64
	k := at
	for ; k+8 <= end; k += 8 {
		m |= packHigh(digitMask(load64(s, k))) << ((k - at) & 63)
	}
	switch {
	case k == end:
	case len(s) >= 8: // the last word overlaps the one before it
		m |= packHigh(digitMask(load64(s, end-8))) >> ((8 - (end - k)) & 7) << ((k - at) & 63)
	default:
		for ; k < end; k++ {
			if isDigit(s[k]) {
				m |= 1 << (k - at)
			}
		}
	}
	return m
}

// packHigh gathers the high bit of each byte of m (and only those may be set) into the
// low eight bits, byte k to bit k.
func packHigh(m uint64) uint64 { return (m >> 7) * 0x0102040810204080 >> 56 }

// scanLimit is how many references of one text are compared one by one with each new
// one to find a repeat; past it, they are de-duplicated all at once with a map, so that
// a text naming thousands of PRs takes time in proportion to its length.
const scanLimit = 64

// appendUnique adds r unless a reference to the same target is already there, keeping
// the one with the higher confidence (at the earlier one's place). Past scanLimit
// references it only appends, and AppendRefs calls keepSurest at its end.
func appendUnique(dst []Ref, base int, r *Ref) []Ref {
	if len(dst)-base > scanLimit {
		return append(dst, *r)
	}
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

// refAt reads into r the reference whose number is the digit run starting at s[i]
// (i > 0, after a lead byte), if there is one, and returns where it ends.
//
// The number is 1 to 7 digits, with no leading zero, not followed by a letter, digit,
// underscore, '%' or '@', nor by ".", ",", "-" or ":" and a digit (versions, amounts, dates,
// times); its digits are counted and converted in the word at i. What stands before it is
// read from the word before i: the separator ('#' or '-'), up to two spaces and a colon
// are shifted off, and the word left over is compared with "pr", "gh" and "request" at
// once.
func (p *Parser) refAt(s string, i int, r *Ref, run *urlRun) (int, bool) {
	// The words from i and before i: near either end of s the load moves inside s and the
	// word is shifted into place, zero-filled.
	var w, pre uint64
	if n := len(s); n >= 8 {
		over, under := atLeast0(i-(n-8)), atLeast0(8-i)
		w = load64(s, i-over) >> ((8 * over) & 63)
		pre = load64(s, i-8+under) << ((8 * under) & 63)
	} else {
		w, pre = shortWords(s, i)
	}
	l := bits.TrailingZeros64(^digitMask(w)&highBits) >> 3
	next := byte(w >> ((8 * l) & 63)) // the byte after the digits, 0 at the end of s
	if l > 7 || s[i] == '0' || class[next]&(word|noEnd) != 0 {
		return 0, false
	}
	j := i + l
	if x := class[next]; x&(numSep|other) != 0 {
		if x&other != 0 {
			return p.refBeforeRune(s, i, j, r, run)
		}
		if j+1 < len(s) && isDigit(s[j+1]) {
			return 0, false
		}
	}
	r.Number, r.End = parseDigits(w, l), j
	c := s[i-1]
	if c == '/' {
		return p.urlAt(s, i, r)
	}
	// The separators are shifted off at once: the classes of the four bytes before the
	// number, looked up side by side, index how many of them to skip.
	x := sepClass[byte(pre>>56)] | sepClass[byte(pre>>48)]<<2 | sepClass[byte(pre>>40)]<<4 | sepClass[byte(pre>>32)]<<6
	d := int(sepSkip[x])
	t, k := pre<<((8*d)&63), i-d
	// t now ends with the word before the number, k is where that word ends.
	pair, boundary := uint16(t>>48)|0x2020, class[byte(t>>40)]&word == 0
	switch {
	case pair == 'p'|'r'<<8 && boundary:
		r.Kind, r.Start = KindPR, k-2
	case pair == 'g'|'h'<<8 && boundary && c == '-' && k == i-1:
		r.Kind, r.Start = KindGH, k-2
	case byte(t>>56)|0x20 == 't' && c != '-' && pullRequestAt(s, k, r):
	case c == '#' && class[byte(pre>>48)]&(beforeHash|repoChar) == beforeHash:
		r.Kind, r.Start = KindHash, i-1
	case c == '#' && repoRefAt(s, i-1, r):
	case c == '#' && class[byte(pre>>48)]&beforeHash != 0: // '-' or '.' ending no repository
		r.Kind, r.Start = KindHash, i-1
	default:
		return 0, false
	}
	if k := r.Start; k > 0 && class[s[k-1]]&(urlChar|other) != 0 {
		return p.checkStart(s, i, j, r, run)
	}
	return j, true
}

// refBeforeRune reads the reference whose number s[i:j] is followed by a character
// outside ASCII. A letter, mark, number or connector in any script continues the number's
// word ("#12修复", "PR #12é"), but a URL is ASCII and ends where ASCII does. Any other
// character (a space, punctuation such as "，", "。" or "—", a symbol, an emoji) ends the
// reference as the end of the text would.
func (p *Parser) refBeforeRune(s string, i, j int, r *Ref, run *urlRun) (int, bool) {
	if s[i-1] != '/' && isWordRune(utf8.DecodeRuneInString(s[j:])) {
		return 0, false
	}
	return p.refAt(s[:j], i, r, run)
}

// checkStart decides the reference that refAt read ending at s[j], whose start follows a
// byte that may belong to a URL or to a character outside ASCII. Nothing inside another
// URL is a reference. After a letter, number or connector in any script, a form is not
// at a word's start ("修复#12", "éacme/web#1"); what may remain, as after '_', is a bare
// #N where the byte before its '#' allows one ("修复PR #12"). After any other character
// ("（#12）", "🚀#12") the form stands. A mark counts as the character it sits on: the
// accent of a decomposed "é" is part of a word, the selector that makes "⚠️" an emoji
// is not.
func (p *Parser) checkStart(s string, i, j int, r *Ref, run *urlRun) (int, bool) {
	k := r.Start
	if s[k-1] < utf8.RuneSelf {
		return j, !p.urlToken(s, k, run)
	}
	if !wordBefore(s, k) {
		return j, true
	}
	if r.Kind == KindHash || s[i-1] != '#' || class[s[i-2]]&beforeHash == 0 {
		return 0, false
	}
	r.Kind, r.Start, r.Owner, r.Repo = KindHash, i-1, "", ""
	return j, !p.urlToken(s, i-1, run)
}

// wordBefore reports whether the character that ends just before s[k] (not ASCII) is part
// of a word, deciding a mark by the character it sits on (a mark with none is part of a
// word).
func wordBefore(s string, k int) bool {
	for k > 0 {
		c, size := utf8.DecodeLastRuneInString(s[:k])
		if c < utf8.RuneSelf {
			return class[c]&word != 0
		}
		if !unicode.Is(unicode.M, c) {
			return isWordRune(c, size)
		}
		k -= size
	}
	return true
}

// isWordRune reports whether a character outside ASCII, as utf8 decodes it with its size,
// is part of a word: a letter, mark, number or connector punctuation, or an invalid byte.
func isWordRune(r rune, size int) bool {
	return r == utf8.RuneError && size <= 1 || unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.Pc)
}

// atLeast0 is max(x, 0) without a branch (the compiler makes one of max).
func atLeast0(x int) int { return x &^ (x >> (bits.UintSize - 1)) }

// shortWords returns, for a text shorter than a word, the bytes from i and the bytes
// before i as refAt reads them: little-endian, zero past either end of s.
func shortWords(s string, i int) (w, pre uint64) {
	for k := 0; k < len(s); k++ {
		if k >= i {
			w |= uint64(s[k]) << (8 * (k - i))
		} else {
			pre |= uint64(s[k]) << (8 * (8 - i + k))
		}
	}
	return w, pre
}

// parseDigits converts the first l (1 to 8) bytes of w, ASCII digits with the most
// significant first, to their value: the digits are moved to the top of the word (so the
// bytes below read as leading zeros) and combined pairwise, then by fours, then by eights.
func parseDigits(w uint64, l int) int {
	v := (w - 0x3030303030303030) << ((8 * (8 - l)) & 63)
	v = (v & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
	v = (v & 0x00FF00FF00FF00FF) * 6553601 >> 16
	return int((v & 0x0000FFFF0000FFFF) * 42949672960001 >> 32)
}

// pullRequestAt reads "pull request" (one or two spaces between the words, as between a
// word and its number), "pull-request" or "pullrequest" ending at s[k]; the seven letters
// of "request" are compared at once.
func pullRequestAt(s string, k int, r *Ref) bool {
	if k < 11 || (load64(s, k-8)|0x2020202020202020)>>8 != request {
		return false
	}
	w := 11 // the length of "pullrequest"
	switch {
	case s[k-8] == '-':
		w = 12
	case s[k-8] == ' ':
		w = 12
		if k >= 13 && s[k-9] == ' ' {
			w = 13
		}
	}
	if k >= w && quad(s, k-w) == pull && wordStart(s, k-w) {
		r.Kind, r.Start = KindPullRequest, k-w
		return true
	}
	return false
}

// repoRefAt reads GitHub's cross-repository form owner/repo# ending with the '#' at s[h]:
// it walks back over the repository name, a slash and the owner.
func repoRefAt(s string, h int, r *Ref) bool {
	j := h
	for j > 0 && class[s[j-1]]&repoChar != 0 {
		j--
	}
	if j == h || j < 2 || s[j-1] != '/' {
		return false
	}
	k := ownerStart(s, j-1)
	if k > 0 && class[s[k-1]]&beforeOwner == 0 {
		return false
	}
	// GitHub removes a ".git" suffix from the name it creates a repository with, so
	// acme/web.git#1 (written after a clone URL) names acme/web.
	owner, repo := s[k:j-1], strings.TrimSuffix(s[j:h], ".git")
	if !ownerShape(owner) || !repoShape(repo) {
		return false
	}
	r.Kind, r.Owner, r.Repo, r.Start = KindRepoRef, owner, repo, k
	return true
}

// Lower-case words as little-endian integers, compared with text folded by OR 0x20 (which
// maps a letter, and only a letter, to its lower case among letters).
const (
	request = 'r' | 'e'<<8 | 'q'<<16 | 'u'<<24 | 'e'<<32 | 's'<<40 | 't'<<48
	pull    = 'p' | 'u'<<8 | 'l'<<16 | 'l'<<24
	http    = 'h' | 't'<<8 | 't'<<16 | 'p'<<24
)

// quad returns s[i:i+4] folded to lower case, as a little-endian integer.
func quad(s string, i int) uint32 {
	b := s[i : i+4]
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24) | 0x20202020
}

// wordStart reports whether a word starts at s[i].
func wordStart(s string, i int) bool { return i == 0 || class[s[i-1]]&word == 0 }

// urlAt reads the URL whose path ends in the number starting at s[d0] (r holds its number
// and end): it checks, walking back from the number, "/pull/" (or "/pulls/", "/issues/"),
// the repository, the owner and a known host after "//" or at the start of a word; then it
// finds where the URL ends. Scanning resumes after the URL, so nothing inside a URL is
// read twice.
func (p *Parser) urlAt(s string, d0 int, r *Ref) (int, bool) {
	if d0 < 8 {
		return 0, false // "/pull/" and a host need more room than that
	}
	var k int
	issue := false
	switch folded := load64(s, d0-8) | 0x2020202020202020; {
	case folded>>16 == pullPath && s[d0-6] == '/':
		k = d0 - len("/pull/")
	case folded>>8 == pullsPath && s[d0-7] == '/':
		k = d0 - len("/pulls/")
	case folded == issuesPath && s[d0-8] == '/':
		k, issue = d0-len("/issues/"), true
	default:
		return 0, false
	}
	// The number must end the path or be followed by a path, query or fragment.
	d1 := r.End
	if d1 < len(s) && class[s[d1]]&urlChar != 0 && class[s[d1]]&urlNext == 0 {
		return 0, false
	}
	j := k
	for j > 0 && class[s[j-1]]&repoChar != 0 {
		j--
	}
	if j == k || j < 2 || s[j-1] != '/' {
		return 0, false
	}
	o := ownerStart(s, j-1)
	if o < 2 || s[o-1] != '/' {
		return 0, false
	}
	owner, repo := s[o:j-1], s[j:k]
	h := p.hostBefore(s, o-1)
	if h < 0 || !ownerShape(owner) || !repoShape(repo) {
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
			// http or https, in any case, at a word's start: not "xhttps://" or "ftp://".
			// A character outside ASCII may stand before it, as before a host: a URL is
			// ASCII, so where it starts is not in doubt.
			if n := h - 3 - from; n < 4 || n > 5 || quad(s, from) != http ||
				n == 5 && s[from+4]|0x20 != 's' || !wordStart(s, from) {
				return 0, false
			}
		}
	case h > 0 && class[s[h-1]]&urlChar != 0:
		return 0, false // a host in the middle of another URL or word
	}
	end := d1
	for end < len(s) && class[s[end]]&urlChar != 0 {
		end++
	}
	for end > d1 && class[s[end-1]]&urlNext != 0 && s[end-1] != '/' && s[end-1] != '#' {
		end-- // prose punctuation after a URL is not part of it
	}
	r.Kind, r.Owner, r.Repo, r.Start, r.End, r.Issue = KindURL, owner, repo, from, end, issue
	return end, true
}

// URL paths before a number, folded and as little-endian integers (see request).
const (
	pullPath   = '/' | 'p'<<8 | 'u'<<16 | 'l'<<24 | 'l'<<32 | '/'<<40
	pullsPath  = '/' | 'p'<<8 | 'u'<<16 | 'l'<<24 | 'l'<<32 | 's'<<40 | '/'<<48
	issuesPath = '/' | 'i'<<8 | 's'<<16 | 's'<<24 | 'u'<<32 | 'e'<<40 | 's'<<48 | '/'<<56
)

// urlToken reports whether the token that ends at s[i] is a URL: nothing inside another
// URL is a reference.
func (p *Parser) urlToken(s string, i int, run *urlRun) bool {
	if i == 0 || class[s[i-1]]&urlChar == 0 {
		return false // no token
	}
	if i <= run.start || i > run.end {
		run.find(s, i-1)
	}
	if run.slashes >= 0 && run.slashes+2 <= i {
		return true
	}
	tok := s[run.start:i]
	for _, h := range p.hostList() {
		if len(tok) > len(h) && tok[len(h)] == '/' && hasPrefixFold(tok, h) {
			return true
		}
	}
	return false
}

// urlRun is the run of URL bytes that a reference's start was last checked in: the
// references in one long run ("~#1~#2~#3...") share it, so that each does not walk back
// to its start again.
type urlRun struct {
	start, end int // s[start:end], empty before the first check
	slashes    int // where the run's first "//" is, or -1
}

// find sets the run to the one that holds s[k], a URL byte.
func (u *urlRun) find(s string, k int) {
	u.start, u.end = k, k+1
	for u.start > 0 && class[s[u.start-1]]&urlChar != 0 {
		u.start--
	}
	for u.end < len(s) && class[s[u.end]]&urlChar != 0 {
		u.end++
	}
	u.slashes = strings.Index(s[u.start:u.end], "//")
	if u.slashes >= 0 {
		u.slashes += u.start
	}
}

// hostBefore returns the start of the known host that ends just before s[e], taken whole
// (no host-name byte precedes it), or -1 when there is none.
func (p *Parser) hostBefore(s string, e int) int {
	for _, h := range p.hostList() {
		if hs := e - len(h); hs >= 0 && hasPrefixFold(s[hs:e], h) && (hs == 0 || class[s[hs-1]]&hostChar == 0) {
			return hs
		}
	}
	return -1
}

// validOwner follows GitHub's rules: 1 to 39 letters, digits or single hyphens, not at
// either end; a managed user's login (GitHub Enterprise Cloud) adds '_' and its
// enterprise's short code of letters and digits ("mona-cat_acme"), and such a user owns
// private repositories.
func validOwner(o string) bool {
	if !ownerShape(o) || !allOf(o, ownerChar) || strings.Contains(o, "--") {
		return false
	}
	_, code, _ := strings.Cut(o, "_")
	return !strings.ContainsAny(code, "-_") && !strings.Contains(o, "-_")
}

// validRepo follows GitHub's rules: 1 to 100 letters, digits, '.', '-' or '_', not "."
// or "..", and not ending in ".git" (GitHub removes that suffix from a new repository's
// name) or ".wiki" (kept for wikis).
func validRepo(r string) bool { return repoShape(r) && allOf(r, repoChar) }

// ownerStart walks back over the owner name that ends just before the '/' at s[e] and
// returns where it starts. Where the name breaks GitHub's rules on '-' and '_' (two of
// them side by side, or a '_' with a '-' or another '_' after it), it stops inside them,
// so that the name found then starts with one (and fails ownerShape) or follows a '_'
// (and the caller finds no boundary before it): the separators are checked in the same
// walk, with no second loop over the name.
func ownerStart(s string, e int) int {
	k := e
	sep := false // a '-' or '_' was passed
	for k > 0 {
		c := s[k-1]
		if x := class[c]; x&ownerChar == 0 {
			break
		} else if x&ownerSep != 0 {
			if class[s[k]]&ownerSep != 0 || c == '_' && sep {
				break
			}
			sep = true
		}
		k--
	}
	return k
}

// ownerShape checks the length and the ends of an owner name found by ownerStart: a '-'
// or '_' ends none.
func ownerShape(o string) bool {
	return len(o) > 0 && len(o) <= 39 && class[o[0]]&ownerSep == 0 && class[o[len(o)-1]]&ownerSep == 0
}

// repoShape checks a repository name's length, that it is not "." or "..", and its
// suffix (see validRepo); its bytes are repoChar.
func repoShape(r string) bool {
	return len(r) > 0 && len(r) <= 100 && r != "." && r != ".." &&
		!strings.HasSuffix(r, ".git") && !strings.HasSuffix(r, ".wiki")
}

// allOf reports whether every byte of s is in the class c.
func allOf(s string, c uint16) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&c == 0 {
			return false
		}
	}
	return true
}

// Byte classes, looked up in one table.
const (
	word        = 1 << iota // ASCII letters, digits and '_'
	beforeOwner             // may stand just before an owner (owner/repo#N)
	beforeHash              // may stand just before a bare #N
	repoChar                // may appear in a repository name
	ownerChar               // may appear in an owner name (a managed user's login has '_')
	ownerSep                // '-' or '_': ends no owner name, nor stands beside another
	urlChar                 // may appear in a URL
	letter                  // ASCII letter
	hostChar                // may appear in a host name
	lead                    // may stand just before a reference's number
	numSep                  // with a digit after, continues a number: 1.2, 1,000, 12-3, 10:30
	urlNext                 // may follow a PR URL's number: a path, query, fragment or prose
	other                   // a byte of a character outside ASCII: decided by the character
	noEnd                   // '%' or '@' after a number: a share ("PR 80% done") or an address ("pr-12@acme.com")
)

var class = func() (t [256]uint16) {
	for c := range 256 {
		isLetter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		isNum := c >= '0' && c <= '9'
		if isLetter || isNum || c == '_' {
			t[c] |= word
		}
		if c >= utf8.RuneSelf {
			t[c] |= other
		}
		if isLetter {
			t[c] |= letter
		}
		if isLetter || isNum || c == '-' || c == '_' {
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
	// Like GitHub, a bare #N or an owner may follow any ASCII byte outside a word but '&'
	// (&#123; is an HTML entity), '/' (a path or an anchor), '#' (##12) and '\\' (\#12 is
	// escaped); an owner not '.' or '-' either (a longer name: x.y/z#1) nor '@' (a team).
	// Any form may follow a byte of a character outside ASCII: checkStart decides.
	for c := range 256 {
		if t[c]&word == 0 && !strings.ContainsRune(`&/#\`, rune(c)) {
			t[c] |= beforeHash
			if !strings.ContainsRune(".-@", rune(c)) {
				t[c] |= beforeOwner
			}
		}
	}
	for _, c := range "#-/ :" {
		t[c] |= lead
	}
	for _, c := range ".,-:" {
		t[c] |= numSep
	}
	t['%'] |= noEnd
	t['@'] |= noEnd
	t['-'] |= ownerSep
	t['_'] |= ownerSep
	for _, c := range "/?#.,;:!)]}'\"" {
		t[c] |= urlNext
	}
	return t
}()

// sepClass sorts the bytes that may stand between a number and the word before it: 1 for
// '#' and '-', 2 for a space, 3 for ':', 0 for any other.
var sepClass = func() (t [256]uint8) {
	t['#'], t['-'], t[' '], t[':'] = 1, 1, 2, 3
	return t
}()

// sepSkip maps the classes of the four bytes before a number (sepClass, two bits each,
// the nearest byte lowest) to how many of them are separators: a '#' or '-' right before
// the number, then up to two spaces, then a colon.
var sepSkip = func() (t [256]uint8) {
	for x := range t {
		at := func(k int) int { return x >> (2 * k) & 3 } // the class of the kth byte back
		d := 0
		for _, want := range [...]int{1, 2, 2, 3} { // '#' or '-', space, space, colon
			if at(d) == want {
				d++
			}
		}
		t[x] = uint8(d)
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// load64 reads eight bytes of s at i as a little-endian word (the compiler makes it one
// load, with one bounds check).
func load64(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
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

// hasPrefixFold reports whether s, at least as long as prefix, starts with the lower-case
// ASCII prefix, ignoring case; a byte already equal is not folded.
func hasPrefixFold(s, prefix string) bool {
	for i := 0; i < len(prefix); i++ {
		if c := s[i]; c != prefix[i] && lower(c) != prefix[i] {
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
