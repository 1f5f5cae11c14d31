package importer_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/importer"
	"pactum/internal/money"
	"pactum/internal/reference"
)

// registry is a memory store of agreements, partners and officers for the checks and imports of
// agreement files: a lookup and a writer, as the store's import transaction is.
type registry struct {
	byRef    map[string]*agreement.Agreement
	partners map[string]int64
	officers map[string]int64
	nextID   int64
	batches  int // WriteAgreements calls
}

func newRegistry() *registry {
	return &registry{byRef: map[string]*agreement.Agreement{}, nextID: 100,
		partners: map[string]int64{"itu": 1, "sahel-telecom": 2, "nordic-fund": 3},
		officers: map[string]int64{"amina": 7}}
}

func cloneAgreement(a *agreement.Agreement) *agreement.Agreement {
	c := *a
	c.Titles = maps.Clone(a.Titles)
	c.Parties, c.Regions = slices.Clone(a.Parties), slices.Clone(a.Regions)
	c.Countries, c.OtherActionAreas = slices.Clone(a.Countries), slices.Clone(a.OtherActionAreas)
	return &c
}

func (m *registry) AgreementsByReferences(_ context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	found := map[string]*agreement.Agreement{}
	for _, r := range refs {
		if a, ok := m.byRef[r]; ok {
			found[r] = cloneAgreement(a)
		}
	}
	return found, nil
}

func (m *registry) AgreementHeads(_ context.Context, refs []string) (map[string]*agreement.Agreement, error) {
	found := map[string]*agreement.Agreement{}
	for _, r := range refs {
		if a, ok := m.byRef[r]; ok {
			found[r] = &agreement.Agreement{ID: a.ID, Reference: a.Reference, Type: a.Type, DeletedAt: a.DeletedAt,
				Confidential: a.Confidential, OfficerID: a.OfficerID}
		}
	}
	return found, nil
}

func ids(known map[string]int64, names []string) map[string]int64 {
	found := map[string]int64{}
	for _, n := range names {
		if id, ok := known[n]; ok {
			found[n] = id
		}
	}
	return found
}

func (m *registry) PartnerIDs(_ context.Context, keys []string) (map[string]int64, error) {
	return ids(m.partners, keys), nil
}

func (m *registry) OfficerIDs(_ context.Context, usernames []string) (map[string]int64, error) {
	return ids(m.officers, usernames), nil
}

func (m *registry) WriteAgreements(_ context.Context, creates, updates []*agreement.Agreement, _ int) error {
	m.batches++
	for _, a := range creates {
		if _, taken := m.byRef[a.Reference]; taken {
			return fmt.Errorf("create %s: taken", a.Reference)
		}
		m.nextID++
		a.ID, a.Version = m.nextID, 1
		m.byRef[a.Reference] = cloneAgreement(a)
	}
	for _, a := range updates {
		stored := m.byRef[a.Reference]
		if stored == nil || stored.Version != a.Version || stored.ID != a.ID {
			return fmt.Errorf("update %s: not at version %d", a.Reference, a.Version)
		}
		a.Version++
		m.byRef[a.Reference] = cloneAgreement(a)
	}
	return nil
}

// byID returns the stored agreement with id.
func (m *registry) byID(id int64) *agreement.Agreement {
	for _, a := range m.byRef {
		if a.ID == id {
			return a
		}
	}
	return nil
}

var today = civil.MustParse("2026-11-27")

// testRates are the rates of the tests: euros and Swiss francs from 2015, euros again from 2016.
var testRates = reference.NewRateTable([]reference.Rate{
	{Currency: "EUR", ValidFrom: civil.MustParse("2015-01-01"), USDPerUnit: 1.1},
	{Currency: "EUR", ValidFrom: civil.MustParse("2016-01-01"), USDPerUnit: 1.05},
	{Currency: "CHF", ValidFrom: civil.MustParse("2015-01-01"), USDPerUnit: 1.02},
})

