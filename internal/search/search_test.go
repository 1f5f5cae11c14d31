package search

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFoldIgnoresCaseAccentsAndLetterVariants(t *testing.T) {
	cases := map[string]string{
		"Télécoms-Société":                "telecoms societe",
		"ÉTATS ARABES":                    "etats arabes",
		"Fundación Cóndor, S.A.":          "fundacion condor s a",
		"Связь ЁЛКА":                      "связь елка",
		"الإتصالات":                       "الاتصالات",
		"أكاديمية الاتّصالات":             "اكاديميه الاتصالات",
		"مستشفى":                          "مستشفي",
		"ＰＡＣＴＵＭ　２０２６":                     "pactum 2026",
		"Straße":                          "strasse",
		"  many   spaces\tand\nnewlines ": "many spaces and newlines",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDocumentSplitsChineseIntoBigrams(t *testing.T) {
	cases := map[string]string{
		"国际电信联盟":        "国际 际电 电信 信联 联盟",
		"数字发展基金会 (DDF)": "数字 字发 发展 展基 基金 金会 ddf",
		"5G网络":          "5g 网络",
		"行":             "行",
	}
	for in, want := range cases {
		if got := Document(in); got != want {
			t.Errorf("Document(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Document("Orange", "橙子"); got != "orange 橙子" {
		t.Errorf("Document of two texts = %q", got)
	}
}

// A two-character Chinese word becomes one phrase term that matches the bigram the document has.
func TestQueryTermsMatchDocumentPieces(t *testing.T) {
	doc := strings.Fields(Document("中国电信发展基金会", "Fondation Télécom"))
	has := func(w string) bool {
		for _, d := range doc {
			if d == w {
				return true
			}
		}
		return false
	}
	for _, q := range []string{"电信", "发展基金", "telecom", "TÉLÉ"} {
		for _, term := range Parse(q) {
			for _, w := range term.Words {
				found := has(w)
				if term.Prefix {
					for _, d := range doc {
						found = found || strings.HasPrefix(d, w)
					}
				}
				if !found {
					t.Errorf("query %q: term word %q not in the document %v", q, w, doc)
				}
			}
		}
	}
}

func TestQueriesInBothDialects(t *testing.T) {
	terms := Parse("Télé 电信 發展中國家")
	if got, want := FTS5(terms), `"tele"* AND "电信" AND "發展 展中 中國 國家"`; got != want {
		t.Errorf("FTS5 = %s, want %s", got, want)
	}
	if got, want := TSQuery(terms), `'tele':* & '电信' & '發展' <-> '展中' <-> '中國' <-> '國家'`; got != want {
		t.Errorf("TSQuery = %s, want %s", got, want)
	}
	if len(Parse(strings.Repeat("word ", 100))) != maxTerms {
		t.Error("a long query is not cut to maxTerms terms")
	}
	if len(Parse(" ... --- !!! ")) != 0 {
		t.Error("punctuation alone gives terms")
	}
}

// ASCII text takes a path without Unicode's tables, which must fold it as the tables do: every
// character, and random strings of them.
func TestASCIIFoldsAsUnicodeDoes(t *testing.T) {
	var texts []string
	for c := range utf8.RuneSelf {
		texts = append(texts, string(rune(c)), "Ab"+string(rune(c))+"9z", string(rune(c))+" x "+string(rune(c)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(utf8.RuneSelf))
		}
		texts = append(texts, string(b))
	}
	for i, s := range texts {
		if got, want := Fold(s), foldUnicode(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
		other := texts[(i+1)%len(texts)]
		var words []string
		for _, w := range []string{foldUnicode(s), foldUnicode("€"), foldUnicode(other)} {
			if w != "" {
				words = append(words, w)
			}
		}
		if got, want := Document(s, "€", other), strings.Join(words, " "); got != want {
			t.Fatalf("Document(%q, €, %q) = %q, want %q", s, other, got, want)
		}
	}
}

// Folded text holds only lower-case letters, digits and single spaces, which is what makes
// the quoting of FTS5 and tsquery expressions safe.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Télécom", "\"quoted\" 'x'", "电信*", "a\x00b", "NEAR(a b)", "ـــ", "é́́́"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) is not valid UTF-8", s)
		}
		for _, r := range folded {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("Fold(%q) = %q holds %q", s, folded, r)
			}
		}
		if strings.Contains(folded, "  ") || strings.HasPrefix(folded, " ") || strings.HasSuffix(folded, " ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, folded)
		}
		expr := FTS5(Parse(s))
		if strings.Count(expr, `"`)%2 != 0 {
			t.Fatalf("FTS5 expression %s has unbalanced quotes", expr)
		}
	})
}
