package mapping

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// person is a name prepared once for many comparisons: each token's spellings (as
// written, then the formal names a nickname shortens), and (for members) the usual login
// spellings of the name.
type person struct {
	tokens []string
	// gen is the name's generation (jr, sr, iii), set apart from its tokens.
	gen string
	// joined is the tokens run together.
	joined string
	spell  [][]spelling
	// loginForms are johndoe, jdoe, johnd, doejohn, doej and the tokens joined, for
	// each spelling of the first and last names.
	loginForms [][]rune
	// firstTwo and lastTwo are, in a member's name of three words or more, its first two
	// and its last two words run together (jeanluc and lucpicard in Jean-Luc Picard).
	firstTwo, lastTwo string
}

// spelling is one way of writing a name token, as runes and in its transliteration
// skeleton.
type spelling struct {
	text  string
	runes []rune
	skel  string
}

// newPerson prepares a name; members (asMember) also get their login spellings.
func newPerson(tokens []string, asMember bool) person {
	var gen string
	if i := slices.IndexFunc(tokens, func(t string) bool { return generations[t] == t }); i >= 0 && len(tokens) > 1 {
		gen, tokens = tokens[i], slices.Delete(slices.Clone(tokens), i, i+1)
	}
	n := len(tokens)
	for _, t := range tokens {
		n += len(nicknames[t])
	}
	all := make([]spelling, 0, n)
	p := person{tokens: tokens, gen: gen, joined: strings.Join(tokens, ""), spell: make([][]spelling, len(tokens))}
	for i, t := range tokens {
		start := len(all)
		for _, s := range append([]string{t}, nicknames[t]...) {
			all = append(all, spelling{s, []rune(s), skeleton(s)})
		}
		p.spell[i] = all[start:]
	}
	if n := len(tokens); asMember && n >= 3 {
		p.firstTwo, p.lastTwo = tokens[0]+tokens[1], tokens[n-2]+tokens[n-1]
	}
	if asMember && len(tokens) >= 2 {
		last := len(tokens) - 1
		whole := slices.Clone(tokens)
		var forms []string
		for _, f := range p.spell[0] {
			for _, l := range p.spell[last] {
				fi, li := string(f.runes[:1]), string(l.runes[:1])
				whole[0], whole[last] = f.text, l.text
				forms = append(forms, f.text+l.text, fi+l.text, f.text+li, l.text+f.text, l.text+fi, strings.Join(whole, ""))
			}
		}
		slices.Sort(forms)
		for _, v := range slices.Compact(forms) {
			p.loginForms = append(p.loginForms, []rune(v))
		}
	}
	return p
}