func agreementOptions(t testing.TB, m *registry) importer.AgreementOptions {
	return importer.AgreementOptions{Resolver: testResolver(t), Rates: testRates, Today: today, Lookup: m, Keep: 5}
}

func checkAgreements(t *testing.T, file string, m *registry) *importer.AgreementResult {
	t.Helper()
	res, err := importer.CheckAgreements(t.Context(), strings.NewReader(file), agreementOptions(t, m))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// importFile imports a file into m and fails the test when it has problems.
func importFile(t *testing.T, file string, m *registry) *importer.AgreementResult {
	t.Helper()
	res, err := importer.ImportAgreements(t.Context(), strings.NewReader(file), agreementOptions(t, m), m)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("problems: %v", agreementProblems(res))
	}
	return res
}

func agreementProblems(res *importer.AgreementResult) []string {
	var lines []string
	for _, p := range res.Problems {
		lines = append(lines, fmt.Sprintf("%d %s %s %v", p.Row, p.Column, p.Message.Key, p.Message.Args))
	}
	return lines
}

const agreementHeader = "reference,title,type,partners,signed_on,start_on,end_on,status,amount,currency,regions,countries,action_area,amends,notes"

func TestImportReadsEveryColumnIntoTheAgreement(t *testing.T) {
	file := "\uFEFFReference,Title,Title FR,title_zh,Type,Partners,Signed on,start_on,end_on,Status,Amount,Currency,Regions," +
		"Countries,Action area,amends,Notes,In kind USD,Initiative,Office,Officer,Confidential,value_usd\n" +
		"ITU-VC-2015-017,Broadband for rural schools,Haut débit pour les écoles,农村学校宽带,Voluntary contribution," +
		"Nordic-Fund; itu:Implementing partner;sahel-telecom,2015-03-02,2015-04-01,2017-03-31,Active,\"250,000.50\",EUR," +
		"Africa:0.25;ASP:75%,SN;Kenya;SEN,capacity building,,\"Two lines\r\nof notes\",12000,Connect a school,afr,amina,yes,999\n"
	m := newRegistry()
	res := importFile(t, file, m)
	if got, want := res.Ignored, []string{"value_usd"}; !slices.Equal(got, want) {
		t.Errorf("ignored %v, want %v", got, want)
	}
	if res.Created != 1 || len(res.CreatedRows) != 1 || res.CreatedRows[0].Row != 2 {
		t.Fatalf("created %d %+v", res.Created, res.CreatedRows)
	}
	got := m.byRef["ITU-VC-2015-017"]
	want := &agreement.Agreement{
		ID: 101, Version: 1, Reference: "ITU-VC-2015-017",
		Titles: map[string]string{"en": "Broadband for rural schools", "fr": "Haut débit pour les écoles", "zh": "农村学校宽带"},
		Type:   "voluntary_contribution", Status: agreement.StatusActive,
		SignedOn: civil.MustParse("2015-03-02"), StartOn: civil.MustParse("2015-04-01"), EndOn: civil.MustParse("2017-03-31"),
		Amount: 25000050, Currency: "EUR", ValueUSD: money.Amount(25000050).Convert(1.1), InKindUSD: 1200000,
		PrimaryActionArea: "capacity_building",
		Parties: []agreement.Party{{PartnerID: 3, Role: agreement.RoleFunder, PartnerKey: "nordic-fund"},
			{PartnerID: 1, Role: agreement.RoleImplementing, PartnerKey: "itu"},
			{PartnerID: 2, Role: agreement.RoleCoSignatory, PartnerKey: "sahel-telecom"}},
		Regions:    []agreement.RegionShare{{Region: "AFR", Share: 0.25}, {Region: "ASP", Share: 0.75}},
		Countries:  []string{"SN", "KE"},
		Initiative: "Connect a school", OfficerID: 7, Office: "AFR", Confidential: true, Notes: "Two lines\nof notes",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("agreement\n%+v\nwant\n%+v", got, want)
	}
}

