package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// catalogue is read once for the many resolvers of the tests.
var catalogue = sync.OnceValues(i18n.Load)

// testResolver builds a resolver from the shipped reference lists, as a fresh database holds them,
// and the catalogues' headings.
func testResolver(t testing.TB) *importer.Resolver {
	t.Helper()
	bundle, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	countries, err := reference.DefaultCountries()
	if err != nil {
		t.Fatal(err)
	}
	currencies, err := reference.DefaultCurrencies()
	if err != nil {
		t.Fatal(err)
	}
	labels, err := reference.DefaultLabels()
	if err != nil {
		t.Fatal(err)
	}
	codes, set := reference.CodeSet{}, reference.LabelSet{}
	label := func(list, code, lang, text string) {
		if set[list] == nil {
			set[list] = map[string]reference.Labels{}
		}
		if set[list][code] == nil {
			set[list][code] = reference.Labels{}
		}
		set[list][code][lang] = text
	}
	for _, c := range countries {
		codes.Add(reference.ListCountry, c.Code)
		label(reference.ListCountry, c.Code, "en", c.Names["en"])
	}
	for _, c := range currencies {
		codes.Add(reference.ListCurrency, c.Code)
		label(reference.ListCurrency, c.Code, "en", c.Names["en"])
	}
	for _, l := range labels {
		codes.Add(l.List, l.Code)
		label(l.List, l.Code, l.Lang, l.Text)
	}
	return importer.NewResolver(codes, set, countries, bundle.Texts)
}

// memory is a set of stored partners for the plan.
type memory map[string]*partner.Partner

func (m memory) existing(_ context.Context, keys []string) (map[string]*partner.Partner, error) {
	found := map[string]*partner.Partner{}
	for _, k := range keys {
		if p, ok := m[k]; ok {
			found[k] = p
		}
	}
	return found, nil
}

func check(t *testing.T, file string, stored memory) *importer.Result {
	t.Helper()
	return checkBytes(t, []byte(file), stored)
}

func checkBytes(t *testing.T, file []byte, stored memory) *importer.Result {
	t.Helper()
	res, err := importer.CheckPartners(t.Context(), bytes.NewReader(file), importer.Options{Resolver: testResolver(t), Existing: stored.existing})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func problemLines(res *importer.Result) []string {
	var lines []string
	for _, p := range res.Problems {
		lines = append(lines, fmt.Sprintf("%d %s %s %v", p.Row, p.Column, p.Message.Key, p.Message.Args))
	}
	return lines
}

func TestResolve(t *testing.T) {
	rs := testResolver(t)
	tests := []struct {
		list, value, want string
	}{
		{reference.ListPartnerType, "foundation", "foundation"},
		{reference.ListPartnerType, "Foundation", "foundation"},
		{reference.ListPartnerType, "PRIVATE", "private"},
		{reference.ListPartnerType, "Private sector", "private"},
		{reference.ListPartnerType, "development_bank", "development_bank"},
		{reference.ListPartnerType, "Development Bank", "development_bank"},
		{reference.ListPartnerType, "NGO / civil society", "ngo"},
		{reference.ListPartnerType, "un_agency", "un_agency"},
		{reference.ListMembership, "Sector Member", "sector_member"},
		{reference.ListMembership, "none", "none"},
		{reference.ListActionArea, "Climate Change & e-Waste", "climate_ewaste"},
		{reference.ListActionArea, "capacity building", "capacity_building"},
		{reference.ListFinancingType, "In-kind contribution", "in_kind"},
		{reference.ListFinancingType, "in_kind", "in_kind"},
		{reference.ListRegion, "asp", "ASP"},
		{reference.ListRegion, "Asia-Pacific", "ASP"},
		{reference.ListRegion, "Arab States", "ARB"},
		{reference.ListCountry, "ch", "CH"},
		{reference.ListCountry, "CHE", "CH"},
		{reference.ListCountry, "sen", "SN"},
		{reference.ListCountry, "Switzerland", "CH"},
		{reference.ListCountry, "cote d'ivoire", "CI"},
		{reference.ListCountry, "Côte d’Ivoire", "CI"},
		{importer.ListStatus, "Active", "active"},
		{importer.ListStatus, "DORMANT", "dormant"},
		// What names nothing, or something in another list.
		{reference.ListPartnerType, "charity", ""},
		{reference.ListPartnerType, "", ""},
		{reference.ListPartnerType, "member_state", ""},
		{reference.ListCountry, "XX", ""},
		{reference.ListCountry, "Atlantis", ""},
		{reference.ListRegion, "Africa;Europe", ""},
		{importer.ListStatus, "closed", ""},
	}
	for _, tt := range tests {
		got, ok := rs.Resolve(tt.list, tt.value)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Resolve(%s, %q) = %q, %t; want %q", tt.list, tt.value, got, ok, tt.want)
		}
	}
}

