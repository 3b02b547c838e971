package linker

import (
	"fmt"
	"maps"
	"math/bits"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// baselineRE is what most integrations write: one case-insensitive expression with the
// same alternatives.
var baselineRE = regexp.MustCompile(`(?i)(?:https?://)?(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)/(?:pull|issues)/(\d+)` +
	`|([\w-]+)/([\w.-]+)#(\d+)` +
	`|\bpull[ -]?request:?\s{0,2}#?(\d+)` +
	`|\bPR:?\s{0,2}[#-]?(\d+)` +
	`|\bGH-(\d+)` +
	`|#(\d+)`)

// baselineTargets renders the baseline's matches like the planted ones' targets.
func baselineTargets(text string, ms [][]int) []string {
	var out []string
	for _, m := range ms {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return text[m[2*i]:m[2*i+1]]
		}
		switch {
		case g(3) != "":
			out = append(out, g(1)+"/"+g(2)+"#"+g(3))
		case g(6) != "":
			out = append(out, g(4)+"/"+g(5)+"#"+g(6))
		default:
			for i := 7; i <= 10; i++ {
				if g(i) != "" {
					out = append(out, "#"+g(i))
				}
			}
		}
	}
	return out
}

// plantedTargets returns the targets ("owner/repo#N" or "#N") of a description's refs.
func plantedTargets(d description) []string {
	out := make([]string, len(d.planted))
	for i, p := range d.planted {
		out[i] = strings.Fields(p)[1]
	}
	return out
}

var (
	benchOnce   sync.Once
	benchCorpus []description
	benchTexts  []string
	benchBytes  int64
)

// corpusForBench returns the benchmark corpus, its descriptions packed one after another
// in one buffer as they arrive in a page of an API response. A fixed layout keeps the
// limit loop steady from run to run; with each description allocated on its own, its
// speed moved between 800 and 1,750 MB/s from one process to the next.
func corpusForBench() []string {
	benchOnce.Do(func() {
		benchCorpus = generateCorpus(100_000, 1)
		benchTexts = pack(len(benchCorpus), func(k int) string { return benchCorpus[k].text })
		benchBytes = totalBytes(benchTexts)
	})
	return benchTexts
}

// pack copies n texts into one buffer and returns them as slices of it, in order.
func pack(n int, text func(k int) string) []string {
	var b strings.Builder
	for k := range n {
		b.WriteString(text(k))
	}
	all := b.String()
	out := make([]string, n)
	for k, off := 0, 0; k < n; k++ {
		l := len(text(k))
		out[k], off = all[off:off+l], off+l
	}
	return out
}

// mayStart marks the bytes that can start a reference, for the limit loop.
var mayStart = func() (t [256]byte) {
	for _, c := range "#/pPgG" {
		t[c] = 1
	}
	return t
}()

// BenchmarkFind measures the parser over the 100,000-description corpus against a
// baseline (one regular expression) and a limit (a loop that reads each byte once and
// counts the bytes that may start a reference). Compare their MB/s. first-stage and
// first-stage+loop are parts of the parser, for scale.
func BenchmarkFind(b *testing.B) {
	texts := corpusForBench()
	b.Run("parser", func(b *testing.B) {
		var p Parser
		buf := make([]Ref, 0, 8)
		b.SetBytes(benchBytes)
		b.ReportAllocs()
		refs := 0
		for b.Loop() {
			refs = 0
			for _, t := range texts {
				buf = p.AppendRefs(buf[:0], t)
				refs += len(buf)
			}
		}
		b.ReportMetric(float64(refs), "refs")
	})
	b.Run("baseline-regexp", func(b *testing.B) {
		b.SetBytes(benchBytes)
		b.ReportAllocs()
		matches := make([][][]int, len(texts))
		for b.Loop() {
			for i, t := range texts {
				matches[i] = baselineRE.FindAllStringSubmatchIndex(t, -1)
			}
		}
		// Score the baseline's last run, outside the timed loop.
		var misses, falsePos int
		for i, t := range texts {
			m, f := diff(plantedTargets(benchCorpus[i]), baselineTargets(t, matches[i]))
			misses += m
			falsePos += f
		}
		b.ReportMetric(float64(misses), "misses")
		b.ReportMetric(float64(falsePos), "false-positives")
	})
	b.Run("limit-scan", func(b *testing.B) {
		b.SetBytes(benchBytes)
		n := 0
		for b.Loop() {
			n = limitScan(texts)
		}
		b.ReportMetric(float64(n), "candidates")
	})
	// The parser's first stage alone: the candidates of every 64-byte block, as
	// AppendRefs finds them before it reads any reference.
	b.Run("first-stage", func(b *testing.B) {
		b.SetBytes(benchBytes)
		n := 0
		for b.Loop() {
			n = 0
			for _, t := range texts {
				for at := 0; at < len(t); at += 64 {
					n += bits.OnesCount64(candidates(t, at))
				}
			}
		}
		b.ReportMetric(float64(n), "candidates")
	})
	// The first stage and the loop over each block's candidates, reading none: the
	// number of candidates varies from one description to the next, so the loop's exit
	// is hard to predict.
	b.Run("first-stage+loop", func(b *testing.B) {
		b.SetBytes(benchBytes)
		n := 0
		for b.Loop() {
			n = 0
			for _, t := range texts {
				for at := 0; at < len(t); at += 64 {
					for c := candidates(t, at); c != 0; c &= c - 1 {
						n += bits.TrailingZeros64(c)
					}
				}
			}
		}
	})
}