// The same rows from a CSV with semicolons and from a workbook give the same agreements.
func TestImportReadsCSVAndWorkbooksAlike(t *testing.T) {
	header := []string{"reference", "title", "type", "partners", "status", "currency", "regions", "action_area", "signed_on"}
	rows := [][]string{
		{"ITU-MOU-2016-002", "Cooperation in the Sahel", "mou", "sahel-telecom", "signed", "", "AFR;ARB", "generic", "2016-05-05"},
		{"ITU-LOI-2017-003", "Intent", "Letter of intent", "itu", "draft", "USD", "GLO", "innovation", ""},
	}
	var semicolon strings.Builder
	semicolon.WriteString(strings.Join(header, ";") + "\r\n")
	for _, r := range rows {
		semicolon.WriteString(strings.ReplaceAll(strings.Join(r, ";"), "AFR;ARB", `"AFR;ARB"`) + "\r\n")
	}
	book := map[int][]any{1: toAny(header)}
	for i, r := range rows {
		book[i+2] = toAny(r)
	}
	var first map[string]*agreement.Agreement
	for name, data := range map[string]string{"csv": semicolon.String(), "xlsx": string(workbook(t, book))} {
		m := newRegistry()
		importFile(t, data, m)
		if len(m.byRef) != 2 || m.byRef["ITU-MOU-2016-002"].Regions[1].Share != 0.5 || m.byRef["ITU-LOI-2017-003"].Type != "letter_of_intent" {
			t.Errorf("%s: %+v", name, m.byRef)
		}
		if first == nil {
			first = m.byRef
		} else if !reflect.DeepEqual(m.byRef, first) {
			t.Errorf("%s reads differently", name)
		}
	}
}