// A label two codes share names neither; their codes still do.
func TestResolveAmbiguousLabel(t *testing.T) {
	codes := reference.CodeSet{}
	codes.Add(reference.ListPartnerType, "a")
	codes.Add(reference.ListPartnerType, "b")
	labels := reference.LabelSet{reference.ListPartnerType: {"a": {"en": "Same"}, "b": {"en": "same"}}}
	rs := importer.NewResolver(codes, labels, nil, nil)
	if code, ok := rs.Resolve(reference.ListPartnerType, "Same"); ok {
		t.Errorf("an ambiguous label resolved to %q", code)
	}
	if code, _ := rs.Resolve(reference.ListPartnerType, "B"); code != "b" {
		t.Errorf("code b resolved to %q", code)
	}
}

func TestCheckReadsEveryColumnIntoThePartner(t *testing.T) {
	file := "\uFEFFKey,Name,name_fr,NAME_ZH,name_ar,name_es,name_ru,Acronym,Type,Membership,Country,Website,Mandate,Strategy,Action areas,regions,countries,financing_types,status,agreements\n" +
		"Digital-Futures,Digital Futures Fund,Fonds pour l'avenir numérique,数字未来基金,صندوق المستقبل الرقمي,Fondo Futuros Digitales,Фонд цифрового будущего," +
		"DFF,Foundation,sector member,CHE,https://dff.example.org,\"Connect every school.\r\nEverywhere.\",Grants.," +
		"capacity_building; Infrastructure ,AFR;Europe;;,sn;KEN;Senegal,grant;In-kind contribution,Prospect,12\n"
	res := check(t, file, nil)
	if !res.OK() {
		t.Fatalf("problems: %v", problemLines(res))
	}
	if got, want := res.Ignored, []string{"agreements"}; !slices.Equal(got, want) {
		t.Errorf("ignored %v, want %v", got, want)
	}
	if len(res.Columns) != len(partner.Columns) {
		t.Errorf("columns %v, want all of %v", res.Columns, partner.Columns)
	}
	if len(res.Creates) != 1 || res.Creates[0].Row != 2 {
		t.Fatalf("creates %+v, want row 2", res.Creates)
	}
	got := res.Creates[0].Partner
	want := &partner.Partner{
		Key: "digital-futures",
		Texts: map[string]partner.Text{
			"en": {Name: "Digital Futures Fund", Acronym: "DFF", Mandate: "Connect every school.\nEverywhere.", Strategy: "Grants."},
			"fr": {Name: "Fonds pour l'avenir numérique"},
			"zh": {Name: "数字未来基金"},
			"ar": {Name: "صندوق المستقبل الرقمي"},
			"es": {Name: "Fondo Futuros Digitales"},
			"ru": {Name: "Фонд цифрового будущего"},
		},
		Type: "foundation", Membership: "sector_member", Country: "CH", Website: "https://dff.example.org", Status: "prospect",
		ActionAreas: []string{"capacity_building", "infrastructure"}, Regions: []string{"AFR", "EUR"},
		Countries: []string{"SN", "KE"}, FinancingTypes: []string{"grant", "in_kind"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("partner\n%+v\nwant\n%+v", got, want)
	}
}

// The same rows from a CSV with semicolons, a UTF-16 text file and a workbook give the same partners.
func TestCheckReadsEveryFormatAlike(t *testing.T) {
	header := []string{"status", "name", "key", "type", "membership", "regions"}
	rows := [][]string{{"active", "Union", "itu", "un_agency", "none", "AFR;EUR"}, {"dormant", "Programme", "undp", "UN agency", "None", "GLO"}}
	csvLines := func(sep string) string {
		lines := []string{strings.Join(header, sep)}
		for _, r := range rows {
			lines = append(lines, strings.Join(r, sep))
		}
		return strings.Join(lines, "\r\n")
	}
	semicolon := strings.ReplaceAll(csvLines(";"), "AFR;EUR", `"AFR;EUR"`)
	book := map[int][]any{1: toAny(header)}
	for i, r := range rows {
		book[i+2] = toAny(r)
	}
	files := map[string][]byte{
		"comma":     []byte(csvLines(",")),
		"semicolon": []byte(semicolon),
		"utf-16":    utf16LE(csvLines("\t")),
		"xlsx":      workbook(t, book),
	}
	var first []*partner.Partner
	for name, data := range files {
		res := checkBytes(t, data, nil)
		if !res.OK() {
			t.Fatalf("%s: problems %v", name, problemLines(res))
		}
		creates, _ := res.Changes()
		if len(creates) != 2 || creates[1].Type != "un_agency" || creates[1].Status != "dormant" || !slices.Equal(creates[0].Regions, []string{"AFR", "EUR"}) {
			t.Errorf("%s: partners %+v %+v", name, creates[0], creates[1])
		}
		if first == nil {
			first = creates
		} else if !reflect.DeepEqual(creates, first) {
			t.Errorf("%s reads differently: %+v, want %+v", name, creates, first)
		}
	}
}

func toAny(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	return out
}

const header = "key,name,type,membership,status"

func TestCheckReportsEveryProblemByRowAndColumn(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"empty file", "", []string{"1  import.error.empty []"}},
		{"missing required columns", "Key,Name,Country\nitu,Union,CH\n", []string{
			"1 type import.error.missing_column [column type]",
			"1 membership import.error.missing_column [column membership]",
			"1 status import.error.missing_column [column status]",
		}},
		{"a column twice", "key,name,type,membership,status,Name\n", []string{"1 name import.error.duplicate_column [column name]"}},
		{"required values", header + "\n,,,,\nitu,,foundation,none,active\n", []string{
			"3 name import.error.required []",
		}},
		{"every required value missing", header + ",country\n,,,,,CH\n", []string{
			"2 key import.error.required []",
			"2 name import.error.required []",
			"2 type import.error.required []",
			"2 membership import.error.required []",
			"2 status import.error.required []",
		}},
		{"key shape", header + "\nitu fund,ITU,foundation,none,active\nab,AB,foundation,none,active\n-x-,X,foundation,none,active\n", []string{
			"2 key import.error.key [value itu fund]",
			"3 key import.error.key [value ab]",
			"4 key import.error.key [value -x-]",
		}},
		{"reserved key", header + "\nImport,ITU,foundation,none,active\n", []string{"2 key import.error.key_reserved [value import]"}},
		{"duplicate keys", header + "\nitu,ITU,foundation,none,active\nundp,UNDP,un_agency,none,active\n\nITU,ITU again,foundation,none,active\n", []string{
			"5 key import.error.duplicate_key [key itu row 2]",
		}},
		{"unknown codes", header + ",regions,action_areas,financing_types\nitu,ITU,charity,gold,closed,AFR;Atlantis;EUR;Mars,ai,grant\n", []string{
			"2 type import.error.unknown_value [value charity]",
			"2 membership import.error.unknown_value [value gold]",
			"2 status import.error.unknown_value [value closed]",
			"2 regions import.error.unknown_value [value Atlantis]",
			"2 regions import.error.unknown_value [value Mars]",
			"2 action_areas import.error.unknown_value [value ai]",
		}},
		{"countries", header + ",country,countries\nitu,ITU,foundation,none,active,Helvetia,SN;XYZ\n", []string{
			"2 country import.error.country [value Helvetia]",
			"2 countries import.error.country [value XYZ]",
		}},
		{"websites", header + ",website\na-1,A,foundation,none,active,www.example.org\na-2,B,foundation,none,active,https://\n" +
			"a-3,C,foundation,none,active,ftp://example.org\na-4,D,foundation,none,active,https://exa mple.org\na-5,E,foundation,none,active,http://example.org/x\n", []string{
			"2 website import.error.website [value www.example.org]",
			"3 website import.error.website [value https://]",
			"4 website import.error.website [value ftp://example.org]",
			"5 website import.error.website [value https://exa mple.org]",
		}},
		{"not CSV from a row on", header + "\nitu,ITU,foundation,none,active\nundp,\"UNDP,un_agency,none,active\n", []string{
			"3  import.error.csv []",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := check(t, tt.file, nil)
			got := problemLines(res)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if res.ProblemCount != len(tt.want) || res.OK() {
				t.Errorf("count %d, OK %t; want %d, false", res.ProblemCount, res.OK(), len(tt.want))
			}
		})
	}
}

