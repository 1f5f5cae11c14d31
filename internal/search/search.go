// Package search turns texts in any of the six languages into something a full-text index can
// match, the same way on SQLite (FTS5) and PostgreSQL (tsvector): case and accents folded, Arabic
// letter variants unified, and Chinese, Japanese and Korean runs split into overlapping
// two-character pieces, because word tokenizers cannot find a two-character Chinese word inside
// a longer run of characters.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// arabicVariants unifies letters that people type interchangeably: alef maksura and ya, ta
// marbuta and ha. (Hamza forms and harakat fall away as combining marks.)
var arabicVariants = strings.NewReplacer("ى", "ي", "ة", "ه", "ـ", "")

// Fold returns s in lower case without accents, diacritics or punctuation: "Télécoms-Société" →
// "telecoms societe", "Связь ЁЖ" → "связь еж", "الإتصالات" → "الاتصالات". Words are separated by
// single spaces.
func Fold(s string) string {
	if folded, ok := foldASCII(s); ok {
		return folded
	}
	return foldUnicode(s)
}

// foldASCII folds s as foldUnicode does when s is all ASCII, without Unicode's tables; ok is
// false for any other text. Most texts an index holds are ASCII (references, codes, English
// titles), and folding took a tenth of the time of an import of a million agreements.
func foldASCII(s string) (folded string, ok bool) {
	b := make([]byte, 0, len(s))
	space := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			return "", false
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			b, space = append(b, c), false
		case 'A' <= c && c <= 'Z':
			b, space = append(b, c+'a'-'A'), false
		case !space:
			b, space = append(b, ' '), true
		}
	}
	if space && len(b) > 0 {
		b = b[:len(b)-1]
	}
	return string(b), true
}

// foldUnicode is Fold for text in any script.
func foldUnicode(s string) string {
	decomposed := norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(decomposed))
	space := true
	for _, r := range decomposed {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 'ـ':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if r == 'ß' {
				b.WriteString("ss")
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return arabicVariants.Replace(strings.TrimSpace(b.String()))
}

// isCJK reports whether r is written without spaces between words: Han, Kana or Hangul.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// split cuts a folded word into its runs of CJK and of other characters: "5g网络" → "5g", "网络".
func split(word string) []string {
	var parts []string
	var cur []rune
	curCJK := false
	for _, r := range word {
		c := isCJK(r)
		if len(cur) > 0 && c != curCJK {
			parts = append(parts, string(cur))
			cur = cur[:0]
		}
		cur, curCJK = append(cur, r), c
	}
	if len(cur) > 0 {
		parts = append(parts, string(cur))
	}
	return parts
}

// bigrams returns the overlapping two-character pieces of a CJK run; a single character stands alone.
func bigrams(run string) []string {
	rs := []rune(run)
	if len(rs) < 2 {
		return []string{run}
	}
	out := make([]string, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// Document returns the text to index for texts: folded words, with CJK runs written as their
// bigrams. "国际电信联盟" → "国际 际电 电信 信联 联盟".
func Document(texts ...string) string {
	var b strings.Builder
	for _, t := range texts {
		if folded, ok := foldASCII(t); ok {
			// Words of ASCII letters and digits, single spaces between them: no CJK runs to split.
			if folded != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(folded)
			}
			continue
		}
		for _, word := range strings.Fields(foldUnicode(t)) {
			for _, part := range split(word) {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				if isCJK([]rune(part)[0]) {
					b.WriteString(strings.Join(bigrams(part), " "))
				} else {
					b.WriteString(part)
				}
			}
		}
	}
	return b.String()
}

// Term is one thing a query must match: a word or its beginning (Prefix), for CJK text a phrase
// of consecutive bigrams, (Any) one of several exact tokens, or (Either) all the terms of at
// least one of several groups.
type Term struct {
	Words  []string // one word, or the bigrams of a CJK run in order
	Prefix bool     // match words that start with Words[0]
	Any    []string // instead of Words: any one of these tokens
	Either [][]Term // instead of Words: every term of one of these groups (none may be empty)
}

// maxTerms bounds the work one query can ask of the index.
const maxTerms = 12

// Parse turns what someone typed into the terms a document must all contain. Every word
// matches as a prefix ("tele" finds "telecom"); a CJK run must appear as a whole; a single CJK
// character matches the pieces that start with it.
func Parse(query string) []Term {
	var terms []Term
	for _, word := range strings.Fields(Fold(query)) {
		for _, part := range split(word) {
			if len(terms) == maxTerms {
				return terms
			}
			rs := []rune(part)
			switch {
			case isCJK(rs[0]) && len(rs) > 1:
				terms = append(terms, Term{Words: bigrams(part)})
			default:
				terms = append(terms, Term{Words: []string{part}, Prefix: true})
			}
		}
	}
	return terms
}

// FTS5 writes terms as an SQLite FTS5 MATCH expression: "word"* for a prefix, "ab bc" for a
// phrase, all of them required. Folded words hold only letters and digits, so quoting is safe.
func FTS5(terms []Term) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if len(t.Any) > 0 {
			parts[i] = `("` + strings.Join(t.Any, `" OR "`) + `")`
			continue
		}
		if len(t.Either) > 0 {
			parts[i] = either(t.Either, FTS5, " OR ")
			continue
		}
		parts[i] = `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " AND ")
}

// either writes groups of terms, each with write, as alternatives joined by or.
func either(groups [][]Term, write func([]Term) string, or string) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = "(" + write(g) + ")"
	}
	return "(" + strings.Join(parts, or) + ")"
}

// TSQuery writes terms as a PostgreSQL tsquery for the 'simple' configuration: 'word':* for a
// prefix, 'ab' <-> 'bc' for a phrase, joined with &.
func TSQuery(terms []Term) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if len(t.Any) > 0 {
			parts[i] = "('" + strings.Join(t.Any, "' | '") + "')"
			continue
		}
		if len(t.Either) > 0 {
			parts[i] = either(t.Either, TSQuery, " | ")
			continue
		}
		words := make([]string, len(t.Words))
		for j, w := range t.Words {
			words[j] = "'" + w + "'"
		}
		parts[i] = strings.Join(words, " <-> ")
		if t.Prefix {
			parts[i] += ":*"
		}
	}
	return strings.Join(parts, " & ")
}

// Similarity compares two names by their indexed pieces (Jaccard index of the sets of folded
// words and CJK bigrams): 1 for the same name whatever its case and accents, 0 for nothing in
// common. "Fondation Kestrel" and "Kestrel Foundation" share half their words: 1/3.
func Similarity(a, b string) float64 {
	wa, wb := strings.Fields(Document(a)), strings.Fields(Document(b))
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	set := map[string]int{}
	for _, w := range wa {
		set[w] |= 1
	}
	for _, w := range wb {
		set[w] |= 2
	}
	both := 0
	for _, v := range set {
		if v == 3 {
			both++
		}
	}
	return float64(both) / float64(len(set))
}
