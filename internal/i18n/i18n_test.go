package i18n_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"pactum/internal/civil"
	"pactum/internal/i18n"
	"pactum/internal/money"
)

func load(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pluralFormsOf finds the plural forms a language really uses, by asking CLDR's rules about
// whole numbers and decimals.
func pluralFormsOf(lang string) []plural.Form {
	tag := language.MustParse(lang)
	seen := map[plural.Form]bool{}
	for i := 0; i <= 1000; i++ {
		seen[plural.Cardinal.MatchPlural(tag, i, 0, 0, 0, 0)] = true
		seen[plural.Cardinal.MatchPlural(tag, i, 1, 1, 5, 5)] = true // i.5
	}
	var forms []plural.Form
	for f := range seen {
		forms = append(forms, f)
	}
	slices.Sort(forms)
	return forms
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func placeholders(s string) []string {
	found := placeholder.FindAllString(s, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

// Every catalogue has every English key, no key English lacks, no empty text, the plural forms
// its language needs, and the same placeholders as English.
func TestCataloguesAreComplete(t *testing.T) {
	b := load(t)
	en := b.Catalog("en")
	for _, lang := range i18n.Languages {
		c := b.Catalog(lang)
		wantForms := pluralFormsOf(lang)
		for _, key := range en.Keys() {
			enForms := en.Forms(key)
			forms := c.Forms(key)
			if len(enForms) > 0 {
				if !slices.Equal(forms, wantForms) {
					t.Errorf("%s %s: plural forms %v, want %v", lang, key, forms, wantForms)
				}
				continue
			}
			text, ok := c.Text(key)
			if !ok {
				t.Errorf("%s: missing or empty key %s", lang, key)
				continue
			}
			enText, _ := en.Text(key)
			if got, want := placeholders(text), placeholders(enText); !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, want %v as in English", lang, key, got, want)
			}
			if lang != "en" && text == enText && !untranslatable(enText) && !sameAsEnglish[lang+" "+key] {
				t.Errorf("%s %s: same text as English %q", lang, key, text)
			}
		}
		for _, key := range c.Keys() {
			if _, ok := en.Text(key); !ok && len(en.Forms(key)) == 0 {
				t.Errorf("%s: key %s is not in the English catalogue", lang, key)
			}
		}
	}
}

// sameAsEnglish lists the texts that are rightly the same word in a language as in English.
var sameAsEnglish = map[string]bool{
	"fr admin.reference.code": true, // « Code »
	"fr audit.field.type":     true, // « Type »
}

// untranslatable texts are the same in every language: the product name and pure placeholders.
func untranslatable(s string) bool {
	return s == "Pactum" || strings.Trim(placeholder.ReplaceAllString(s, ""), " ") == ""
}

func TestPluralsFollowEachLanguage(t *testing.T) {
	b := load(t)
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 agreement"},
		{"en", 990, "990 agreements"},
		{"ru", 1, "1 соглашение"},
		{"ru", 3, "3 соглашения"},
		{"ru", 11, "11 соглашений"},
		{"ru", 21, "21 соглашение"},
		{"ar", 2, "اتفاقان"},
		{"ar", 5, "٥ اتفاقات"},
		{"ar", 11, "١١ اتفاقًا"},
		{"ar", 100, "١٠٠ اتفاق"},
		{"fr", 0, "0 accord"},
		{"zh", 2, "2 份协议"},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).N("start.agreements", c.count); got != c.want {
			t.Errorf("%s %d: got %q, want %q", c.lang, c.count, got, c.want)
		}
	}
}

// A message carried as a key and arguments (a field error) is translated by T, which takes the
// plural form of its count.
func TestTChoosesThePluralFormOfItsCount(t *testing.T) {
	b := load(t)
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "Please shorten this to at most 1 character."},
		{"en", 300, "Please shorten this to at most 300 characters."},
		{"ru", 1, "Сократите текст до 1 символа."},
		{"ru", 64, "Сократите текст до 64 символов."},
		{"ar", 2, "يُرجى اختصار هذا النص إلى حرفين كحدٍّ أقصى."},
		{"ar", 64, "يُرجى اختصار هذا النص إلى ٦٤ حرفًا كحدٍّ أقصى."},
		{"fr", 20000, "Veuillez raccourcir ce texte à 20\u00a0000 caractères au plus."},
	}
	for _, c := range cases {
		if got := b.Localizer(c.lang).T("error.too_long", "count", c.count); got != c.want {
			t.Errorf("%s %d: got %q, want %q", c.lang, c.count, got, c.want)
		}
	}
}

