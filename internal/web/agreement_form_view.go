package web

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/user"
)

type titleField struct {
	Lang, Name, Value, Error string
}

// OtherTitlesInvalid reports whether a title in another language than English has an error, so
// that the page opens their section.
func (v agreementFormView) OtherTitlesInvalid() bool {
	for _, t := range v.TitleFields {
		if t.Lang != "en" && t.Error != "" {
			return true
		}
	}
	return false
}

type partyRow struct {
	Index   int
	Number  int // counted from 1, for labels
	Partner string
	Roles   []option
}

type shareRow struct {
	Code, Label, Share string
	Checked            bool
}

// warningLink is an agreement or partner a warning of the form points to.
type warningLink struct {
	URL, Text, Detail string
}

// difference is a field that someone else saved differently while the form was open.
type difference struct {
	Label, Mine, Theirs string
}

type agreementFormView struct {
	page
	New         bool
	Form        agreementForm
	Errors      formErrors
	TitleFields []titleField
	PartyRows   []partyRow
	Types       []option
	Statuses    []option
	Currencies  []option
	Areas       []option
	OtherAreas  []checkOption
	Regions     []shareRow
	Countries   []option
	Kinds       []option
	Officers    []option
	Offices     []option
	// Before a new agreement is saved: partners whose due diligence is not in order, and active
	// agreements it may duplicate.
	Concerns    []warningLink
	Overlapping []warningLink
	// After a refused save that conflicts with someone else's: what they saved differently.
	Differences []difference
}

func (s *Server) agreementFormView(r *http.Request, isNew bool, form agreementForm, errs formErrors) (agreementFormView, error) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		return agreementFormView{}, err
	}
	l := lb.l
	titleKey := "agreement.edit"
	if isNew {
		titleKey = "agreements.new"
	}
	v := agreementFormView{page: s.newPage(r, titleKey), New: isNew, Form: form, Errors: errs}
	for _, lang := range append([]string{"en"}, slices.DeleteFunc(slices.Clone(reference.Languages), func(l string) bool { return l == "en" })...) {
		v.TitleFields = append(v.TitleFields, titleField{Lang: lang, Name: languageNames[lang], Value: form.Titles[lang], Error: errs.Fields["title_"+lang]})
	}
	for i := range len(form.Parties) + extraPartyRows {
		row := partyRow{Index: i, Number: i + 1}
		role := agreement.RoleFunder
		if i > 0 {
			role = agreement.RoleCoSignatory
		}
		if i < len(form.Parties) {
			row.Partner, role = form.Parties[i].Partner, form.Parties[i].Role
		}
		for _, r := range agreement.Roles {
			row.Roles = append(row.Roles, option{Value: r, Label: l.T("agreement.role." + r), Selected: r == role})
		}
		v.PartyRows = append(v.PartyRows, row)
	}
	codesOf := func(list string) []string {
		codes, cerr := s.db.ReferenceCodes(ctx, list)
		if cerr != nil && err == nil {
			err = cerr
		}
		return codes
	}
	v.Types = lb.options(reference.ListAgreementType, codesOf(reference.ListAgreementType), form.Type, false)
	v.Currencies = lb.options(reference.ListCurrency, codesOf(reference.ListCurrency), form.Currency, false)
	for i := range v.Currencies {
		v.Currencies[i].Label = v.Currencies[i].Value + " · " + v.Currencies[i].Label
	}
	areas := codesOf(reference.ListActionArea)
	v.Areas = lb.options(reference.ListActionArea, areas, form.ActionArea, false)
	v.OtherAreas = lb.checks(reference.ListActionArea, areas, form.OtherAreas)
	for _, region := range codesOf(reference.ListRegion) {
		v.Regions = append(v.Regions, shareRow{Code: region, Label: lb.code(reference.ListRegion, region), Share: form.Shares[region],
			Checked: slices.Contains(form.Regions, region)})
	}
	v.Offices = []option{{Value: agreement.OfficeHQ, Label: l.T("agreement.office.hq"), Selected: form.Office == agreement.OfficeHQ || form.Office == ""}}
	for _, region := range reference.Regions {
		if region != reference.RegionGLO {
			v.Offices = append(v.Offices, option{Value: region, Label: lb.code(reference.ListRegion, region), Selected: form.Office == region})
		}
	}
	if err != nil {
		return v, err
	}
	for _, st := range agreement.Statuses {
		v.Statuses = append(v.Statuses, option{Value: st, Label: l.T("agreement.status." + st), Selected: st == form.Status})
	}
	v.Kinds = []option{{Value: "", Label: l.T("form.none"), Selected: form.Kind == ""}}
	for _, k := range agreement.AmendmentKinds {
		v.Kinds = append(v.Kinds, option{Value: k, Label: l.T("agreement.kind." + k), Selected: k == form.Kind})
	}
	countryRegions, err := s.db.CountryRegions(ctx)
	if err != nil {
		return v, err
	}
	countries := make([]string, 0, len(countryRegions))
	for c := range countryRegions {
		countries = append(countries, c)
	}
	sort.Slice(countries, func(i, j int) bool {
		return search.Fold(lb.code(reference.ListCountry, countries[i])) < search.Fold(lb.code(reference.ListCountry, countries[j]))
	})
	for _, c := range countries {
		v.Countries = append(v.Countries, option{Value: c, Label: lb.code(reference.ListCountry, c), Selected: slices.Contains(form.Countries, c)})
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return v, err
	}
	v.Officers = []option{{Value: "", Label: l.T("form.none"), Selected: form.Officer == ""}}
	for _, u := range users {
		if u.Role.IsStaff() && u.Role != user.RoleViewer && u.Active {
			id := idString(u.ID)
			v.Officers = append(v.Officers, option{Value: id, Label: u.Name(), Selected: id == form.Officer})
		}
	}
	return v, nil
}

