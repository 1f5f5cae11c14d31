// Package i18n translates Pactum into its six languages and writes numbers, money and dates the
// way each reader expects. Catalogues are JSON files in locales/, one per language, with dotted
// keys by area; English is the reference every other catalogue must match.
//
// A Localizer is made once per request and travels in the page data; nothing here binds a
// language into shared state, so concurrent requests in different languages cannot mix.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"pactum/internal/civil"
	"pactum/internal/money"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Languages are the UI languages, English first as the fallback.
var Languages = []string{"en", "ar", "es", "fr", "ru", "zh"}

// Fallback is the language used when no other can be chosen.
const Fallback = "en"

// PluralForms are the CLDR plural categories by name, as catalogues write them.
var PluralForms = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two, "few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// entry is one catalogue value: a plain text, or texts by plural form.
type entry struct {
	text   string
	plural map[plural.Form]string
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &e.text); err == nil {
		return nil
	}
	var forms map[string]string
	if err := json.Unmarshal(b, &forms); err != nil {
		return fmt.Errorf("want a text or an object of plural forms: %w", err)
	}
	e.plural = map[plural.Form]string{}
	for name, text := range forms {
		form, ok := PluralForms[name]
		if !ok {
			return fmt.Errorf("unknown plural form %q", name)
		}
		e.plural[form] = text
	}
	return nil
}

// Catalog holds one language's messages.
type Catalog struct {
	Lang     string
	messages map[string]entry
}

// Keys lists the catalogue's keys in order.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.messages))
	for k := range c.messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Forms returns the plural forms a key defines, or nil for a plain text.
func (c *Catalog) Forms(key string) []plural.Form {
	e := c.messages[key]
	var forms []plural.Form
	for f := range e.plural {
		forms = append(forms, f)
	}
	sort.Slice(forms, func(i, j int) bool { return forms[i] < forms[j] })
	return forms
}

// Text returns the raw text of a plain key and whether it exists and is not empty.
func (c *Catalog) Text(key string) (string, bool) {
	e, ok := c.messages[key]
	return e.text, ok && (e.text != "" || len(e.plural) > 0)
}

// Bundle holds every catalogue and chooses among them.
type Bundle struct {
	catalogs map[string]*Catalog
	matcher  language.Matcher
	tags     []language.Tag
}

// Load reads the embedded catalogues.
func Load() (*Bundle, error) {
	b := &Bundle{catalogs: map[string]*Catalog{}}
	for _, lang := range Languages {
		data, err := fs.ReadFile(localeFiles, path.Join("locales", lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", lang, err)
		}
		c := &Catalog{Lang: lang}
		if err := json.Unmarshal(data, &c.messages); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", lang, err)
		}
		b.catalogs[lang] = c
		b.tags = append(b.tags, language.MustParse(lang))
	}
	b.matcher = language.NewMatcher(b.tags)
	return b, nil
}

// Catalog returns the catalogue of lang, or nil.
func (b *Bundle) Catalog(lang string) *Catalog { return b.catalogs[lang] }

// Texts returns the text of a plain key in every language that has one, English first: all that a
// reader of any language may have been shown for it, so that it can be recognised when it comes
// back, as the heading of a column of an exported file does when the file is imported again.
func (b *Bundle) Texts(key string) []string {
	var texts []string
	for _, lang := range Languages {
		if e := b.catalogs[lang].messages[key]; e.text != "" {
			texts = append(texts, e.text)
		}
	}
	return texts
}

// Supported reports whether lang is one of the UI languages.
func (b *Bundle) Supported(lang string) bool { return b.catalogs[lang] != nil }

// Match chooses the best UI language for an Accept-Language header, or English.
func (b *Bundle) Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Fallback
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Fallback
	}
	_, index, confidence := b.matcher.Match(prefs...)
	if confidence == language.No {
		return Fallback
	}
	return Languages[index]
}

// Localizer speaks one language: it translates keys and formats values for one reader.
type Localizer struct {
	Lang    string
	tag     language.Tag
	catalog *Catalog
	english *Catalog
	printer *message.Printer
}

// Localizer returns the localizer of lang (English when lang is not supported).
func (b *Bundle) Localizer(lang string) *Localizer {
	if !b.Supported(lang) {
		lang = Fallback
	}
	tag := language.MustParse(lang)
	return &Localizer{Lang: lang, tag: tag, catalog: b.catalogs[lang], english: b.catalogs[Fallback], printer: message.NewPrinter(tag)}
}

