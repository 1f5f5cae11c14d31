package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/user"
)

// partnerForm is what the partner form sends; it is kept as typed when a save is refused.
type partnerForm struct {
	Key                                      string
	Names, Acronyms, Mandates, Strategies    map[string]string
	Type, Membership, Country, Website       string
	Status, Parent, Owner, Mechanisms        string
	Tags, Notes                              string
	ActionAreas, Regions, Countries, Finance []string
	Version                                  int
	ConfirmDuplicates                        bool
}

func partnerFormOf(p *partner.Partner, parentKey string) partnerForm {
	f := partnerForm{Key: p.Key, Names: map[string]string{}, Acronyms: map[string]string{}, Mandates: map[string]string{},
		Strategies: map[string]string{}, Type: p.Type, Membership: p.Membership, Country: p.Country, Website: p.Website,
		Status: p.Status, Parent: parentKey, Mechanisms: p.FinancingMechanisms, Tags: strings.Join(p.Tags, ", "), Notes: p.Notes,
		ActionAreas: p.ActionAreas, Regions: p.Regions, Countries: p.Countries, Finance: p.FinancingTypes, Version: p.Version}
	if p.OwnerID != 0 {
		f.Owner = strconv.FormatInt(p.OwnerID, 10)
	}
	for lang, t := range p.Texts {
		f.Names[lang], f.Acronyms[lang], f.Mandates[lang], f.Strategies[lang] = t.Name, t.Acronym, t.Mandate, t.Strategy
	}
	return f
}

func parsePartnerForm(r *http.Request) partnerForm {
	f := partnerForm{Names: map[string]string{}, Acronyms: map[string]string{}, Mandates: map[string]string{}, Strategies: map[string]string{}}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	for _, lang := range reference.Languages {
		f.Names[lang], f.Acronyms[lang] = v("name_"+lang), v("acronym_"+lang)
		f.Mandates[lang], f.Strategies[lang] = v("mandate_"+lang), v("strategy_"+lang)
	}
	f.Key, f.Type, f.Membership, f.Country, f.Website = strings.ToLower(v("key")), v("type"), v("membership"), v("country"), v("website")
	f.Status, f.Parent, f.Owner, f.Mechanisms = v("status"), strings.ToLower(v("parent")), v("owner"), v("financing_mechanisms")
	f.Tags, f.Notes, f.Version = v("tags"), v("notes"), formInt(v("version"), 0)
	f.ActionAreas, f.Regions, f.Countries, f.Finance = r.PostForm["action_areas"], r.PostForm["regions"], r.PostForm["countries"], r.PostForm["financing_types"]
	f.ConfirmDuplicates = v("confirm_duplicates") == "1"
	return f
}

// partner turns the form into a partner (without its ID and parent, which need the store); the
// form's own field errors go to errs.
func (f partnerForm) partner(errs apperr.FieldErrors) *partner.Partner {
	p := &partner.Partner{Key: f.Key, Texts: map[string]partner.Text{}, Type: f.Type, Membership: f.Membership, Country: f.Country,
		Website: f.Website, Status: f.Status, FinancingMechanisms: f.Mechanisms, Notes: f.Notes,
		ActionAreas: f.ActionAreas, Regions: f.Regions, Countries: f.Countries, FinancingTypes: f.Finance, Version: f.Version}
	for _, lang := range reference.Languages {
		t := partner.Text{Name: f.Names[lang], Acronym: f.Acronyms[lang], Mandate: f.Mandates[lang], Strategy: f.Strategies[lang]}
		if t != (partner.Text{}) {
			p.Texts[lang] = t
		}
	}
	for _, tag := range strings.Split(f.Tags, ",") {
		if tag = strings.TrimSpace(tag); tag != "" && !slices.Contains(p.Tags, tag) {
			p.Tags = append(p.Tags, tag)
		}
	}
	p.OwnerID = idField(f.Owner, "owner", "error.person", errs)
	return p
}

type languageFields struct {
	Lang, Name                                           string
	NameValue, Acronym, Mandate, Strategy                string
	NameError, AcronymError, MandateError, StrategyError string
}

type checkOption struct {
	Value, Label string
	Checked      bool
}