func TestCheckListsAThousandProblemsAndCountsThemAll(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "p-%04d,Partner %d,charity,none,active\n", i, i)
	}
	res := check(t, b.String(), nil)
	if len(res.Problems) != importer.MaxProblems || res.ProblemCount != 1500 {
		t.Errorf("%d problems listed of %d, want %d of 1500", len(res.Problems), res.ProblemCount, importer.MaxProblems)
	}
	if last := res.Problems[len(res.Problems)-1]; last.Row != importer.MaxProblems+1 {
		t.Errorf("last problem listed is on row %d, want %d", last.Row, importer.MaxProblems+1)
	}
}

// stored is a partner as the store holds it, with fields an import file does not carry.
func stored() *partner.Partner {
	return &partner.Partner{
		ID: 7, Key: "dff", Version: 3,
		Texts: map[string]partner.Text{
			"en": {Name: "Digital Futures Fund", Acronym: "DFF", Mandate: "Connect every school.\r\nEverywhere.", Strategy: "Grants."},
			"fr": {Name: "Fonds numérique", Acronym: "FN", Mandate: "Connecter chaque école."},
		},
		Type: "foundation", Membership: "none", Country: "CH", Website: "https://dff.example.org", Status: "active",
		ParentID: 2, OwnerID: 5, Notes: "Met at WTDC-17.", FinancingMechanisms: "Trust fund",
		ActionAreas: []string{"infrastructure", "capacity_building"}, Regions: []string{"AFR", "EUR"},
		Countries: []string{"KE", "SN"}, FinancingTypes: []string{"grant"}, Tags: []string{"schools"},
		Contacts: []partner.Contact{{ID: 1, Name: "Zoé Martin"}},
	}
}