// Dir is the writing direction of the language, for <html dir="…">.
func (l *Localizer) Dir() string {
	if l.Lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// lookup finds key in the reader's catalogue, then in English.
func (l *Localizer) lookup(key string) (entry, bool) {
	if e, ok := l.catalog.messages[key]; ok && (e.text != "" || len(e.plural) > 0) {
		return e, true
	}
	e, ok := l.english.messages[key]
	return e, ok
}

// T translates key, filling {name} placeholders from args given as name, value pairs. Numbers
// among the values are written in the reader's format. A missing key shows itself, so that it is
// noticed; the catalogue tests keep that from reaching users. A key with plural forms takes the
// form of its count argument, as with N: a message carried as a key and arguments (a field
// error, apperr.Message) is translated by T alone.
func (l *Localizer) T(key string, args ...any) string {
	e, ok := l.lookup(key)
	if !ok {
		return key
	}
	text := e.text
	if e.plural != nil {
		text = e.plural[plural.Other]
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == "count" {
				if t, ok := e.plural[l.pluralForm(args[i+1])]; ok {
					text = t
				}
				break
			}
		}
	}
	return l.fill(text, args)
}

// N translates a key with plural forms, choosing the form for count; {count} is the number.
func (l *Localizer) N(key string, count any, args ...any) string {
	e, ok := l.lookup(key)
	if !ok {
		return key
	}
	text := e.text
	if e.plural != nil {
		form := l.pluralForm(count)
		if t, ok := e.plural[form]; ok {
			text = t
		} else {
			text = e.plural[plural.Other]
		}
	}
	return l.fill(text, append([]any{"count", count}, args...))
}

// pluralForm returns the CLDR plural form of a count in the reader's language.
func (l *Localizer) pluralForm(count any) plural.Form {
	var f float64
	switch v := count.(type) {
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case float64:
		f = v
	default:
		return plural.Other
	}
	f = math.Abs(f)
	s := strconv.FormatFloat(f, 'f', -1, 64)
	intPart, fracPart, _ := strings.Cut(s, ".")
	i, _ := strconv.Atoi(intPart)
	fracDigits := 0
	if fracPart != "" {
		fracDigits, _ = strconv.Atoi(fracPart)
	}
	trimmed := strings.TrimRight(fracPart, "0")
	t, _ := strconv.Atoi("0" + trimmed)
	return plural.Cardinal.MatchPlural(l.tag, i, len(fracPart), len(trimmed), fracDigits, t)
}

func (l *Localizer) fill(text string, args []any) string {
	if len(args) < 2 || !strings.Contains(text, "{") {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		name, _ := args[i].(string)
		pairs = append(pairs, "{"+name+"}", l.format(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// format writes a placeholder value: numbers in the reader's format, the rest as text.
func (l *Localizer) format(v any) string {
	switch n := v.(type) {
	case int, int64, int32:
		return l.printer.Sprint(number.Decimal(n))
	case float64:
		return l.Decimal(n, 2)
	case fmt.Stringer:
		return n.String()
	default:
		return fmt.Sprint(v)
	}
}

// Int writes a whole number with the reader's digits and grouping.
func (l *Localizer) Int(n int) string { return l.printer.Sprint(number.Decimal(n)) }

// Decimal writes a number with at most maxFraction decimals.
func (l *Localizer) Decimal(v float64, maxFraction int) string {
	return l.printer.Sprint(number.Decimal(v, number.MaxFractionDigits(maxFraction)))
}

// suffixCurrency lists the languages that write the currency after the amount.
var suffixCurrency = map[string]bool{"ar": true, "es": true, "fr": true, "ru": true}

// Money writes an amount with its ISO currency code, on the side the language puts it.
func (l *Localizer) Money(a money.Amount, currency string) string {
	n := l.printer.Sprint(number.Decimal(a.Units(), number.MinFractionDigits(2), number.MaxFractionDigits(2)))
	if suffixCurrency[l.Lang] {
		return n + "\u00a0" + currency
	}
	return currency + "\u00a0" + n
}

// MoneyMillions writes a large amount in millions with one decimal, as reports do: "36.6".
func (l *Localizer) MoneyMillions(a money.Amount) string {
	return l.printer.Sprint(number.Decimal(a.Units()/1e6, number.MinFractionDigits(1), number.MaxFractionDigits(1)))
}

// Year writes a year with the reader's digits and no grouping: 2017, not 2,017.
func (l *Localizer) Year(y int) string {
	return l.printer.Sprint(number.Decimal(y, number.NoSeparator()))
}

// Date writes a date in the reader's long form, such as "14 March 2016" or "2016年3月14日".
func (l *Localizer) Date(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	month := l.T(fmt.Sprintf("date.month.%d", int(d.Month)))
	return l.T("date.long", "day", l.Int(d.Day), "month", month, "year", l.Year(d.Year))
}

// DateTime writes an instant as its date and time of day in UTC, such as "28 November 2026,
// 03:44 UTC": the time has the reader's digits like the date around it, and the zone is named in
// the reader's language. Seconds are shown when withSeconds, for records whose order within a
// minute matters, such as the audit trail.
func (l *Localizer) DateTime(t time.Time, withSeconds bool) string {
	t = t.UTC()
	two := func(n int) string { return l.printer.Sprint(number.Decimal(n, number.MinIntegerDigits(2))) }
	clock := two(t.Hour()) + ":" + two(t.Minute())
	if withSeconds {
		clock += ":" + two(t.Second())
	}
	return l.T("date.time_utc", "date", l.Date(civil.Of(t)), "time", clock)
}