type partnerFormView struct {
	page
	New            bool
	Form           partnerForm
	Errors         formErrors
	LanguageFields []languageFields
	Types          []option
	Memberships    []option
	Statuses       []option
	Countries      []option
	Owners         []option
	ActionAreas    []checkOption
	Regions        []checkOption
	Beneficiary    []option
	Financing      []checkOption
	Duplicates     []link
}

// options builds select options for a reference list, sorted as the list is (or by label for countries).
func (lb labeller) options(list string, codes []string, selected string, blank bool) []option {
	var opts []option
	if blank {
		opts = append(opts, option{Value: "", Label: lb.l.T("form.none"), Selected: selected == ""})
	}
	for _, c := range codes {
		opts = append(opts, option{Value: c, Label: lb.code(list, c), Selected: c == selected})
	}
	return opts
}

func (lb labeller) checks(list string, codes, checked []string) []checkOption {
	var opts []checkOption
	for _, c := range codes {
		opts = append(opts, checkOption{Value: c, Label: lb.code(list, c), Checked: slices.Contains(checked, c)})
	}
	return opts
}

func (s *Server) partnerFormView(r *http.Request, isNew bool, form partnerForm, errs formErrors) (partnerFormView, error) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		return partnerFormView{}, err
	}
	titleKey := "partner.edit"
	if isNew {
		titleKey = "partners.new"
	}
	v := partnerFormView{page: s.newPage(r, titleKey), New: isNew, Form: form, Errors: errs}
	for _, lang := range append([]string{"en"}, slices.DeleteFunc(slices.Clone(reference.Languages), func(l string) bool { return l == "en" })...) {
		v.LanguageFields = append(v.LanguageFields, languageFields{Lang: lang, Name: languageNames[lang], NameValue: form.Names[lang],
			Acronym: form.Acronyms[lang], Mandate: form.Mandates[lang], Strategy: form.Strategies[lang], NameError: errs.Fields["name_"+lang],
			AcronymError: errs.Fields["acronym_"+lang], MandateError: errs.Fields["mandate_"+lang], StrategyError: errs.Fields["strategy_"+lang]})
	}
	codesOf := func(list string) ([]string, error) { return s.db.ReferenceCodes(ctx, list) }
	types, err := codesOf(reference.ListPartnerType)
	if err != nil {
		return v, err
	}
	memberships, err := codesOf(reference.ListMembership)
	if err != nil {
		return v, err
	}
	areas, err := codesOf(reference.ListActionArea)
	if err != nil {
		return v, err
	}
	regions, err := codesOf(reference.ListRegion)
	if err != nil {
		return v, err
	}
	finance, err := codesOf(reference.ListFinancingType)
	if err != nil {
		return v, err
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
	v.Types = lb.options(reference.ListPartnerType, types, form.Type, false)
	v.Memberships = lb.options(reference.ListMembership, memberships, form.Membership, false)
	v.Countries = lb.options(reference.ListCountry, countries, form.Country, true)
	for _, st := range partner.Statuses {
		v.Statuses = append(v.Statuses, option{Value: st, Label: v.L.T("partner.status." + st), Selected: st == form.Status})
	}
	v.ActionAreas = lb.checks(reference.ListActionArea, areas, form.ActionAreas)
	v.Regions = lb.checks(reference.ListRegion, regions, form.Regions)
	v.Financing = lb.checks(reference.ListFinancingType, finance, form.Finance)
	for _, c := range countries {
		v.Beneficiary = append(v.Beneficiary, option{Value: c, Label: lb.code(reference.ListCountry, c), Selected: slices.Contains(form.Countries, c)})
	}
	users, err := s.db.Users(ctx)
	if err != nil {
		return v, err
	}
	v.Owners = []option{{Value: "", Label: v.L.T("form.none"), Selected: form.Owner == ""}}
	for _, u := range users {
		if u.Role.IsStaff() && u.Role != user.RoleViewer && u.Active {
			id := strconv.FormatInt(u.ID, 10)
			v.Owners = append(v.Owners, option{Value: id, Label: u.Name(), Selected: id == form.Owner})
		}
	}
	return v, nil
}

