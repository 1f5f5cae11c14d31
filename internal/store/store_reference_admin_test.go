package store_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

func mustReferenceItems(t *testing.T, db *store.DB, list string) map[string]reference.Item {
	t.Helper()
	items, _ := mustReferenceList(t, db, list)
	return items
}

// mustReferenceList returns a list's items by code, and their codes in the order given.
func mustReferenceList(t *testing.T, db *store.DB, list string) (map[string]reference.Item, []string) {
	t.Helper()
	items, err := db.ReferenceItems(t.Context(), list)
	if err != nil {
		t.Fatalf("reference list %s: %v", list, err)
	}
	byCode := map[string]reference.Item{}
	var codes []string
	for _, it := range items {
		byCode[it.Code] = it
		codes = append(codes, it.Code)
	}
	return byCode, codes
}

func TestReferenceItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Regions: in report order, each labelled in the six languages.
		regions, codes := mustReferenceList(t, db, reference.ListRegion)
		equal(t, "regions in order", codes, reference.Regions)
		for i, code := range codes {
			it := regions[code]
			if it.SortOrder != i+1 || it.Detail != "" {
				t.Errorf("region %s: sort order %d, detail %q; want %d and none", code, it.SortOrder, it.Detail, i+1)
			}
			for _, lang := range reference.Languages {
				if it.Labels[lang] == "" {
					t.Errorf("region %s has no label in %s", code, lang)
				}
			}
		}
		equal(t, "labels of ARB", regions["ARB"].Labels, reference.Labels{
			"ar": "الدول العربية", "en": "Arab States", "es": "Estados Árabes",
			"fr": "États arabes", "ru": "Арабские государства", "zh": "阿拉伯国家",
		})

		// Action areas: in report order, their DAC sectors as detail, in code order.
		areas, codes := mustReferenceList(t, db, reference.ListActionArea)
		var wantAreas []string
		for _, a := range reference.ActionAreas {
			wantAreas = append(wantAreas, a.Code)
		}
		equal(t, "action areas in order", codes, wantAreas)
		for code, want := range map[string]string{
			"capacity_building": "11430 22010",
			"cybersecurity":     "15210 22040",
			"emergency_telecom": "22020 74020",
			"climate_ewaste":    "14050 41010",
			"statistics":        "16062",
		} {
			if got := areas[code].Detail; got != want {
				t.Errorf("DAC sectors of %s = %q, want %q", code, got, want)
			}
		}
		if got := areas["capacity_building"].Labels["zh"]; got != "能力建设" {
			t.Errorf("capacity_building in Chinese = %q, want 能力建设", got)
		}

		// Partner types: their IATI organisation type.
		types, codes := mustReferenceList(t, db, reference.ListPartnerType)
		var wantTypes []string
		for _, pt := range reference.PartnerTypes {
			wantTypes = append(wantTypes, pt.Code)
		}
		equal(t, "partner types in order", codes, wantTypes)
		for code, want := range map[string]string{"government": "10", "ngo": "21", "foundation": "60", "private": "70", "academia": "80"} {
			if got := types[code].Detail; got != want {
				t.Errorf("IATI type of %s = %q, want %q", code, got, want)
			}
		}

		// Currencies: by code, their minor units.
		currencies, codes := mustReferenceList(t, db, reference.ListCurrency)
		if !slices.IsSorted(codes) || len(codes) < 100 {
			t.Errorf("%d currencies, sorted %v; want the ISO 4217 list by code", len(codes), slices.IsSorted(codes))
		}
		for code, want := range map[string]string{"EUR": "2", "USD": "2", "JPY": "0", "XOF": "0", "KWD": "3"} {
			if got := currencies[code].Detail; got != want {
				t.Errorf("minor units of %s = %q, want %q", code, got, want)
			}
		}
		if got := currencies["EUR"].Labels["zh"]; got != "欧元" {
			t.Errorf("EUR in Chinese = %q, want 欧元", got)
		}

		// Countries: by code, their ITU region; other economies have none.
		countries, codes := mustReferenceList(t, db, reference.ListCountry)
		if len(codes) != 249 || !slices.IsSorted(codes) {
			t.Errorf("%d countries, sorted %v; want 249 by code", len(codes), slices.IsSorted(codes))
		}
		for code, want := range map[string]string{"SN": "AFR", "EG": "ARB", "PS": "ARB", "BR": "AMS", "JP": "ASP", "CH": "EUR", "TW": ""} {
			if got := countries[code].Detail; got != want {
				t.Errorf("region of %s = %q, want %q", code, got, want)
			}
		}
		if got := countries["SN"].Labels["fr"]; got != "Sénégal" {
			t.Errorf("SN in French = %q, want Sénégal", got)
		}

		_, err := db.ReferenceItems(t.Context(), "planets")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestSaveReferenceItem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true))
		asAdmin := asActor(t, admin)
		trail := func(list, code string) []audit.Entry {
			t.Helper()
			entries, _ := mustAuditEntries(t, db, audit.Filter{Entity: "reference_" + list, EntityKey: code})
			return entries
		}

		// Labels are trimmed; an emptied label is removed and readers fall back to English.
		arb := reference.Item{Code: "ARB", Detail: "not editable", Labels: reference.Labels{
			"ar": "الدول العربية", "en": "  Arab States region ", "es": " ",
			"fr": "États arabes", "ru": "Арабские государства", "zh": "阿拉伯国家",
		}}
		if err := db.SaveReferenceItem(asAdmin, reference.ListRegion, arb); err != nil {
			t.Fatal(err)
		}
		got := mustReferenceItems(t, db, reference.ListRegion)["ARB"]
		equal(t, "labels of ARB after saving", got.Labels, reference.Labels{
			"ar": "الدول العربية", "en": "Arab States region",
			"fr": "États arabes", "ru": "Арабские государства", "zh": "阿拉伯国家",
		})
		if got.Detail != "" {
			t.Errorf("detail of region ARB = %q, want none", got.Detail)
		}
		labels, err := db.Labels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if es := labels.Label(reference.ListRegion, "ARB", "es"); es != "Arab States region" {
			t.Errorf("ARB in Spanish = %q, want the English label", es)
		}
		entries := trail(reference.ListRegion, "ARB")
		if len(entries) != 1 || entries[0].Action != audit.ActionUpdate || entries[0].Actor != "admin" {
			t.Fatalf("trail of ARB: %v, want one update by admin", entryLines(entries))
		}
		equal(t, "changes recorded for ARB", entries[0].Changes, audit.Changes{
			"label_en": {Before: "Arab States", After: "Arab States region"},
			"label_es": {Before: "Estados Árabes", After: nil},
		})

		// Refused: no English label, a language Pactum does not have, an unknown code or list.
		noEnglish := arb
		noEnglish.Labels = reference.Labels{"en": "   ", "fr": "États arabes (modifié)"}
		wantField(t, db.SaveReferenceItem(asAdmin, reference.ListRegion, noEnglish), apperr.Invalid, "label_en")
		german := arb
		german.Labels = reference.Labels{"en": "Arab States", "de": "Arabische Staaten"}
		wantField(t, db.SaveReferenceItem(asAdmin, reference.ListRegion, german), apperr.Invalid, "label_de")
		wantCode(t, db.SaveReferenceItem(asAdmin, reference.ListRegion, reference.Item{Code: "OE", Labels: reference.Labels{"en": "Other"}}), apperr.NotFound)
		wantCode(t, db.SaveReferenceItem(asAdmin, "planets", reference.Item{Code: "ARB", Labels: reference.Labels{"en": "Arab States"}}), apperr.NotFound)
		equal(t, "labels of ARB after refused saves", mustReferenceItems(t, db, reference.ListRegion)["ARB"].Labels, got.Labels)
		if n := len(trail(reference.ListRegion, "ARB")); n != 1 {
			t.Errorf("%d entries for ARB after refused saves, want 1", n)
		}

		// A country's region is not edited here.
		sn := mustReferenceItems(t, db, reference.ListCountry)["SN"]
		sn.Labels["en"], sn.Detail = "Senegal (Republic of)", "EUR"
		if err := db.SaveReferenceItem(asAdmin, reference.ListCountry, sn); err != nil {
			t.Fatal(err)
		}
		if got := mustReferenceItems(t, db, reference.ListCountry)["SN"]; got.Detail != "AFR" || got.Labels["en"] != "Senegal (Republic of)" || got.Labels["fr"] != "Sénégal" {
			t.Errorf("SN after saving = region %q, en %q, fr %q; want AFR, the new English label, Sénégal", got.Detail, got.Labels["en"], got.Labels["fr"])
		}
		if entries := trail(reference.ListCountry, "SN"); len(entries) != 1 {
			t.Errorf("trail of SN: %v, want one update", entryLines(entries))
		} else {
			equal(t, "changes recorded for SN", entries[0].Changes, audit.Changes{"label_en": {Before: "Senegal", After: "Senegal (Republic of)"}})
		}

		// Action areas: five-digit DAC sectors only.
		ict := mustReferenceItems(t, db, reference.ListActionArea)["ict_applications"]
		for _, bad := range []string{"2204", "220400", "2204X", "22040 1143", "22040,11430"} {
			ict.Detail = bad
			wantField(t, db.SaveReferenceItem(asAdmin, reference.ListActionArea, ict), apperr.Invalid, "detail")
		}
		if got := mustReferenceItems(t, db, reference.ListActionArea)["ict_applications"].Detail; got != "22040" {
			t.Errorf("DAC sectors of ict_applications after refused saves = %q, want 22040", got)
		}
		ict.Detail = "11430 22040"
		if err := db.SaveReferenceItem(asAdmin, reference.ListActionArea, ict); err != nil {
			t.Fatal(err)
		}
		if got := mustReferenceItems(t, db, reference.ListActionArea)["ict_applications"].Detail; got != "11430 22040" {
			t.Errorf("DAC sectors of ict_applications = %q, want 11430 22040", got)
		}
		if entries := trail(reference.ListActionArea, "ict_applications"); len(entries) != 1 {
			t.Errorf("trail of ict_applications: %v, want one update", entryLines(entries))
		} else {
			equal(t, "changes recorded for ict_applications", entries[0].Changes, audit.Changes{"detail": {Before: "22040", After: "11430 22040"}})
		}

		// Partner types: the IATI type is a number.
		foundation := mustReferenceItems(t, db, reference.ListPartnerType)["foundation"]
		for _, bad := range []string{"", "6O", "sixty", "-60", "60 "} {
			foundation.Detail = bad
			wantField(t, db.SaveReferenceItem(asAdmin, reference.ListPartnerType, foundation), apperr.Invalid, "detail")
		}
		foundation.Detail = "21"
		if err := db.SaveReferenceItem(asAdmin, reference.ListPartnerType, foundation); err != nil {
			t.Fatal(err)
		}
		if got := mustReferenceItems(t, db, reference.ListPartnerType)["foundation"].Detail; got != "21" {
			t.Errorf("IATI type of foundation = %q, want 21", got)
		}
		if entries := trail(reference.ListPartnerType, "foundation"); len(entries) != 1 {
			t.Errorf("trail of foundation: %v, want one update", entryLines(entries))
		} else {
			equal(t, "changes recorded for foundation", entries[0].Changes, audit.Changes{"detail": {Before: "60", After: "21"}})
		}
	})
}