func TestCheckAgreementsReportsEveryProblemByRowAndColumn(t *testing.T) {
	const row = "ITU-1,Title,cooperation,itu,2015-01-01,,,signed,100,USD,AFR,,generic,,"
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"empty file", "", []string{"1  import.error.empty []"}},
		{"missing columns", "reference,title\nITU-1,T\n", []string{
			"1 type import.error.missing_column [column type]",
			"1 partners import.error.missing_column [column partners]",
			"1 status import.error.missing_column [column status]",
			"1 currency import.error.missing_column [column currency]",
			"1 regions import.error.missing_column [column regions]",
			"1 action_area import.error.missing_column [column action_area]",
		}},
		{"a column twice", agreementHeader + ",Title\n", []string{"1 title import.error.duplicate_column [column title]"}},
		{"required values", agreementHeader + "\n,,,,,,,,,,,,,,x\n", []string{
			"2 reference import.error.required []",
			"2 title import.error.required []",
			"2 type import.error.required []",
			"2 partners import.error.required []",
			"2 status import.error.required []",
			"2 regions import.error.required []",
			"2 action_area import.error.required []",
		}},
		{"references", agreementHeader + "\nITU 1,T,mou,itu,,,,draft,,,AFR,,generic,,\nimport,T,mou,itu,,,,draft,,,AFR,,generic,,\n" +
			row + "\n\n" + row + "\n", []string{
			"2 reference import.error.reference [value ITU 1 max 64]",
			"3 reference import.error.reference [value import max 64]",
			"6 reference import.error.duplicate_reference [reference ITU-1 row 4]",
		}},
		{"codes and values", agreementHeader + ",office,confidential,amendment_kind,in_kind_usd,officer\n" +
			"ITU-1,T,pact,itu;sahel-telecom:patron;itu;ghost,2015-02-30,1/2/2015,,closed,\"1,5\",Gold,AFR:0.3;Atlantis;EUR:x;ASP:0.5;ASP:0.2,SN;Mars,ai,,," +
			"GLO,maybe,extension,-5,nobody\n", []string{
			"2 type import.error.unknown_value [value pact]",
			"2 partners import.error.role [value patron]",
			"2 partners import.error.twice [value itu]",
			"2 partners import.error.partner [key ghost]",
			"2 signed_on import.error.date [value 2015-02-30]",
			"2 start_on import.error.date [value 1/2/2015]",
			"2 status import.error.unknown_value [value closed]",
			"2 amount import.error.amount [value 1,5]",
			"2 currency import.error.unknown_value [value Gold]",
			"2 regions import.error.unknown_value [value Atlantis]",
			"2 regions import.error.share [value x]",
			"2 regions import.error.twice [value ASP]",
			"2 countries import.error.country [value Mars]",
			"2 action_area import.error.unknown_value [value ai]",
			"2 office import.error.unknown_value [value GLO]",
			"2 confidential import.error.yes_no [value maybe]",
			"2 amendment_kind import.error.unknown_value [value extension]",
			"2 in_kind_usd error.negative []",
			"2 officer import.error.officer [value nobody]",
		}},
		{"shares", agreementHeader + "\nITU-1,T,mou,itu,,,,draft,,,AFR:0.5;EUR,,generic,,\nITU-2,T,mou,itu,,,,draft,,,AFR:0.5;EUR:0.4,,generic,,\n", []string{
			"2 regions import.error.shares_mixed []",
			"3 regions agreement.error.shares []",
		}},
		{"the rules of every save", agreementHeader + ",amendment_kind\n" +
			"ITU-1,T,cooperation,itu,,2016-01-01,2015-01-01,signed,-10,USD,AFR,,generic,,,\n" +
			"ITU-2,T,mou,itu,,,,draft,,,AFR,,generic,,,added_funds\n" +
			"ITU-3,T,cooperation,itu,2015-01-01,,,signed,100,,AFR,,generic,,,\n", []string{
			"2 signed_on agreement.error.signed_on_required []",
			"2 end_on agreement.error.end_before_start []",
			"2 amount error.negative []",
			"3 amendment_kind import.error.only_amendment []",
			"4 currency import.error.required []",
		}},
		{"no rate", agreementHeader + "\nITU-1,T,cooperation,itu,2014-06-01,,,signed,100,EUR,AFR,,generic,,\nITU-2,T,cooperation,itu,2014-06-01,,,signed,0,EUR,AFR,,generic,,\n", []string{
			"2 currency agreement.error.no_rate [currency EUR date 2014-06-01]",
		}},
		{"not CSV from a row on", agreementHeader + "\n" + row + "\nITU-2,\"T,mou\n", []string{"3  import.error.csv []"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := checkAgreements(t, tt.file, newRegistry())
			if got := agreementProblems(res); !slices.Equal(got, tt.want) {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if res.ProblemCount != len(tt.want) || res.OK() {
				t.Errorf("count %d, OK %t; want %d, false", res.ProblemCount, res.OK(), len(tt.want))
			}
		})
	}
}

func TestCheckAgreementsListsAThousandProblemsAndCountsThemAll(t *testing.T) {
	var b strings.Builder
	b.WriteString(agreementHeader + "\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "ITU-%d,T,charity,itu,,,,draft,,,AFR,,generic,,\n", i)
	}
	res := checkAgreements(t, b.String(), newRegistry())
	if len(res.Problems) != importer.MaxProblems || res.ProblemCount != 2500 {
		t.Errorf("%d problems listed of %d, want %d of 2500", len(res.Problems), res.ProblemCount, importer.MaxProblems)
	}
	for i, p := range res.Problems {
		if p.Row != i+2 {
			t.Fatalf("problem %d is on row %d, want the first rows in order", i, p.Row)
		}
	}
}

func TestCheckAgreementsTakesLabelsAndCodesAlike(t *testing.T) {
	codes := agreementHeader + "\nITU-1,T,mou,itu:co_signatory;sahel-telecom:implementing_partner,2016-01-01,,,active,10,EUR,AFR;ARB,CI,emergency_telecom,,\n"
	labels := agreementHeader + "\nITU-1,T,Memorandum of Understanding,ITU:Co-signatory;Sahel-Telecom:Implementing partner,2016-01-01,,,Active,10.00,euro," +
		"Africa;Arab States,Côte d’Ivoire,Emergency Telecommunications,,\n"
	m := newRegistry()
	importFile(t, codes, m)
	res := checkAgreements(t, labels, m)
	if !res.OK() || res.Unchanged != 1 || res.Updated+res.Created != 0 {
		t.Errorf("labels: unchanged %d, updated %+v, problems %v", res.Unchanged, res.UpdatedRows, agreementProblems(res))
	}
}