func (s *Server) showNewPartner(w http.ResponseWriter, r *http.Request) {
	v, err := s.partnerFormView(r, true, partnerForm{Status: partner.StatusProspect, Membership: "none", Type: "private",
		Names: map[string]string{}, Acronyms: map[string]string{}, Mandates: map[string]string{}, Strategies: map[string]string{}}, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "partner_form", v)
}

func (s *Server) showEditPartner(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	parentKey := ""
	if p.ParentID != 0 {
		parent, err := s.db.PartnerByID(r.Context(), p.ParentID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		parentKey = parent.Key
	}
	v, err := s.partnerFormView(r, false, partnerFormOf(p, parentKey), formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "partner_form", v)
}

// editablePartner loads the partner of the URL and checks that the user may change it,
// answering 404 or 403 itself when not.
func (s *Server) editablePartner(w http.ResponseWriter, r *http.Request) (*partner.Partner, bool) {
	p, err := s.db.PartnerByKey(r.Context(), r.PathValue("key"))
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	regions, err := s.db.CountryRegions(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if !partner.CanEdit(currentUser(r), p, func(c string) string { return regions[c] }) {
		s.renderError(w, r, http.StatusForbidden)
		return nil, false
	}
	return p, true
}

// partnerByTypedKey finds the partner of a key someone typed into a form. Text that cannot be a
// key names no partner and is not looked up: PostgreSQL refuses to compare with text that is not
// UTF-8, and a long text would only be compared in vain.
func (s *Server) partnerByTypedKey(ctx context.Context, key string) (*partner.Partner, error) {
	if !partner.ValidKey(key) {
		return nil, apperr.New(apperr.NotFound, "partner.error.not_found", "key", key)
	}
	return s.db.PartnerByKey(ctx, key)
}

// savePartner creates a partner (POST /partners) or updates one (POST /partners/{key}).
func (s *Server) savePartner(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	ctx := r.Context()
	l := localizer(r)
	isNew := r.PathValue("key") == ""
	var existing *partner.Partner
	if !isNew {
		var ok bool
		if existing, ok = s.editablePartner(w, r); !ok {
			return
		}
	}
	form := parsePartnerForm(r)
	if !isNew {
		form.Key = existing.Key
	}
	refuse := func(status int, errs formErrors, duplicates []link) {
		v, err := s.partnerFormView(r, isNew, form, errs)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Duplicates = duplicates
		s.render(w, r, status, "partner_form", v)
	}
	errs := apperr.FieldErrors{}
	p := form.partner(errs)
	if err := s.knownAccounts(ctx, errs, "owner", "error.person", p.OwnerID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if form.Parent != "" {
		parent, err := s.partnerByTypedKey(ctx, form.Parent)
		switch {
		case apperr.Is(err, apperr.NotFound):
			errs.Add("parent", "partner.error.not_found", "key", form.Parent)
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			p.ParentID = parent.ID
		}
	}
	if existing != nil {
		p.ID = existing.ID
	}
	codes, err := s.db.Codes(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	addDomainErrors(errs, p.Validate(codes))
	if len(errs) > 0 {
		fe, _ := explain(l, errs.Err())
		refuse(http.StatusUnprocessableEntity, fe, nil)
		return
	}
	// Before a new partner is saved, likely duplicates are shown; saving again with the box
	// ticked goes on.
	if isNew && !form.ConfirmDuplicates {
		var names, acronyms []string
		for _, t := range p.Texts {
			names, acronyms = append(names, t.Name), append(acronyms, t.Acronym)
		}
		similar, err := s.db.SimilarPartners(ctx, names, acronyms, 0)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(similar) > 0 {
			var dups []link
			for _, d := range similar {
				dups = append(dups, link{URL: "/partners/" + d.Key, Text: d.Name})
			}
			refuse(http.StatusConflict, formErrors{Summary: l.T("partner.duplicates.found")}, dups)
			return
		}
	}
	if isNew {
		err = s.db.CreatePartners(ctx, []*partner.Partner{p})
	} else {
		p.Contacts = existing.Contacts
		err = s.db.UpdatePartner(ctx, p)
	}
	if err != nil {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		refuse(statusOf(apperr.CodeOf(err)), fe, nil)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=1", http.StatusSeeOther)
}
