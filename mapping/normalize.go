package mapping

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NormalizeEmail trims, Unicode-normalises (NFC) and case-folds an email address.
func NormalizeEmail(email string) string {
	if isASCII(email) {
		return strings.ToLower(strings.TrimSpace(email))
	}
	e := strings.TrimSpace(norm.NFC.String(email))
	return cases.Fold().String(e)
}

// NoreplyLogin returns the GitHub login of a noreply address
// (ID+login@users.noreply.github.com or login@users.noreply.github.com).
func NoreplyLogin(email string) (string, bool) {
	local, ok := strings.CutSuffix(NormalizeEmail(email), "@users.noreply.github.com")
	if !ok || local == "" {
		return "", false
	}
	if _, login, ok := strings.Cut(local, "+"); ok {
		local = login
	}
	if !validLogin(local) {
		return "", false
	}
	return local, true
}

// maxNameBytes bounds the part of a name that is compared: GitHub keeps display names to
// 255 characters, and comparing names costs the product of their lengths.
const maxNameBytes = 256

// foldName removes accents, lower-cases and transliterates Cyrillic and Greek letters, and
// the Latin letters no accent makes (ø, æ, œ, þ, ð, ł, đ, ħ, ı), in the first
// maxNameBytes bytes of s.
func foldName(s string) string {
	if len(s) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	folded = cases.Fold().String(folded)
	var b strings.Builder
	for _, r := range folded {
		if lat, ok := translit[r]; ok {
			b.WriteString(lat)
			continue
		}
		switch r { // ß is "ss" already: full case folding spells it so
		case 'ø':
			b.WriteByte('o')
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'þ':
			b.WriteString("th")
		case 'ð':
			b.WriteByte('d')
		case 'ħ':
			b.WriteByte('h')
		case 'ł':
			b.WriteByte('l')
		case 'đ':
			b.WriteByte('d')
		case 'ı':
			b.WriteByte('i')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nameTokens normalises a person's name into comparable tokens: accents folded, case
// folded, apostrophes removed ("O'Brien" is one name, not an initial and "Brien"), other
// punctuation dropped, "Doe, John" read as "John Doe", middle initials dropped (when two
// other tokens remain) and honorifics (Dr., PhD) dropped. A nickname stays as written
// (newPerson adds the formal names it shortens), and so does a generation (Jr., Sr., III,
// spelled as in generations), which newPerson sets apart.
func nameTokens(name string) []string {
	name = apostrophes.Replace(foldName(name))
	if last, first, ok := strings.Cut(name, ","); ok && !onlySuffixes(first) {
		name = first + " " + last
	}
	raw := strings.FieldsFunc(name, betweenWords)
	long := 0
	for _, t := range raw {
		if len([]rune(t)) > 1 && !honorifics[t] && generations[t] == "" {
			long++
		}
	}
	out := raw[:0]
	for _, t := range raw {
		if len([]rune(t)) == 1 && long >= 2 {
			continue // a middle initial
		}
		if honorifics[t] {
			continue
		}
		if g := generations[t]; g != "" {
			t = g
		}
		out = append(out, t)
	}
	return out[:min(len(out), maxNameTokens)]
}

// betweenWords reports a character that is no part of a name's words.
func betweenWords(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// onlySuffixes reports whether what follows a name's comma holds no name, only
// honorifics and generations ("Jane Smith, Jr."), so that the name is not "Last, First".
func onlySuffixes(s string) bool {
	for t := range strings.FieldsFuncSeq(s, betweenWords) {
		if !honorifics[t] && generations[t] == "" {
			return false
		}
	}
	return true
}

// maxNameTokens bounds the words of a name that are compared: comparing two names costs
// the product of their word counts, and a person's name has far fewer than this. Without
// it, 256 bytes hold some 85 words, and 200 members and 200 GitHub users all named so took
// seconds to match.
const maxNameTokens = 12

// apostrophes removes the apostrophes written inside names: ASCII, typographic and modifier.
var apostrophes = strings.NewReplacer("'", "", "\u2019", "", "\u02bc", "")

// loginTokens splits a login into its parts ("john-doe" → john, doe; "jdoe" → jdoe). A
// managed user's enterprise short code ("jdoe_acme") names no one, and is left out.
func loginTokens(login string) []string {
	handle, _, _ := strings.Cut(login, "_")
	return strings.FieldsFunc(strings.ToLower(handle), func(r rune) bool { return r == '-' || r == '.' || unicode.IsDigit(r) })
}

// validLogin follows GitHub's rules for user names: 1 to 39 letters, digits or single
// hyphens, not at either end. The user accounts of an enterprise with managed users
// (GitHub Enterprise Cloud) add '_' and the enterprise's short code, letters and digits,
// within the same 39 characters: "mona-cat_acme", and the setup user "acme_admin".
func validLogin(s string) bool {
	handle, code, managed := strings.Cut(s, "_")
	if len(s) > 39 || handle == "" || handle[0] == '-' || handle[len(handle)-1] == '-' ||
		strings.Contains(handle, "--") || managed && code == "" {
		return false
	}
	for _, r := range handle {
		if !isASCIIAlnum(r) && r != '-' {
			return false
		}
	}
	for _, r := range code {
		if !isASCIIAlnum(r) {
			return false
		}
	}
	return true
}

// translit maps Cyrillic and Greek lower-case letters to Latin, so that "Дмитрий Иванов"
// compares with "Dmitry Ivanov".
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
}

// honorifics are dropped from names.
var honorifics = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "sir": true, "phd": true}

// generations are the suffixes that tell a parent from a child of the same name, each to
// the one spelling nameTokens gives it.
var generations = map[string]string{"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "iii": "iii", "iv": "iv"}

// nicknames maps common English nicknames to the formal names they may shorten; one that
// shortens several (Sam: Samuel or Samantha) names all of them, so that it decides
// between none. Two name tokens are compared by their closest spellings (the token, and
// its formal names), so sam is samuel and samantha, bob is rob, but samuel is not
// samantha.
var nicknames = map[string][]string{
	"bob": {"robert"}, "rob": {"robert"}, "bobby": {"robert"}, "bill": {"william"}, "will": {"william"},
	"billy": {"william"}, "liz": {"elizabeth"}, "beth": {"elizabeth"}, "lizzie": {"elizabeth"},
	"betty": {"elizabeth"}, "jim": {"james"}, "jimmy": {"james"}, "mike": {"michael"}, "mick": {"michael"},
	"kate": {"katherine"}, "katie": {"katherine"}, "kathy": {"katherine"}, "dick": {"richard"},
	"rick": {"richard"}, "ricky": {"richard"}, "tom": {"thomas"}, "tommy": {"thomas"}, "tony": {"anthony"},
	"chris": {"christopher", "christina", "christine"}, "dave": {"david"}, "dan": {"daniel"},
	"danny": {"daniel"}, "joe": {"joseph"}, "joey": {"joseph"}, "sam": {"samuel", "samantha"},
	"alex": {"alexander", "alexandra"}, "sasha": {"alexander", "alexandra"}, "nick": {"nicholas"},
	"matt": {"matthew"}, "pat": {"patrick", "patricia"}, "peggy": {"margaret"}, "maggie": {"margaret"},
	"meg": {"margaret"}, "jen": {"jennifer"}, "jenny": {"jennifer"}, "steve": {"steven", "stephen"},
	"andy": {"andrew"}, "drew": {"andrew"}, "ben": {"benjamin"}, "ed": {"edward", "edwin", "edmund"},
	"ted": {"edward", "theodore"}, "eddie": {"edward", "edwin", "edmund"}, "greg": {"gregory"},
	"jeff": {"jeffrey", "geoffrey"}, "nate": {"nathan", "nathaniel"}, "pete": {"peter"}, "ron": {"ronald"},
	"tim": {"timothy"}, "vicky": {"victoria"}, "abby": {"abigail"}, "becky": {"rebecca"},
	"sue": {"susan"}, "susie": {"susan"}, "dima": {"dmitry"}, "misha": {"mikhail"}, "kolya": {"nikolai"},
}