// The trail says what was stored: DAC sectors typed in another order or twice are stored once, in
// code order, and the entry must show that — or nothing, when the set did not change.
func TestSaveReferenceItemRecordsTheStoredSectors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		areas := mustReferenceItems(t, db, reference.ListActionArea)
		capacity := areas["capacity_building"] // 11430 22010
		capacity.Detail = "22010 11430"
		if err := db.SaveReferenceItem(t.Context(), reference.ListActionArea, capacity); err != nil {
			t.Fatal(err)
		}
		if got := mustReferenceItems(t, db, reference.ListActionArea)["capacity_building"].Detail; got != "11430 22010" {
			t.Errorf("DAC sectors of capacity_building = %q, want 11430 22010", got)
		}
		if entries, _ := mustAuditEntries(t, db, audit.Filter{EntityKey: "capacity_building"}); len(entries) != 0 {
			t.Errorf("saving the same sectors in another order recorded %v with changes %v, want nothing", entryLines(entries), entries[0].Changes)
		}

		ict := areas["ict_applications"] // 22040
		ict.Detail = "22040 11430 22040"
		if err := db.SaveReferenceItem(t.Context(), reference.ListActionArea, ict); err != nil {
			t.Fatal(err)
		}
		stored := mustReferenceItems(t, db, reference.ListActionArea)["ict_applications"].Detail
		if stored != "11430 22040" {
			t.Errorf("DAC sectors of ict_applications = %q, want 11430 22040", stored)
		}
		entries, _ := mustAuditEntries(t, db, audit.Filter{EntityKey: "ict_applications"})
		if len(entries) != 1 {
			t.Fatalf("trail of ict_applications: %v, want one update", entryLines(entries))
		}
		equal(t, "recorded change of ict_applications", entries[0].Changes["detail"], audit.Change{Before: "22040", After: stored})
	})
}