// BenchmarkFindPaired runs one parser pass and one limit pass in every iteration and
// reports the parser's share of the limit's speed from the two sums: as both see the
// same state of the machine, the share moves much less than when BenchmarkFind runs the
// two one after the other.
func BenchmarkFindPaired(b *testing.B) {
	texts := corpusForBench()
	var p Parser
	buf := make([]Ref, 0, 8)
	var parser, limit time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		for _, t := range texts {
			buf = p.AppendRefs(buf[:0], t)
		}
		t1 := time.Now()
		n += limitScan(texts)
		parser, limit = parser+t1.Sub(t0), limit+time.Since(t1)
	}
	mb := float64(benchBytes) * float64(b.N) / 1e6
	b.ReportMetric(mb/parser.Seconds(), "parser-MB/s")
	b.ReportMetric(mb/limit.Seconds(), "limit-MB/s")
	b.ReportMetric(100*limit.Seconds()/parser.Seconds(), "%-of-limit")
	b.ReportMetric(0, "ns/op")
	if n == 0 {
		b.Fatal("the limit loop counted nothing")
	}
}

// BenchmarkReadByKind measures what reading one candidate costs, by what it turns out to
// be: the corpus's candidates are grouped by kind (or rejected), each group's
// descriptions packed one after another, and refAt is timed over each group. Within a
// group the branch on the kind is always predicted, so the sum of the groups is less
// than the mixed corpus costs.
func BenchmarkReadByKind(b *testing.B) {
	type candidate struct{ text, at int }
	names := map[Kind]string{KindURL: "url", KindRepoRef: "owner-repo", KindPR: "pr",
		KindPullRequest: "pull-request", KindGH: "gh", KindHash: "hash"}
	texts := corpusForBench()
	var p Parser
	groups := map[string][]candidate{}
	for k, t := range texts {
		for at := 0; at < len(t); at += 64 {
			for c := candidates(t, at); c != 0; c &= c - 1 {
				var r Ref
				var run urlRun
				i := at + bits.TrailingZeros64(c)
				kind := "rejected"
				if _, ok := p.refAt(t, i, &r, &run); ok {
					kind = names[r.Kind]
				}
				groups[kind] = append(groups[kind], candidate{k, i})
			}
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(groups)) {
		g := groups[kind]
		packed := pack(len(g), func(j int) string { return texts[g[j].text] })
		b.Run(kind, func(b *testing.B) {
			ends := 0
			for b.Loop() {
				for j, c := range g {
					var r Ref
					var run urlRun
					end, _ := p.refAt(packed[j], c.at, &r, &run)
					ends += end
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(g)), "ns/candidate")
			b.ReportMetric(float64(len(g)), "candidates")
		})
	}
}

// BenchmarkFindRepeated parses a corpus of the same size in which the first 1,000
// descriptions repeat, copied one after another: the bytes differ in place but the
// sequence of forms, lengths and digit runs recurs, so the branch predictor can learn it.
// Compared with BenchmarkFind it shows how much of the parser's time on the real corpus
// is spent on mispredicted branches.
func BenchmarkFindRepeated(b *testing.B) {
	texts := corpusForBench()
	repeated := pack(len(texts), func(k int) string { return texts[k%1000] })
	b.Run("parser", func(b *testing.B) {
		var p Parser
		buf := make([]Ref, 0, 8)
		b.SetBytes(totalBytes(repeated))
		for b.Loop() {
			for _, t := range repeated {
				buf = p.AppendRefs(buf[:0], t)
			}
		}
	})
	b.Run("limit-scan", func(b *testing.B) {
		b.SetBytes(totalBytes(repeated))
		n := 0
		for b.Loop() {
			n = limitScan(repeated)
		}
		b.ReportMetric(float64(n), "candidates")
	})
}

// BenchmarkFindSkipping bounds what faster reading of some kinds could give: it runs the
// parser's loop with a mask, computed before the timer starts, that keeps only some of
// each block's candidates, so the others cost nothing at all. "all" keeps every
// candidate (the parser itself); "accepted" drops the rejected ones, as a perfect and
// free first-stage filter would; "all-but-urls" drops only the URLs, as if they were read
// for free, and "all-but-urls-and-owner-repo" the owner/repo#N forms too; "filter-model"
// drops what a first stage could tell from the digits and the two bytes before them
// (filterKeep), and with "-but-urls" the URLs too; the others drop the rejected
// candidates and also URLs, owner/repo#N or both.
func BenchmarkFindSkipping(b *testing.B) {
	texts := corpusForBench()
	var p Parser
	for _, v := range []struct {
		name string
		keep func(s string, i int, ok bool, k Kind) bool
	}{
		{"all", func(string, int, bool, Kind) bool { return true }},
		{"accepted", func(_ string, _ int, ok bool, _ Kind) bool { return ok }},
		{"all-but-urls", func(_ string, _ int, ok bool, k Kind) bool { return !(ok && k == KindURL) }},
		{"all-but-urls-and-owner-repo", func(_ string, _ int, ok bool, k Kind) bool {
			return !(ok && (k == KindURL || k == KindRepoRef))
		}},
		{"filter-model", func(s string, i int, _ bool, _ Kind) bool { return filterKeep(s, i) }},
		{"filter-model-but-urls", func(s string, i int, ok bool, k Kind) bool {
			return filterKeep(s, i) && !(ok && k == KindURL)
		}},
		{"accepted-but-urls", func(_ string, _ int, ok bool, k Kind) bool { return ok && k != KindURL }},
		{"accepted-but-owner-repo", func(_ string, _ int, ok bool, k Kind) bool { return ok && k != KindRepoRef }},
		{"accepted-but-both", func(_ string, _ int, ok bool, k Kind) bool {
			return ok && k != KindURL && k != KindRepoRef
		}},
	} {
		masks := make([][]uint64, len(texts))
		for n, t := range texts {
			for at := 0; at < len(t); at += 64 {
				var m uint64
				for c := candidates(t, at); c != 0; c &= c - 1 {
					i := at + bits.TrailingZeros64(c)
					var r Ref
					var run urlRun
					_, ok := p.refAt(t, i, &r, &run)
					if v.keep(t, i, ok, r.Kind) {
						m |= 1 << (i - at)
					}
				}
				masks[n] = append(masks[n], m)
			}
		}
		if v.name == "filter-model" || v.name == "all" { // the same references as the parser
			for n, t := range texts {
				if got, want := appendRefsMasked(&p, nil, t, masks[n]), p.Find(t); !slices.Equal(got, want) {
					b.Fatalf("in %q: masked loop found %v, parser %v", t, got, want)
				}
			}
		}
		b.Run(v.name, func(b *testing.B) {
			buf := make([]Ref, 0, 8)
			b.SetBytes(benchBytes)
			for b.Loop() {
				for n, t := range texts {
					buf = appendRefsMasked(&p, buf[:0], t, masks[n])
				}
			}
		})
	}
	b.Run("limit-scan", func(b *testing.B) {
		b.SetBytes(benchBytes)
		for b.Loop() {
			limitScan(texts)
		}
	})
}

// filterKeep models a first-stage filter that reads the run of digits at s[i] and the two
// bytes before it, as SIMD compares could: it drops a run longer than seven digits, one
// with a leading zero, one followed by a word byte or by a number's separator and a digit,
// and one whose lead and the byte before it start no form ("#" after a byte that is
// neither a separator nor a name's; "-" after other than r, h or a space; a space after
// other than r, t, ':' or a space; ':' after other than r or t).
func filterKeep(s string, i int) bool {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j-i > 7 || s[i] == '0' || j < len(s) && (class[s[j]]&word != 0 ||
		class[s[j]]&numSep != 0 && j+1 < len(s) && isDigit(s[j+1])) {
		return false
	}
	var p byte // the byte before the lead, 0 at the start of s
	if i >= 2 {
		p = s[i-2]
	}
	switch f := p | 0x20; s[i-1] {
	case '/':
		return true
	case '#':
		return class[p]&(beforeHash|repoChar) != 0
	case '-':
		return f == 'r' || f == 'h' || p == ' '
	case ' ':
		return f == 'r' || f == 't' || p == ':' || p == ' '
	default: // ':'
		return f == 'r' || f == 't'
	}
}

// appendRefsMasked is AppendRefs with each block's candidates ANDed with masks[block].
func appendRefsMasked(p *Parser, dst []Ref, s string, masks []uint64) []Ref {
	base := len(dst)
	resume := 0
	var seen uint64
	var run urlRun
	for at := 0; at < len(s); at += 64 {
		for c := candidates(s, at) & masks[at/64]; c != 0; c &= c - 1 {
			i := at + bits.TrailingZeros64(c)
			if i < resume {
				continue
			}
			var r Ref
			if end, ok := p.refAt(s, i, &r, &run); ok {
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

func totalBytes(texts []string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(len(t))
	}
	return n
}

// limitScan is the limit loop: it reads every byte once and counts those that may start
// a reference.
func limitScan(texts []string) int {
	n := 0
	for _, t := range texts {
		for i := 0; i < len(t); i++ {
			n += int(mayStart[t[i]])
		}
	}
	return n
}

// BenchmarkFindNoReference shows the allocation-free path for a typical description.
func BenchmarkFindNoReference(b *testing.B) {
	var p Parser
	text := "Pairing on the sync engine with the platform group, then grooming the backlog"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if p.Find(text) != nil {
			b.Fatal("found a reference")
		}
	}
}

// BenchmarkFindLongText reads texts shaped so that each reference would walk back over
// all the text before it, or be compared with every reference before it: one run of URL
// bytes ("~#1~#1...", "pr-1.pr-2..."), and thousands of distinct PRs ("#1 #2 ...",
// ".#1.#2..."). Each shape is read at 3 KB (the size of a long description: the
// baseline) and at 1 MB; time in proportion to length keeps MB/s the same.
func BenchmarkFindLongText(b *testing.B) {
	var p Parser
	shapes := []struct {
		name string
		unit func(k int) string
	}{
		{"one-run", func(int) string { return "~#1" }},
		{"one-run-pr", func(k int) string { return "pr-" + strconv.Itoa(k%50+1) + "." }},
		{"distinct", func(k int) string { return "#" + strconv.Itoa(k%MaxNumber+1) + " " }},
		{"distinct-in-run", func(k int) string { return ".#" + strconv.Itoa(k%MaxNumber+1) }},
	}
	for _, sh := range shapes {
		for _, size := range []int{3 << 10, 1 << 20} {
			var t strings.Builder
			for k := 1; t.Len() < size; k++ {
				t.WriteString(sh.unit(k))
			}
			text := t.String()
			b.Run(fmt.Sprintf("%s/%dKB", sh.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					p.Find(text)
				}
			})
		}
	}
}

// diff counts the wanted targets not in got, and the got ones not wanted.
func diff(want, got []string) (misses, falsePos int) {
	seen := map[string]int{}
	for _, w := range want {
		seen[strings.ToLower(w)]++
	}
	gotSet := map[string]bool{}
	for _, g := range got {
		k := strings.ToLower(g)
		if gotSet[k] {
			continue
		}
		gotSet[k] = true
		if seen[k] > 0 {
			seen[k]--
		} else {
			falsePos++
		}
	}
	for _, n := range seen {
		misses += n
	}
	return misses, falsePos
}

func TestBaselineHelpers(t *testing.T) {
	// The baseline helpers the benchmark reports with must count right.
	m, f := diff([]string{"#1", "a/b#2"}, []string{"#1", "#3", "#3"})
	if m != 1 || f != 1 {
		t.Fatalf("diff = %d misses, %d false positives; want 1, 1", m, f)
	}
	text := "see acme/web#4 and &#123; and PR-5 " + fmt.Sprint("https://github.com/o/r/pull/", strconv.Itoa(6))
	got := baselineTargets(text, baselineRE.FindAllStringSubmatchIndex(text, -1))
	if strings.Join(got, ",") != "acme/web#4,#123,#5,o/r#6" {
		t.Fatalf("baseline found %v", got)
	}
}