// jaroWinkler returns the Jaro-Winkler similarity of two rune strings, in [0, 1]
// (prefix scale 0.1, prefix up to 4).
func jaroWinkler(ra, rb []rune) float64 {
	la, lb := len(ra), len(rb)
	if la == 0 || lb == 0 {
		return 0
	}
	if slices.Equal(ra, rb) {
		return 1
	}
	window := max(max(la, lb)/2-1, 0)
	var ma, mb [64]bool
	var matchA, matchB []bool
	if la > len(ma) || lb > len(mb) {
		matchA, matchB = make([]bool, la), make([]bool, lb)
	} else {
		matchA, matchB = ma[:la], mb[:lb]
	}
	m := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !matchB[j] && ra[i] == rb[j] {
				matchA[i], matchB[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := range ra {
		if !matchA[i] {
			continue
		}
		for !matchB[j] {
			j++
		}
		if ra[i] != rb[j] {
			t++
		}
		j++
	}
	mf := float64(m)
	jaro := (mf/float64(la) + mf/float64(lb) + (mf-float64(t)/2)/mf) / 3
	prefix := 0
	for prefix < min(4, la, lb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// lengthFactor is 1 for strings of equal length, falling to 0.5 as one gets empty.
func lengthFactor(la, lb int) float64 {
	return 1 - 0.5*float64(max(la, lb)-min(la, lb))/float64(max(la, lb, 1))
}

// tokenSimilarity compares token i of a with token j of b: the best similarity of their
// spellings, so a nickname is as close to each formal name it shortens as that name is
// itself. A pair of spellings whose lengths alone keep it at or under bound is skipped:
// a result at or under bound only says so.
func tokenSimilarity(a *person, i int, b *person, j int, bound float64) float64 {
	best := 0.0
	for x := range a.spell[i] {
		for y := range b.spell[j] {
			best = max(best, spellingSimilarity(&a.spell[i][x], &b.spell[j][y], max(bound, best)))
		}
	}
	return best
}

// spellingSimilarity compares two spellings: 1 when equal, 0.97 when they spell the same
// sounds in another transliteration (aleksandr, alexander; müller, mueller), 0.5 for
// gendered variants (maria, mario), otherwise Jaro-Winkler scaled down by the difference
// in length, so that a prefix ("brown", "brownlow") does not pass for the same name. Past
// equal skeletons, 0 when the lengths alone keep the similarity at or under bound.
func spellingSimilarity(x, y *spelling, bound float64) float64 {
	if x.text == y.text {
		return 1
	}
	if x.skel == y.skel {
		return 0.97
	}
	lf := lengthFactor(len(x.runes), len(y.runes))
	if lf <= bound {
		return 0
	}
	if genderedPair(x.text, y.text) {
		return 0.5
	}
	return jaroWinkler(x.runes, y.runes) * lf
}

// genderedPair reports a name's masculine and feminine forms, which name different
// people, not one person with a typo: names of four letters or more that differ only in
// a final vowel (maria, mario; carla, carlo) or in a pair of endings (alexander,
// alexandra; francis, frances; christian, christina; louis, louise), or where one adds
// an ending to the other (paul, paula; daniel, danielle; stephan, stephanie; jean,
// jeanne). An added "e" alone is not one: Carol and Carole, Clark and Clarke are one
// name spelled two ways; nor an added "s", which surnames take (King, Kings; Robert,
// Roberts), so Andrea and Andreas are not told apart.
func genderedPair(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	p := 0
	for p < len(a) && a[p] == b[p] {
		p++
	}
	ta, tb := a[p:], b[p:] // what follows the part they share; tb is the longer
	if len(tb) > 3 || utf8.RuneCountInString(a) < 4 {
		return false
	}
	switch ta {
	case "":
		return slices.Contains(addedEndings, tb) || tb == "e" && strings.HasSuffix(a, "s") // louis, louise
	case "a", "e", "i", "o", "u":
		return len(tb) == 1 && strings.Contains("aeiou", tb)
	}
	return slices.Contains(swappedEndings, [2]string{ta, tb})
}

// addedEndings turn a name into its other form (paul, paula; jean, jeanne).
var addedEndings = []string{"a", "ie", "le", "ne", "ine"}

// swappedEndings are the endings of a name's two forms, in either order, past the
// letters the forms share.
var swappedEndings = [][2]string{{"er", "ra"}, {"ra", "er"}, {"is", "es"}, {"es", "is"}, {"an", "na"}, {"na", "an"}}

// skeleton folds the spellings transliteration varies on: ue/u (Müller, Mueller), oe/o,
// ae/a, ks/x, iy/ij/y/j/i, ph/f, w/v, kh/h, doubled letters. It reads s once, from the
// left, each pair before its letters alone. Only Latin letters (ASCII, once accents are
// folded) are folded: a character of another script written twice makes another name
// (王丽丽, Wang Lili, is not 王丽, Wang Li).
func skeleton(s string) string {
	var b strings.Builder
	b.Grow(len(s)) // no fold makes a name longer
	var prev byte
	for i := 0; i < len(s); i++ {
		c, next := s[i], byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case (c == 'u' || c == 'o' || c == 'a') && next == 'e',
			c == 'i' && (next == 'y' || next == 'j'):
			i++
		case c == 'k' && next == 's':
			c, i = 'x', i+1
		case c == 'k' && next == 'h':
			c, i = 'h', i+1
		case c == 'p' && next == 'h':
			c, i = 'f', i+1
		case c == 'y' || c == 'j':
			c = 'i'
		case c == 'w':
			c = 'v'
		}
		if c != prev || c >= utf8.RuneSelf {
			b.WriteByte(c)
		}
		prev = c
	}
	return b.String()
}

// tokenSetSimilarity compares two names regardless of token order: each token's best
// match (tokenSimilarity) in the other name, averaged over both names. "John Doe"
// against "Doe John" is 1; against "John Smith" about 0.6.
func tokenSetSimilarity(a, b *person) float64 {
	if len(a.tokens) == 0 || len(b.tokens) == 0 {
		return 0
	}
	sum := 0.0
	var buf [8]float64
	var bestB []float64
	if len(b.tokens) > len(buf) {
		bestB = make([]float64, len(b.tokens))
	} else {
		bestB = buf[:len(b.tokens)]
	}
	for i := range a.tokens {
		best := 0.0
		for j := range b.tokens {
			// A pair under both tokens' bests changes nothing, so it needs no exact score.
			s := tokenSimilarity(a, i, b, j, min(best, bestB[j]))
			best = max(best, s)
			bestB[j] = max(bestB[j], s)
		}
		sum += best
	}
	for _, s := range bestB {
		sum += s
	}
	return sum / float64(len(a.tokens)+len(b.tokens))
}

// loginSimilarity compares a person with a GitHub login. A login whose parts include both
// the first and last name (john-doe-dev; sam-taylor for Samantha Taylor, as a nickname
// stands for its formal names; in a name of three words or more, either may be two words
// run together: minjun-kim for Kim Min-jun, jeanluc-picard-dev for Jean-Luc Picard)
// scores 0.95; one that spells the name in a usual way (johndoe, jdoe, johnd, doejohn,
// doej) scores by Jaro-Winkler against that spelling, scaled by length and discounted to
// 0.95, because a login is weaker evidence than a display name; a login that is the first
// name alone scores lower still.
//
// Scores below floor are not worth computing exactly: a spelling whose length alone caps
// it under floor is skipped, and 0 may be returned for such a login.
func loginSimilarity(p *person, c *indexedContributor, floor float64) float64 {
	if len(p.tokens) == 0 || len(c.loginJoined) == 0 {
		return 0
	}
	if len(p.tokens) >= 2 && len(c.loginSegs) >= 2 &&
		(spelledIn(p.spell[0], c.loginNames) || p.firstTwo != "" && slices.Contains(c.loginNames, p.firstTwo)) &&
		(spelledIn(p.spell[len(p.tokens)-1], c.loginNames) || p.lastTwo != "" && slices.Contains(c.loginNames, p.lastTwo)) {
		return 0.95
	}
	l := c.loginJoined
	best := 0.0
	for _, v := range p.loginForms {
		if lf := lengthFactor(len(v), len(l)); 0.95*lf >= max(floor, best) {
			best = max(best, 0.95*jaroWinkler(v, l)*lf)
		}
	}
	for _, f := range p.spell[0] {
		if lf := lengthFactor(len(f.runes), len(l)); 0.8*lf >= max(floor, best) {
			best = max(best, 0.8*jaroWinkler(f.runes, l)*lf)
		}
	}
	return best
}

// spelledIn reports whether one of a token's spellings is among a login's names.
func spelledIn(spell []spelling, names []string) bool {
	return slices.ContainsFunc(spell, func(s spelling) bool { return slices.Contains(names, s.text) })
}

// nameScore is the documented similarity of a member to a contributor: the higher of the
// token-set similarity of the names (at least spacedAlike for one name in words split
// otherwise) and the login similarity, unless the contributor's display name names
// someone else (namesSomeoneElse): then its login, however like the member's name, is
// that person's, and only the names are compared. Names of two generations (Jr. and Sr.,
// II and III) score 0; a generation on one side only is left aside. Scores under floor
// are only known to be under it.
func nameScore(m *person, c *indexedContributor, floor float64) float64 {
	if m.gen != "" && c.name.gen != "" && m.gen != c.name.gen {
		return 0 // John Smith Jr. is not John Smith Sr.
	}
	s := tokenSetSimilarity(m, &c.name)
	if s < spacedAlike && spacedOtherwise(m, &c.name) {
		s = spacedAlike
	}
	if s >= 0.95 {
		return s // the login cannot do better
	}
	if l := loginSimilarity(m, c, max(floor, s)); l > s && !namesSomeoneElse(m, &c.name) {
		return l
	}
	return s
}

// spacedAlike is the similarity of one name written in words split otherwise: that of
// one spelling in another transliteration.
const spacedAlike = 0.97

// spacedOtherwise reports whether two names are one name with its words split otherwise:
// the same letters in the same order, in another number of words (Mary Ann Lee and
// Maryann Lee), or the words of one with two of them run together, in any order (Kim
// Min-jun and Minjun Kim, as a name written family name first is turned round). A name
// of one word counts only when it is not in Latin letters (山田太郎 for 山田 太郎, as
// Chinese and Japanese names are written both ways): in Latin letters, one word is a
// name of its own (Lina is not Li Na run together, nor Mohan Mo Han).
func spacedOtherwise(a, b *person) bool {
	if len(a.tokens) == len(b.tokens) || len(a.joined) != len(b.joined) {
		return false
	}
	if a.joined == b.joined {
		return min(len(a.tokens), len(b.tokens)) > 1 || !isASCII(a.joined)
	}
	long, short := a.tokens, b.tokens
	if len(long) < len(short) {
		long, short = short, long
	}
	if len(long) != len(short)+1 || len(short) < 2 {
		return false
	}
	for i := range len(long) - 1 {
		if sameWordsJoining(long, i, short) {
			return true
		}
	}
	return false
}

// sameWordsJoining reports whether long, with its words i and i+1 run together, holds the
// words of short, in any order.
func sameWordsJoining(long []string, i int, short []string) bool {
	var used uint16 // the words of short matched so far (maxNameTokens of them at most)
	for k := 0; k < len(long); k++ {
		word := long[k]
		if k == i {
			word, k = word+long[k+1], k+1 // the two words run together are one
		}
		j := 0
		for j < len(short) && (used&(1<<j) != 0 || short[j] != word) {
			j++
		}
		if j == len(short) {
			return false
		}
		used |= 1 << j
	}
	return true
}

// namesSomeoneElse reports whether a display name names another person than the member's
// name does: it shares a word with it, and has a word in place of one of the member's
// (Jane Smith for John Smith, Christina Holm for Christian Holm, Jane Morrison for Jane
// Whitaker). A word only added (Mary Ann Lee for Mary Lee), an initial or a misspelling
// does not count.
func namesSomeoneElse(m, c *person) bool {
	shared, mOnly := false, false
	for i := range m.tokens {
		best := bestWordMatch(m, i, c)
		shared = shared || best >= 0.97
		mOnly = mOnly || best < 0.9 && len(m.spell[i][0].runes) > 1
	}
	if !shared || !mOnly {
		return false
	}
	for j := range c.tokens {
		if bestWordMatch(c, j, m) < 0.9 && len(c.spell[j][0].runes) > 1 {
			return true
		}
	}
	return false
}

// bestWordMatch is the best similarity of token i of a to any token of b.
func bestWordMatch(a *person, i int, b *person) float64 {
	best := 0.0
	for j := range b.tokens {
		best = max(best, tokenSimilarity(a, i, b, j, best))
	}
	return best
}