func TestImportAmendments(t *testing.T) {
	t.Run("before and after the agreement they amend, and of stored agreements", func(t *testing.T) {
		m := newRegistry()
		importFile(t, agreementHeader+"\nITU-MOU-1,Framework,mou,itu,2015-01-01,,,signed,,,AFR,,generic,,\n", m)
		file := agreementHeader + "\n" +
			"ITU-VC-2-A1,More funds,amendment,nordic-fund,2016-02-01,,,signed,5000,CHF,AFR,,generic,ITU-VC-2,\n" +
			"ITU-VC-2,Contribution,voluntary_contribution,nordic-fund,2015-06-01,,2017-12-31,active,100000,CHF,AFR,,generic,,\n" +
			"ITU-VC-2-A2,Extension,amendment,nordic-fund,2016-03-01,,2018-12-31,active,,CHF,AFR,,generic,ITU-VC-2,\n" +
			"ITU-MOU-1-A1,Addendum,amendment,itu,2016-03-01,,,signed,,,AFR,,generic,ITU-MOU-1,\n"
		if res := checkAgreements(t, file, m); !res.OK() || res.Created != 4 {
			t.Fatalf("check: created %d, problems %v", res.Created, agreementProblems(res))
		}
		importFile(t, file, m)
		parent, mou := m.byRef["ITU-VC-2"], m.byRef["ITU-MOU-1"]
		for ref, want := range map[string]struct {
			amends int64
			kind   string
		}{
			"ITU-VC-2-A1": {parent.ID, agreement.KindAddedFunds}, "ITU-VC-2-A2": {parent.ID, agreement.KindNoCostExt},
			"ITU-MOU-1-A1": {mou.ID, agreement.KindNoCostExt},
		} {
			a := m.byRef[ref]
			if a == nil || a.AmendsID != want.amends || a.AmendmentKind != want.kind {
				t.Errorf("%s: %+v, want amending %d as %s", ref, a, want.amends, want.kind)
			}
		}
		if res := checkAgreements(t, file, m); res.Unchanged != 4 || !res.OK() {
			t.Errorf("again: unchanged %d, updates %+v, problems %v", res.Unchanged, res.UpdatedRows, agreementProblems(res))
		}
	})
	t.Run("what they cannot amend", func(t *testing.T) {
		m := newRegistry()
		importFile(t, agreementHeader+"\nOLD-1,Old,mou,itu,2015-01-01,,,signed,,,AFR,,generic,,\n"+
			"OLD-1-A1,Old addendum,amendment,itu,2015-02-01,,,signed,,,AFR,,generic,OLD-1,\n", m)
		m.byRef["GONE-1"] = &agreement.Agreement{ID: 50, Reference: "GONE-1", Type: "mou", DeletedAt: time.Now()}
		written := m.batches
		file := agreementHeader + "\n" +
			"A-1,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,NOWHERE-1,\n" +
			"A-2,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,OLD-1-A1,\n" +
			"A-3,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,A-4,\n" +
			"A-4,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,OLD-1,\n" +
			"A-5,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,A-5,\n" +
			"A-6,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,GONE-1,\n" +
			"A-7,T,amendment,itu,2016-01-01,,,signed,,,AFR,,generic,,\n" +
			"A-8,T,cooperation,itu,2016-01-01,,,signed,,,AFR,,generic,OLD-1,\n" +
			"GONE-1,T,mou,itu,2016-01-01,,,signed,,,AFR,,generic,,\n"
		want := []string{
			"2 amends import.error.amends_unknown [reference NOWHERE-1]",
			"3 amends import.error.amends_amendment [reference OLD-1-A1]",
			"4 amends import.error.amends_amendment [reference A-4]",
			"6 amends import.error.amends_amendment [reference A-5]",
			"7 amends import.error.deleted [reference GONE-1]",
			"8 amends agreement.error.amends []",
			"9 amends agreement.error.amends []",
			"10 reference import.error.deleted [reference GONE-1]",
		}
		for name, run := range map[string]func() (*importer.AgreementResult, error){
			"check": func() (*importer.AgreementResult, error) {
				return importer.CheckAgreements(t.Context(), strings.NewReader(file), agreementOptions(t, m))
			},
			"import": func() (*importer.AgreementResult, error) {
				return importer.ImportAgreements(t.Context(), strings.NewReader(file), agreementOptions(t, m), m)
			},
		} {
			res, err := run()
			if err != nil {
				t.Fatal(err)
			}
			if got := agreementProblems(res); !slices.Equal(got, want) {
				t.Errorf("%s: problems\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		if m.batches != written {
			t.Errorf("the import wrote %d batches with problems in its first rows", m.batches-written)
		}
	})
}

func TestImportAgainChangesNothingAndUpdatesWhatDiffers(t *testing.T) {
	m := newRegistry()
	file := agreementHeader + ",title_fr,officer\n" +
		"ITU-VC-1,Contribution,voluntary_contribution,nordic-fund;itu:implementing_partner,2015-06-01,2015-07-01,2017-06-30,active," +
		"1000,EUR,AFR;EUR,SN;KE,generic,,Notes,Contribution FR,amina\n" +
		"ITU-MOU-2,Framework,mou,itu,2016-01-01,,,signed,,,GLO,,innovation,,,,\n"
	importFile(t, file, m)
	stored := m.byRef["ITU-VC-1"]
	stored.OtherActionAreas, stored.FrameworkID = []string{"innovation"}, 3 // set on the form; the file has no column for them
	// The rate changed since: a row that does not change the amount keeps the value it was saved with.
	m.byRef["ITU-VC-1"].ValueUSD = 99
	res := importFile(t, file, m)
	if res.Unchanged != 2 || res.Created+res.Updated != 0 || m.batches != 2 {
		t.Fatalf("again: unchanged %d, created %d, updated %+v", res.Unchanged, res.Created, res.UpdatedRows)
	}
	if m.byRef["ITU-VC-1"].Version != 1 {
		t.Errorf("an unchanged row changed the version to %d", m.byRef["ITU-VC-1"].Version)
	}

	changed := "reference,title,type,partners,status,currency,regions,action_area,amount,title_fr,countries\n" +
		"ITU-VC-1, Contribution ,voluntary_contribution,nordic-fund;itu:implementing_partner,expired,EUR,EUR;AFR,generic,1500,,KE;SN\n"
	res = importFile(t, changed, m)
	if res.Updated != 1 || len(res.UpdatedRows) != 1 {
		t.Fatalf("updates %+v", res.UpdatedRows)
	}
	if got, want := res.UpdatedRows[0].Changed, []string{"status", "amount", "title_fr"}; !slices.Equal(got, want) {
		t.Errorf("changed %v, want %v", got, want)
	}
	got := m.byRef["ITU-VC-1"]
	want := cloneAgreement(stored)
	want.Status, want.Amount, want.ValueUSD, want.Version = agreement.StatusExpired, 150000, money.Amount(150000).Convert(1.1), 2
	delete(want.Titles, "fr")
	want.Countries = []string{"KE", "SN"}
	want.Regions = []agreement.RegionShare{{Region: "EUR", Share: 0.5}, {Region: "AFR", Share: 0.5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("updated\n%+v\nwant\n%+v", got, want)
	}
	if res := checkAgreements(t, changed, m); res.Unchanged != 1 {
		t.Errorf("the changed file again: %+v", res.UpdatedRows)
	}
}

func TestImportPricesUnsignedAgreementsAtTodaysRate(t *testing.T) {
	m := newRegistry()
	importFile(t, agreementHeader+"\nITU-D-1,Draft,cooperation,itu,,,,draft,200,EUR,AFR,,generic,,\n", m)
	if got, want := m.byRef["ITU-D-1"].ValueUSD, money.Amount(20000).Convert(1.05); got != want {
		t.Errorf("value %d, want %d at today's rate", got, want)
	}
}

// An empty currency cell means US dollars only for an agreement without an amount: a file with no
// amount column must not turn a stored amount in euros into dollars.
func TestImportEmptyCurrency(t *testing.T) {
	m := newRegistry()
	importFile(t, agreementHeader+"\nITU-VC-1,Contribution,voluntary_contribution,itu,2016-06-01,,,signed,1000,EUR,AFR,,generic,,\n"+
		"ITU-MOU-2,Framework,mou,itu,2016-01-01,,,signed,,,GLO,,innovation,,\n", m)
	if got := m.byRef["ITU-MOU-2"].Currency; got != "USD" {
		t.Errorf("an agreement without amount nor currency is in %q, want USD", got)
	}
	noAmount := "reference,title,type,partners,status,currency,regions,action_area\n" +
		"ITU-VC-1,Contribution,voluntary_contribution,itu,signed,,AFR,generic\n" +
		"ITU-MOU-2,Framework,mou,itu,signed,,GLO,innovation\n"
	res := checkAgreements(t, noAmount, m)
	if got, want := agreementProblems(res), []string{"2 currency import.error.required []"}; !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	if res.Unchanged != 1 {
		t.Errorf("the agreement without an amount: unchanged %d, want 1", res.Unchanged)
	}
	if got := checkAgreements(t, agreementHeader+"\nITU-X-3,T,mou,itu,2016-01-01,,,signed,5,,AFR,,generic,,\n", m); len(got.Problems) != 1 ||
		got.Problems[0].Column != "currency" {
		t.Errorf("an amount without a currency: %v", agreementProblems(got))
	}
}

func TestImportAsksWhoMayWrite(t *testing.T) {
	m := newRegistry()
	importFile(t, agreementHeader+"\nHQ-1,T,mou,itu,,,,draft,,,EUR,,generic,,\n", m)
	opts := agreementOptions(t, m)
	opts.MayWrite = func(stored, a *agreement.Agreement) bool {
		return (stored == nil || stored.Regions[0].Region == "AFR") && a.Regions[0].Region == "AFR"
	}
	file := agreementHeader + "\nAFR-1,T,mou,itu,,,,draft,,,AFR,,generic,,\nEUR-1,T,mou,itu,,,,draft,,,EUR,,generic,,\n" +
		"HQ-1,T,mou,itu,,,,draft,,,AFR,,generic,,\nHQ-1X,T,mou,itu,,,,draft,,,AFR,,generic,,\n"
	res, err := importer.CheckAgreements(t.Context(), strings.NewReader(file), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"3 reference import.error.agreement_not_allowed [reference EUR-1]",
		"4 reference import.error.agreement_not_allowed [reference HQ-1]",
	}
	if got := agreementProblems(res); !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
}

func TestImportAmendsOnlyWhatItsImporterMaySee(t *testing.T) {
	m := newRegistry()
	importFile(t, agreementHeader+"\nSECRET-1,T,mou,itu,,,,draft,,,AFR,,generic,,\n", m)
	m.byRef["SECRET-1"].Confidential = true
	amending := func(target string) string {
		return agreementHeader + "\nNEW-A1,More,amendment,itu,2025-01-10,,,signed,100,USD,AFR,,generic," + target + ",\n"
	}
	opts := agreementOptions(t, m)
	opts.MaySee = func(a *agreement.Agreement) bool { return !a.Confidential }
	for name, run := range map[string]func(file string) (*importer.AgreementResult, error){
		"check": func(file string) (*importer.AgreementResult, error) {
			return importer.CheckAgreements(t.Context(), strings.NewReader(file), opts)
		},
		"import": func(file string) (*importer.AgreementResult, error) {
			return importer.ImportAgreements(t.Context(), strings.NewReader(file), opts, m)
		},
	} {
		hidden, err := run(amending("SECRET-1"))
		if err != nil {
			t.Fatal(err)
		}
		unknown, err := run(amending("NOWHERE-1"))
		if err != nil {
			t.Fatal(err)
		}
		got, want := strings.ReplaceAll(strings.Join(agreementProblems(hidden), "\n"), "SECRET-1", "NOWHERE-1"), strings.Join(agreementProblems(unknown), "\n")
		if got != want || want == "" {
			t.Errorf("%s: amending a hidden agreement: %q; amending none: %q", name, agreementProblems(hidden), agreementProblems(unknown))
		}
	}
	if m.byRef["NEW-A1"] != nil {
		t.Errorf("the amendment of a hidden agreement was written")
	}
	// Without MaySee (the command), every agreement may be amended.
	if res := checkAgreements(t, amending("SECRET-1"), m); !res.OK() {
		t.Errorf("the command may not amend a confidential agreement: %v", agreementProblems(res))
	}
}

func TestImportReportsProgressAndKeepsTheFirstRows(t *testing.T) {
	var b strings.Builder
	b.WriteString(agreementHeader + "\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "ITU-%d,Agreement %d,mou,itu,,,,draft,,,AFR,,generic,,\n", i, i)
	}
	m := newRegistry()
	opts := agreementOptions(t, m)
	var progress []int
	opts.Progress = func(rows int) { progress = append(progress, rows) }
	res, err := importer.ImportAgreements(t.Context(), strings.NewReader(b.String()), opts, m)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2500 || res.Rows != 2500 || len(m.byRef) != 2500 || len(res.CreatedRows) != 5 || res.CreatedRows[4].Reference != "ITU-4" {
		t.Errorf("created %d of %d rows, stored %d, kept %+v", res.Created, res.Rows, len(m.byRef), res.CreatedRows)
	}
	if len(progress) < 2 || progress[len(progress)-1] != 2500 {
		t.Errorf("progress %v", progress)
	}
}

func TestAgreementTemplatesImportAsEmptyFiles(t *testing.T) {
	var csvFile, xlsxFile strings.Builder
	if err := importer.AgreementTemplate.WriteCSV(&csvFile); err != nil {
		t.Fatal(err)
	}
	if err := importer.AgreementTemplate.WriteXLSX(&xlsxFile, testResolver(t)); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"csv": csvFile.String(), "xlsx": xlsxFile.String()} {
		res := checkAgreements(t, data, newRegistry())
		if !res.OK() || res.Rows != 0 || !slices.Equal(res.Columns, importer.AgreementColumns) || len(res.Ignored) != 0 {
			t.Errorf("%s template: problems %v, %d rows, columns %v, ignored %v", name, agreementProblems(res), res.Rows, res.Columns, res.Ignored)
		}
	}
}

func TestResolveAgreementLists(t *testing.T) {
	rs := testResolver(t)
	for _, tt := range []struct{ list, value, want string }{
		{importer.ListAgreementStatus, "Negotiation", agreement.StatusNegotiation},
		{importer.ListPartyRole, "Implementing partner", agreement.RoleImplementing},
		{importer.ListPartyRole, "co-signatory", agreement.RoleCoSignatory},
		{importer.ListAmendmentKind, "No-cost extension", agreement.KindNoCostExt},
		{importer.ListAmendmentKind, "administrative_correction", agreement.KindAdministrative},
		{reference.ListAgreementType, "Project document", "project_document"},
	} {
		if got, _ := rs.Resolve(tt.list, tt.value); got != tt.want {
			t.Errorf("Resolve(%s, %q) = %q, want %q", tt.list, tt.value, got, tt.want)
		}
	}
}