func TestPlan(t *testing.T) {
	db := memory{"dff": stored()}
	full := strings.Join(partner.Columns, ",") + "\n"
	row := func(p *partner.Partner) string {
		var cells []string
		for _, c := range p.Row() {
			cells = append(cells, `"`+strings.ReplaceAll(c, `"`, `""`)+`"`)
		}
		return strings.Join(cells, ",") + "\n"
	}

	t.Run("the exported row of a stored partner changes nothing", func(t *testing.T) {
		res := check(t, full+row(stored()), db)
		if len(res.Unchanged) != 1 || len(res.Updates)+len(res.Creates) != 0 || !res.OK() {
			t.Errorf("unchanged %d, updates %+v, creates %d, problems %v", len(res.Unchanged), res.Updates, len(res.Creates), problemLines(res))
		}
	})

	t.Run("labels, case, order and spaces are no change", func(t *testing.T) {
		file := "status,regions,key,name,type,membership,action_areas,countries\n" +
			"Active, europe ; Africa,DFF, Digital Futures Fund ,Foundation,None,Capacity Building;infrastructure;infrastructure,sen;Kenya\n"
		res := check(t, file, db)
		if len(res.Unchanged) != 1 || !res.OK() {
			t.Errorf("unchanged %d, updates %+v, problems %v", len(res.Unchanged), res.Updates, problemLines(res))
		}
	})

	t.Run("an update sets the file's columns and keeps everything else", func(t *testing.T) {
		file := "key,name,name_fr,name_zh,type,membership,status,regions\n" +
			"dff,Digital Futures Fund,Fonds pour l'avenir,数字未来基金,foundation,sector_member,active,\n"
		res := check(t, file, db)
		if len(res.Updates) != 1 || !res.OK() {
			t.Fatalf("updates %+v, problems %v", res.Updates, problemLines(res))
		}
		u := res.Updates[0]
		if want := []string{"name_fr", "name_zh", "membership", "regions"}; u.Row != 2 || !slices.Equal(u.Changed, want) {
			t.Errorf("row %d changed %v, want row 2 and %v", u.Row, u.Changed, want)
		}
		want := stored()
		want.Texts["fr"] = partner.Text{Name: "Fonds pour l'avenir", Acronym: "FN", Mandate: "Connecter chaque école."}
		want.Texts["zh"] = partner.Text{Name: "数字未来基金"}
		want.Membership, want.Regions = "sector_member", nil
		if !reflect.DeepEqual(u.Partner, want) {
			t.Errorf("update\n%+v\nwant\n%+v", u.Partner, want)
		}
		if before := stored(); !reflect.DeepEqual(db["dff"], before) {
			t.Errorf("the plan changed the stored partner: %+v", db["dff"])
		}
		// Importing the same file over the updated partner changes nothing.
		again := check(t, file, memory{"dff": u.Partner})
		if len(again.Unchanged) != 1 || len(again.Updates) != 0 {
			t.Errorf("second import: unchanged %d, updates %+v", len(again.Unchanged), again.Updates)
		}
	})

	t.Run("an empty cell clears a name in another language", func(t *testing.T) {
		res := check(t, "key,name,name_fr,type,membership,status\ndff,Digital Futures Fund,,foundation,none,active\n", db)
		if len(res.Updates) != 1 {
			t.Fatalf("updates %+v", res.Updates)
		}
		if got, want := res.Updates[0].Partner.Texts["fr"], (partner.Text{Acronym: "FN", Mandate: "Connecter chaque école."}); got != want {
			t.Errorf("French text %+v, want %+v", got, want)
		}
	})

	t.Run("new keys are created", func(t *testing.T) {
		res := check(t, header+"\nnew-fund,New Fund,private,none,prospect\ndff,Digital Futures Fund,foundation,none,dormant\n", db)
		if len(res.Creates) != 1 || res.Creates[0].Partner.Key != "new-fund" || res.Creates[0].Row != 2 {
			t.Errorf("creates %+v", res.Creates)
		}
		if len(res.Updates) != 1 || res.Updates[0].Row != 3 || !slices.Equal(res.Updates[0].Changed, []string{"status"}) ||
			res.Updates[0].Partner.Version != 3 || res.Updates[0].Partner.ID != 7 {
			t.Errorf("updates %+v", res.Updates)
		}
	})
}