// agreementWarnings are what a new agreement's form says before saving: parties whose due
// diligence is missing, refused or out of date, and active agreements with the same partners
// that overlap in dates, countries and action area.
func (s *Server) agreementWarnings(r *http.Request, a *agreement.Agreement, today civil.Date) ([]warningLink, []warningLink, error) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		return nil, nil, err
	}
	l := lb.l
	var concerns, overlapping []warningLink
	for _, p := range a.Parties {
		pt, err := s.db.PartnerByID(ctx, p.PartnerID)
		if err != nil {
			return nil, nil, err
		}
		if !partner.NeedsDueDiligence(pt.Type) {
			continue
		}
		dd, err := s.db.DueDiligenceOf(ctx, pt.ID)
		if err != nil {
			return nil, nil, err
		}
		if c := partner.ConcernOn(dd, today); c != "" {
			concerns = append(concerns, warningLink{URL: "/partners/" + pt.Key + "#dd", Text: pt.Name(l.Lang),
				Detail: l.T("partner.dd.concern." + string(c))})
		}
	}
	if a.IsAmendment() {
		return concerns, nil, nil
	}
	f := agreement.Filter{Lang: l.Lang}
	readerFilter(&f, currentUser(r))
	found, err := s.db.Overlapping(ctx, a, f)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range found {
		overlapping = append(overlapping, warningLink{URL: agreementURL(o.Reference), Text: o.Reference + " · " + o.Title,
			Detail: l.T("agreement.overlap_detail", "from", l.Date(o.SignedOn), "to", l.Date(o.EndOn))})
	}
	return concerns, overlapping, nil
}

// differences lists the fields of the form that the stored version has otherwise, with labels.
func (s *Server) differences(r *http.Request, mine, theirs agreementForm) ([]difference, error) {
	lb, err := s.labeller(r)
	if err != nil {
		return nil, err
	}
	l := lb.l
	parties := func(f agreementForm) string {
		var list []string
		for _, p := range f.Parties {
			list = append(list, p.Partner+" ("+l.T("agreement.role."+p.Role)+")")
		}
		return strings.Join(list, ", ")
	}
	regions := func(f agreementForm) string {
		var list []string
		for _, r := range f.Regions {
			item := lb.code(reference.ListRegion, r)
			if share := f.Shares[r]; share != "" {
				item += " " + share
			}
			list = append(list, item)
		}
		return strings.Join(list, ", ")
	}
	codes := func(list string, values []string) string {
		var out []string
		for _, c := range values {
			out = append(out, lb.code(list, c))
		}
		slices.Sort(out)
		return strings.Join(out, ", ")
	}
	amount := func(s string) string {
		if a, err := money.Parse(s); err == nil {
			return a.String()
		}
		return s
	}
	fields := []struct {
		label        string
		mine, theirs string
	}{
		{"agreement.type", lb.code(reference.ListAgreementType, mine.Type), lb.code(reference.ListAgreementType, theirs.Type)},
		{"agreement.status", l.T("agreement.status." + mine.Status), l.T("agreement.status." + theirs.Status)},
		{"agreement.parties", parties(mine), parties(theirs)},
		{"agreement.signed_on", mine.SignedOn, theirs.SignedOn},
		{"agreement.start_on", mine.StartOn, theirs.StartOn},
		{"agreement.end_on", mine.EndOn, theirs.EndOn},
		{"agreement.amount", amount(mine.Amount) + " " + mine.Currency, amount(theirs.Amount) + " " + theirs.Currency},
		{"agreement.in_kind_usd", amount(mine.InKind), amount(theirs.InKind)},
		{"agreement.regions", regions(mine), regions(theirs)},
		{"agreement.countries", codes(reference.ListCountry, mine.Countries), codes(reference.ListCountry, theirs.Countries)},
		{"agreement.action_area", lb.code(reference.ListActionArea, mine.ActionArea), lb.code(reference.ListActionArea, theirs.ActionArea)},
		{"agreement.other_action_areas", codes(reference.ListActionArea, mine.OtherAreas), codes(reference.ListActionArea, theirs.OtherAreas)},
		{"agreement.initiative", mine.Initiative, theirs.Initiative},
		{"agreement.framework", mine.Framework, theirs.Framework},
		{"agreement.amends", mine.Amends, theirs.Amends},
		{"agreement.office", mine.Office, theirs.Office},
		{"agreement.officer", s.userName(r, mine.Officer), s.userName(r, theirs.Officer)},
		{"agreement.confidential", l.T("agreements.confidential." + yesNoCode(mine.Confidential)), l.T("agreements.confidential." + yesNoCode(theirs.Confidential))},
		{"agreement.notes", mine.Notes, theirs.Notes},
	}
	var out []difference
	for _, lang := range reference.Languages {
		if mine.Titles[lang] != theirs.Titles[lang] {
			out = append(out, difference{Label: l.T("agreement.title_in", "language", languageNames[lang]), Mine: mine.Titles[lang], Theirs: theirs.Titles[lang]})
		}
	}
	for _, f := range fields {
		if f.mine != f.theirs {
			out = append(out, difference{Label: l.T(f.label), Mine: f.mine, Theirs: f.theirs})
		}
	}
	return out, nil
}

// userName names the account with the id a form holds, or gives the id back.
func (s *Server) userName(r *http.Request, id string) string {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return id
	}
	u, err := s.db.UserByID(r.Context(), n)
	if err != nil {
		return id
	}
	return u.Name()
}

func yesNoCode(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
