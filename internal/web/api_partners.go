package web

import (
	"net/http"

	"pactum/internal/apperr"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

type partnerItemJSON struct {
	Key          string  `json:"key"`
	Name         string  `json:"name"`
	Acronym      string  `json:"acronym,omitempty"`
	Type         string  `json:"type"`
	Membership   string  `json:"membership"`
	Country      string  `json:"country,omitempty"`
	Status       string  `json:"status"`
	Agreements   int     `json:"agreements"`
	ValueUSD     float64 `json:"value_usd"`
	LastSignedOn string  `json:"last_signed_on,omitempty"`
	DueDiligence string  `json:"due_diligence"`
	URL          string  `json:"url"`
}

type facetCountJSON struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

type partnerListJSON struct {
	Total   int                         `json:"total"`
	Page    int                         `json:"page"`
	PerPage int                         `json:"per_page"`
	Items   []partnerItemJSON           `json:"items"`
	Facets  map[string][]facetCountJSON `json:"facets"`
}

// apiPartners answers GET /api/v1/partners: the list's search (q), facets (type, membership,
// region, action_area, financing_type, status, country, due_diligence; repeat a parameter for
// several codes), sort, and page / per_page (at most 500), as JSON. Names are in the language of
// ?lang= or Accept-Language, English when a partner has none in it.
func (s *Server) apiPartners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := localizer(r).Lang
	f, page := partnerFilter(q, lang)
	perPage, err := perPageParam(q.Get("per_page"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if f.Sort != "" && !validSort(f.Sort) {
		s.apiError(w, r, apperr.FieldErrors{"sort": apperr.Msg("error.choose")}.Err())
		return
	}
	result, page, err := onPage(page, perPage, func(offset int) (*partner.Page, int, error) {
		f.Offset, f.Limit = offset, perPage
		res, err := s.db.ListPartners(r.Context(), f)
		if err != nil {
			return nil, 0, err
		}
		return res, res.Total, nil
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := partnerListJSON{Total: result.Total, Page: page, PerPage: perPage, Items: []partnerItemJSON{}, Facets: map[string][]facetCountJSON{}}
	for _, it := range result.Items {
		dd := it.DueDiligence
		if dd == "" {
			dd = partner.DDNone
		}
		out.Items = append(out.Items, partnerItemJSON{Key: it.Key, Name: it.Name, Acronym: it.Acronym, Type: it.Type,
			Membership: it.Membership, Country: it.Country, Status: it.Status, Agreements: it.AgreementCount,
			ValueUSD: it.ValueUSD.Units(), LastSignedOn: it.LastSignedOn.String(), DueDiligence: dd,
			URL: s.opts.BaseURL + "/api/v1/partners/" + it.Key})
	}
	for facet, counts := range result.Facets {
		out.Facets[facet] = facetsJSON(counts, func(c partner.Count) facetCount { return facetCount(c) })
	}
	writeJSON(w, http.StatusOK, out)
}

// facetsJSON writes a facet's counts for the API, an empty list rather than null.
func facetsJSON[C any](counts []C, convert func(C) facetCount) []facetCountJSON {
	list := []facetCountJSON{}
	for _, c := range counts {
		fc := convert(c)
		list = append(list, facetCountJSON{Code: fc.Code, Count: fc.Count})
	}
	return list
}

func validSort(sort string) bool {
	for _, known := range partner.Sorts {
		if sort == known {
			return true
		}
	}
	return false
}

type contactJSON struct {
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Language string `json:"language,omitempty"`
	Primary  bool   `json:"primary"`
}

type shareJSON struct {
	Key        string  `json:"key"`
	Agreements float64 `json:"agreements"`
	ValueUSD   float64 `json:"value_usd"`
}

type involvementJSON struct {
	Agreements   int         `json:"agreements"`
	Amendments   int         `json:"amendments"`
	ValueUSD     float64     `json:"value_usd"`
	ByYear       []shareJSON `json:"by_year"`
	ByActionArea []shareJSON `json:"by_action_area"`
	ByRegion     []shareJSON `json:"by_region"`
}

type dueDiligenceJSON struct {
	Status     string `json:"status"`
	RiskRating string `json:"risk_rating,omitempty"`
	ReviewedOn string `json:"reviewed_on,omitempty"`
	RecheckOn  string `json:"recheck_on,omitempty"`
}

type partnerJSON struct {
	Key                 string            `json:"key"`
	Names               map[string]string `json:"names"`
	Acronyms            map[string]string `json:"acronyms,omitempty"`
	Mandate             map[string]string `json:"mandate,omitempty"`
	Strategy            map[string]string `json:"strategy,omitempty"`
	Type                string            `json:"type"`
	Membership          string            `json:"membership"`
	Country             string            `json:"country,omitempty"`
	Website             string            `json:"website,omitempty"`
	Status              string            `json:"status"`
	Parent              string            `json:"parent,omitempty"`
	ActionAreas         []string          `json:"action_areas"`
	Regions             []string          `json:"regions"`
	Countries           []string          `json:"countries"`
	FinancingTypes      []string          `json:"financing_types"`
	FinancingMechanisms string            `json:"financing_mechanisms,omitempty"`
	Tags                []string          `json:"tags"`
	Contacts            []contactJSON     `json:"contacts"`
	DueDiligence        dueDiligenceJSON  `json:"due_diligence"`
	Involvement         involvementJSON   `json:"involvement"`
	Version             int               `json:"version"`
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func sharesJSON(list []partner.Share) []shareJSON {
	out := []shareJSON{}
	for _, s := range list {
		out = append(out, shareJSON{Key: s.Key, Agreements: roundCount(s.Agreements), ValueUSD: s.ValueUSD.Units()})
	}
	return out
}

// apiPartner answers GET /api/v1/partners/{key}: the whole profile in every language, its
// contacts, due diligence, and involvement (with its offices and agencies for a parent).
func (s *Server) apiPartner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.db.PartnerByKey(ctx, r.PathValue("key"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := partnerJSON{Key: p.Key, Names: map[string]string{}, Acronyms: map[string]string{}, Mandate: map[string]string{},
		Strategy: map[string]string{}, Type: p.Type, Membership: p.Membership, Country: p.Country, Website: p.Website, Status: p.Status,
		ActionAreas: orEmpty(p.ActionAreas), Regions: orEmpty(p.Regions), Countries: orEmpty(p.Countries),
		FinancingTypes: orEmpty(p.FinancingTypes), FinancingMechanisms: p.FinancingMechanisms, Tags: orEmpty(p.Tags),
		Contacts: []contactJSON{}, Version: p.Version, DueDiligence: dueDiligenceJSON{Status: partner.DDNone}}
	for _, lang := range reference.Languages {
		t, ok := p.Texts[lang]
		if !ok {
			continue
		}
		set := func(m map[string]string, v string) {
			if v != "" {
				m[lang] = v
			}
		}
		set(out.Names, t.Name)
		set(out.Acronyms, t.Acronym)
		set(out.Mandate, t.Mandate)
		set(out.Strategy, t.Strategy)
	}
	if p.ParentID != 0 {
		parent, err := s.db.PartnerByID(ctx, p.ParentID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		out.Parent = parent.Key
	}
	for _, c := range p.Contacts {
		out.Contacts = append(out.Contacts, contactJSON{Name: c.Name, Title: c.Title, Email: c.Email, Phone: c.Phone, Language: c.Language, Primary: c.Primary})
	}
	dd, err := s.db.DueDiligenceOf(ctx, p.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if dd != nil {
		out.DueDiligence = dueDiligenceJSON{Status: dd.Status, RiskRating: dd.RiskRating, ReviewedOn: dd.ReviewedOn.String(), RecheckOn: dd.RecheckOn.String()}
	}
	family, err := s.db.PartnerFamily(ctx, p.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	inv, err := s.db.Involvement(ctx, family, "en", 0)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out.Involvement = involvementJSON{Agreements: inv.Agreements, Amendments: inv.Amendments, ValueUSD: inv.ValueUSD.Units(),
		ByYear: sharesJSON(inv.ByYear), ByActionArea: sharesJSON(inv.ByArea), ByRegion: sharesJSON(inv.ByRegion)}
	writeJSON(w, http.StatusOK, out)
}