func TestNumbersMoneyAndDatesFollowTheLocale(t *testing.T) {
	b := load(t)
	day := civil.MustParse("2016-03-14")
	amount := money.FromUnits(36_600_000)
	cases := []struct {
		lang, number, money, date string
	}{
		{"en", "27.5", "USD\u00a036,600,000.00", "14 March 2016"},
		{"fr", "27,5", "36\u00a0600\u00a0000,00\u00a0USD", "14 mars 2016"},
		{"es", "27,5", "36.600.000,00\u00a0USD", "14 de marzo de 2016"},
		{"ru", "27,5", "36\u00a0600\u00a0000,00\u00a0USD", "14 марта 2016 г."},
		{"zh", "27.5", "USD\u00a036,600,000.00", "2016年3月14日"},
		{"ar", "٢٧٫٥", "٣٦٬٦٠٠٬٠٠٠٫٠٠\u00a0USD", "١٤ مارس ٢٠١٦"},
	}
	for _, c := range cases {
		l := b.Localizer(c.lang)
		if got := l.Decimal(27.5, 2); got != c.number {
			t.Errorf("%s number: got %q, want %q", c.lang, got, c.number)
		}
		if got := l.Money(amount, "USD"); got != c.money {
			t.Errorf("%s money: got %q, want %q", c.lang, got, c.money)
		}
		if got := l.Date(day); got != c.date {
			t.Errorf("%s date: got %q, want %q", c.lang, got, c.date)
		}
	}
}

func TestAcceptLanguageChoosesASupportedLanguage(t *testing.T) {
	b := load(t)
	cases := map[string]string{
		"":                          "en",
		"fr-CH, fr;q=0.9, en;q=0.8": "fr",
		"de-DE, de;q=0.9":           "en",
		"zh-CN,zh;q=0.9":            "zh",
		"ar-EG":                     "ar",
		"pt-BR, es;q=0.5":           "es",
		"garbage;;;":                "en",
	}
	for header, want := range cases {
		if got := b.Match(header); got != want {
			t.Errorf("Accept-Language %q: got %s, want %s", header, got, want)
		}
	}
}

func TestArabicIsRightToLeft(t *testing.T) {
	b := load(t)
	for _, lang := range i18n.Languages {
		want := "ltr"
		if lang == "ar" {
			want = "rtl"
		}
		if got := b.Localizer(lang).Dir(); got != want {
			t.Errorf("%s: dir %s, want %s", lang, got, want)
		}
	}
}

// A moment is written in UTC with the reader's digits for the time as for the date, and the zone
// in the reader's words.
func TestDateTimesFollowTheLocale(t *testing.T) {
	b := load(t)
	at := time.Date(2026, 11, 28, 4, 44, 15, 0, time.FixedZone("CET", 3600))
	cases := []struct{ lang, seconds, minutes string }{
		{"en", "28 November 2026, 03:44:15 UTC", "28 November 2026, 03:44 UTC"},
		{"fr", "28 novembre 2026 à 03:44:15 UTC", "28 novembre 2026 à 03:44 UTC"},
		{"es", "28 de noviembre de 2026, a las 03:44:15 UTC", "28 de noviembre de 2026, a las 03:44 UTC"},
		{"ru", "28 ноября 2026 г. в 03:44:15 UTC", "28 ноября 2026 г. в 03:44 UTC"},
		{"zh", "2026年11月28日 03:44:15（协调世界时）", "2026年11月28日 03:44（协调世界时）"},
		{"ar", "٢٨ نوفمبر ٢٠٢٦، الساعة ٠٣:٤٤:١٥ بالتوقيت العالمي المنسق", "٢٨ نوفمبر ٢٠٢٦، الساعة ٠٣:٤٤ بالتوقيت العالمي المنسق"},
	}
	for _, c := range cases {
		l := b.Localizer(c.lang)
		if got := l.DateTime(at, true); got != c.seconds {
			t.Errorf("%s with seconds: got %q, want %q", c.lang, got, c.seconds)
		}
		if got := l.DateTime(at, false); got != c.minutes {
			t.Errorf("%s to the minute: got %q, want %q", c.lang, got, c.minutes)
		}
	}
}