func TestPlanRefusesChangesThePersonMayNotMake(t *testing.T) {
	db := memory{"dff": stored()}
	opts := importer.Options{Resolver: testResolver(t), Existing: db.existing, MayUpdate: func(p *partner.Partner) bool { return p.Country != "CH" }}
	file := header + "\nnew-fund,New Fund,private,none,prospect\ndff,Digital Futures Fund,foundation,none,dormant\n"
	res, err := importer.CheckPartners(t.Context(), strings.NewReader(file), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := problemLines(res), []string{"3 key import.error.not_allowed [key dff]"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	// Leaving it as it is, is allowed.
	res, err = importer.CheckPartners(t.Context(), strings.NewReader(header+"\ndff,Digital Futures Fund,foundation,none,active\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Unchanged) != 1 {
		t.Errorf("problems %v, unchanged %d", problemLines(res), len(res.Unchanged))
	}
}

func TestTemplatesImportAsEmptyFiles(t *testing.T) {
	var csvFile, xlsxFile bytes.Buffer
	if err := importer.PartnerTemplate.WriteCSV(&csvFile); err != nil {
		t.Fatal(err)
	}
	if err := importer.PartnerTemplate.WriteXLSX(&xlsxFile, testResolver(t)); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"csv": csvFile.Bytes(), "xlsx": xlsxFile.Bytes()} {
		res := checkBytes(t, data, nil)
		if !res.OK() || res.Rows != 0 || !slices.Equal(res.Columns, partner.Columns) || len(res.Ignored) != 0 {
			t.Errorf("%s template: problems %v, %d rows, columns %v, ignored %v", name, problemLines(res), res.Rows, res.Columns, res.Ignored)
		}
	}
}