// A database made when only 15 currencies had names in six languages (the others English only)
// gains every missing name on the next load, and shipped names that changed are brought up to
// date, but a label an administrator edited or cleared stays as they left it.
func TestLoadReferenceDefaultsCompletesCurrencyNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		asAdmin := asActor(t, mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true)))
		// What the earlier release loaded: its English names, and six languages for CHF and JPY.
		earlier := map[string]reference.Labels{
			"AFN": {"en": "Afghani"},
			"THB": {"en": "Baht"},
			"CHF": {"ar": "فرنك سويسري", "en": "Swiss franc", "es": "franco suizo", "fr": "franc suisse", "ru": "швейцарский франк", "zh": "瑞士法郎"},
			"JPY": {"ar": "ين ياباني", "en": "Japanese yen", "es": "yen japonés", "fr": "yen japonais", "ru": "японская иена", "zh": "日元"},
		}
		for code, it := range mustReferenceItems(t, db, reference.ListCurrency) {
			labels, ok := earlier[code]
			if !ok {
				labels = reference.Labels{"en": it.Labels["en"]}
			}
			if err := db.SetShippedLabels(ctx, reference.ListCurrency, code, labels); err != nil {
				t.Fatal(err)
			}
		}
		// An administrator renames the baht in English and French, and clears the Russian name of
		// the Swiss franc so that Russian readers see the English one.
		if err := db.SaveReferenceItem(asAdmin, reference.ListCurrency, reference.Item{Code: "THB",
			Labels: reference.Labels{"en": "Thai baht (THB)", "fr": "baht (Thaïlande)"}}); err != nil {
			t.Fatal(err)
		}
		chf := mustReferenceItems(t, db, reference.ListCurrency)["CHF"]
		delete(chf.Labels, "ru")
		if err := db.SaveReferenceItem(asAdmin, reference.ListCurrency, chf); err != nil {
			t.Fatal(err)
		}

		if err := db.LoadReferenceDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		currencies := mustReferenceItems(t, db, reference.ListCurrency)
		for code, it := range currencies {
			for _, lang := range reference.Languages {
				if it.Labels[lang] == "" && (code != "CHF" || lang != "ru") {
					t.Errorf("currency %s has no label in %s after the load", code, lang)
				}
			}
		}
		for _, l := range []struct{ code, lang, want string }{
			{"THB", "en", "Thai baht (THB)"},  // edited: kept
			{"THB", "fr", "baht (Thaïlande)"}, // edited: kept
			{"THB", "ar", "باخت تايلاندي"},    // missing: CLDR's
			{"THB", "zh", "泰铢"},
			{"AFN", "en", "Afghan Afghani"}, // shipped, never edited: the new shipped name
			{"AFN", "ru", "афгани"},
			{"CHF", "en", "Swiss Franc"},
			{"CHF", "ru", ""}, // cleared by the administrator: stays cleared
			{"JPY", "zh", "日元"},
		} {
			if got := currencies[l.code].Labels[l.lang]; got != l.want {
				t.Errorf("%s in %s after the load = %q, want %q", l.code, l.lang, got, l.want)
			}
		}

		// Loading once more changes nothing.
		if err := db.LoadReferenceDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		equal(t, "currencies after loading again", mustReferenceItems(t, db, reference.ListCurrency), currencies)
	})
}

func TestCurrencyRatesNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		defaults, err := reference.DefaultRates()
		if err != nil {
			t.Fatal(err)
		}
		var want []reference.Rate
		for _, r := range defaults {
			if r.Currency == "EUR" {
				want = append(want, r)
			}
		}
		slices.Reverse(want) // rates.csv lists them oldest first
		got, err := db.CurrencyRates(t.Context(), "EUR")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "EUR rates", got, want)
		if len(got) == 0 || got[0].ValidFrom != civil.MustParse("2026-01-01") || got[0].USDPerUnit != 1.16 {
			t.Errorf("newest EUR rate = %+v, want 1.16 from 2026-01-01", got[0])
		}
		if got, err := db.CurrencyRates(t.Context(), "KWD"); err != nil || len(got) != 0 {
			t.Errorf("rates of KWD = %v, %v; want none shipped", got, err)
		}
	})
}

func TestSaveRate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := mustCreateUser(t, db, newUser("admin", user.RoleAdmin, true))
		asAdmin := asActor(t, admin)
		eurRates := func() []reference.Rate {
			t.Helper()
			list, err := db.CurrencyRates(ctx, "EUR")
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		rateOn := func(currency, day string) float64 {
			t.Helper()
			rates, err := db.Rates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r, ok := rates.USDPerUnit(currency, civil.MustParse(day))
			if !ok {
				return 0
			}
			return r
		}
		shipped := len(eurRates())
		midYear := civil.MustParse("2016-07-01")

		// A new rate mid-year: listed between the yearly ones, recorded as created.
		if err := db.SaveRate(asAdmin, reference.Rate{Currency: "EUR", ValidFrom: midYear, USDPerUnit: 1.2}); err != nil {
			t.Fatal(err)
		}
		list := eurRates()
		if len(list) != shipped+1 {
			t.Fatalf("%d EUR rates after adding one, want %d", len(list), shipped+1)
		}
		i := slices.IndexFunc(list, func(r reference.Rate) bool { return r.ValidFrom == midYear })
		if i <= 0 || i+1 >= len(list) || list[i].USDPerUnit != 1.2 ||
			list[i-1].ValidFrom != civil.MustParse("2017-01-01") || list[i+1].ValidFrom != civil.MustParse("2016-01-01") {
			t.Errorf("EUR rates around 2016-07-01: %+v, want 1.2 between the 2017 and 2016 rates", list[max(i-1, 0):min(i+2, len(list))])
		}
		entry := onlyAuditEntry(t, db, audit.Filter{Entity: "currency_rate", EntityKey: "EUR 2016-07-01"})
		if entry.Action != audit.ActionCreate || entry.Actor != "admin" {
			t.Errorf("new rate recorded as %s by %q, want create by admin", entry.Action, entry.Actor)
		}
		equal(t, "changes of the new rate", entry.Changes, audit.Changes{"usd_per_unit": {After: 1.2}})

		// Conversions use it from its date until the next rate (rates.csv: 1.107 from 2016, 1.129 from 2017).
		for day, want := range map[string]float64{"2016-06-30": 1.107, "2016-07-01": 1.2, "2016-12-31": 1.2, "2017-01-01": 1.129} {
			if got := rateOn("EUR", day); got != want {
				t.Errorf("EUR on %s = %v, want %v", day, got, want)
			}
		}
		if got := money.Amount(100000).Convert(rateOn("EUR", "2016-07-01")); got != 120000 { // EUR 1,000.00 → USD 1,200.00
			t.Errorf("EUR 1000.00 on 2016-07-01 = USD %s, want 1200.00", got)
		}

		// The same date again replaces the rate, recorded as an update.
		if err := db.SaveRate(asAdmin, reference.Rate{Currency: "EUR", ValidFrom: midYear, USDPerUnit: 1.25}); err != nil {
			t.Fatal(err)
		}
		if n := len(eurRates()); n != shipped+1 {
			t.Errorf("%d EUR rates after replacing one, want %d", n, shipped+1)
		}
		if got := rateOn("EUR", "2016-08-15"); got != 1.25 {
			t.Errorf("EUR on 2016-08-15 after the replacement = %v, want 1.25", got)
		}
		entries, total := mustAuditEntries(t, db, audit.Filter{Entity: "currency_rate", EntityKey: "EUR 2016-07-01"})
		if total != 2 || entries[0].Action != audit.ActionUpdate {
			t.Fatalf("trail of the EUR rate: %v, want an update after the creation", entryLines(entries))
		}
		equal(t, "changes of the replacement", entries[0].Changes, audit.Changes{"usd_per_unit": {Before: 1.2, After: 1.25}})

		// A currency without rates gets its first one.
		if err := db.SaveRate(asAdmin, reference.Rate{Currency: "KWD", ValidFrom: civil.MustParse("2024-01-01"), USDPerUnit: 3.25}); err != nil {
			t.Fatal(err)
		}
		if got := rateOn("KWD", "2023-12-31"); got != 0 {
			t.Errorf("KWD on 2023-12-31 = %v, want no rate before the first", got)
		}
		if got := rateOn("KWD", "2024-06-30"); got != 3.25 {
			t.Errorf("KWD on 2024-06-30 = %v, want 3.25", got)
		}

		// Refused, with the field at fault, and nothing stored or recorded.
		for _, c := range []struct {
			name  string
			rate  reference.Rate
			field string
		}{
			{"US dollars", reference.Rate{Currency: "USD", ValidFrom: midYear, USDPerUnit: 1}, "currency"},
			{"an unknown currency", reference.Rate{Currency: "ZZZ", ValidFrom: midYear, USDPerUnit: 1}, "currency"},
			{"a zero rate", reference.Rate{Currency: "EUR", ValidFrom: midYear, USDPerUnit: 0}, "usd_per_unit"},
			{"a negative rate", reference.Rate{Currency: "EUR", ValidFrom: midYear, USDPerUnit: -1.1}, "usd_per_unit"},
			{"not a number", reference.Rate{Currency: "EUR", ValidFrom: midYear, USDPerUnit: math.NaN()}, "usd_per_unit"},
			{"no date", reference.Rate{Currency: "EUR", USDPerUnit: 1.3}, "valid_from"},
		} {
			err := db.SaveRate(asAdmin, c.rate)
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v, want refused as invalid", c.name, err)
				continue
			}
			wantField(t, err, apperr.Invalid, c.field)
		}
		if n := len(eurRates()); n != shipped+1 {
			t.Errorf("%d EUR rates after refused saves, want %d", n, shipped+1)
		}
		if got := rateOn("EUR", "2016-07-01"); got != 1.25 {
			t.Errorf("EUR on 2016-07-01 after refused saves = %v, want 1.25", got)
		}
		for _, code := range []string{"USD", "ZZZ"} {
			if list, err := db.CurrencyRates(ctx, code); err != nil || len(list) != 0 {
				t.Errorf("rates of %s after a refused save: %v, %v; want none", code, list, err)
			}
		}
		if entries, _ := mustAuditEntries(t, db, audit.Filter{Entity: "currency_rate"}); len(entries) != 3 {
			t.Errorf("rate entries after refused saves: %v, want the 3 accepted ones", strings.Join(entryLines(entries), "; "))
		}
	})
}
