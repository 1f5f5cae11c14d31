package web

import (
	"net/http"
	"slices"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
)

type partyJSON struct {
	Partner string `json:"partner"`
	Name    string `json:"name,omitempty"`
	Role    string `json:"role"`
	URL     string `json:"url"`
}

type agreementItemJSON struct {
	Reference    string      `json:"reference"`
	Title        string      `json:"title"`
	Type         string      `json:"type"`
	Status       string      `json:"status"`
	SignedOn     string      `json:"signed_on,omitempty"`
	EndOn        string      `json:"end_on,omitempty"`
	Amount       float64     `json:"amount"`
	Currency     string      `json:"currency"`
	ValueUSD     float64     `json:"value_usd"`
	Confidential bool        `json:"confidential"`
	Parties      []partyJSON `json:"parties"`
	URL          string      `json:"url"`
}

type agreementListJSON struct {
	Total   int                         `json:"total"`
	Page    int                         `json:"page"`
	PerPage int                         `json:"per_page"`
	Items   []agreementItemJSON         `json:"items"`
	Facets  map[string][]facetCountJSON `json:"facets"`
}

// apiAgreements answers GET /api/v1/agreements: the registry's search (q), facets (type, status,
// year, region, country, action_area, office (HQ or a region code), partner (ids), partner_type,
// value, confidential; repeat a parameter for several codes), sort, and page / per_page (at most
// 500). Confidential agreements are listed only to administrators and their officers; titles are
// in the language of ?lang= or Accept-Language, English when an agreement has none in it.
func (s *Server) apiAgreements(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, page := agreementFilter(q, localizer(r).Lang, currentUser(r))
	perPage, err := perPageParam(q.Get("per_page"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if f.Sort != "" && !slices.Contains(agreement.Sorts, f.Sort) {
		s.apiError(w, r, apperr.FieldErrors{"sort": apperr.Msg("error.choose")}.Err())
		return
	}
	result, page, err := onPage(page, perPage, func(offset int) (*agreement.Page, int, error) {
		f.Offset, f.Limit = offset, perPage
		res, err := s.db.ListAgreements(r.Context(), f)
		if err != nil {
			return nil, 0, err
		}
		return res, res.Total, nil
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := agreementListJSON{Total: result.Total, Page: page, PerPage: perPage, Items: []agreementItemJSON{}, Facets: map[string][]facetCountJSON{}}
	for _, it := range result.Items {
		item := agreementItemJSON{Reference: it.Reference, Title: it.Title, Type: it.Type, Status: it.Status, SignedOn: it.SignedOn.String(),
			EndOn: it.EndOn.String(), Amount: it.Amount.Units(), Currency: it.Currency, ValueUSD: it.ValueUSD.Units(),
			Confidential: it.Confidential, Parties: []partyJSON{}, URL: s.opts.BaseURL + "/api/v1" + agreementURL(it.Reference)}
		for _, p := range it.Parties {
			item.Parties = append(item.Parties, partyJSON{Partner: p.Key, Name: p.Name, Role: p.Role, URL: s.opts.BaseURL + "/api/v1/partners/" + p.Key})
		}
		out.Items = append(out.Items, item)
	}
	for facet, counts := range result.Facets {
		out.Facets[facet] = facetsJSON(counts, func(c agreement.Count) facetCount { return facetCount(c) })
	}
	writeJSON(w, http.StatusOK, out)
}

type regionShareJSON struct {
	Region string  `json:"region"`
	Share  float64 `json:"share"`
}

type instalmentJSON struct {
	DueOn      string  `json:"due_on"`
	Amount     float64 `json:"amount"`
	ReceivedOn string  `json:"received_on,omitempty"`
	Received   float64 `json:"received"`
}

type obligationJSON struct {
	Kind        string `json:"kind"`
	DueOn       string `json:"due_on"`
	SubmittedOn string `json:"submitted_on,omitempty"`
}

type moneyJSON struct {
	Pledged     float64 `json:"pledged"`
	Received    float64 `json:"received"`
	Outstanding float64 `json:"outstanding"`
}

type agreementJSON struct {
	Reference        string            `json:"reference"`
	Titles           map[string]string `json:"titles"`
	Type             string            `json:"type"`
	Status           string            `json:"status"`
	SignedOn         string            `json:"signed_on,omitempty"`
	StartOn          string            `json:"start_on,omitempty"`
	EndOn            string            `json:"end_on,omitempty"`
	Amount           float64           `json:"amount"`
	Currency         string            `json:"currency"`
	ValueUSD         float64           `json:"value_usd"`
	InKindUSD        float64           `json:"in_kind_usd"`
	Parties          []partyJSON       `json:"parties"`
	Regions          []regionShareJSON `json:"regions"`
	Countries        []string          `json:"countries"`
	ActionArea       string            `json:"action_area"`
	OtherActionAreas []string          `json:"other_action_areas"`
	Amends           string            `json:"amends,omitempty"`
	AmendmentKind    string            `json:"amendment_kind,omitempty"`
	Framework        string            `json:"framework,omitempty"`
	Initiative       string            `json:"initiative,omitempty"`
	Office           string            `json:"office,omitempty"`
	Confidential     bool              `json:"confidential"`
	Notes            string            `json:"notes,omitempty"`
	Amendments       []string          `json:"amendments"`
	AmendedValueUSD  float64           `json:"amended_value_usd"`
	AmendedEndOn     string            `json:"amended_end_on,omitempty"`
	Instalments      []instalmentJSON  `json:"instalments"`
	Money            moneyJSON         `json:"money"`
	MoneyUSD         moneyJSON         `json:"money_usd"`
	Obligations      []obligationJSON  `json:"obligations"`
	Version          int               `json:"version"`
}

// apiAgreement answers GET /api/v1/agreements/{ref}: the agreement with its parties, amendments
// (and its value and end as amended), payment schedule and obligations. Amendments, and the
// agreements it amends or falls under, that the reader may not see are left out, of "as
// amended" too (see visibleAmendments).
func (s *Server) apiAgreement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(r)
	a, err := s.db.AgreementByReference(ctx, r.PathValue("ref"))
	if err == nil && (a.Deleted() || !agreement.CanSee(u, a)) {
		err = apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", r.PathValue("ref"))
	}
	if err == nil {
		err = s.hideLinks(ctx, u, a)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := agreementJSON{Reference: a.Reference, Titles: a.Titles, Type: a.Type, Status: a.Status, SignedOn: a.SignedOn.String(),
		StartOn: a.StartOn.String(), EndOn: a.EndOn.String(), Amount: a.Amount.Units(), Currency: a.Currency,
		ValueUSD: a.ValueUSD.Units(), InKindUSD: a.InKindUSD.Units(), Parties: []partyJSON{}, Regions: []regionShareJSON{},
		Countries: append([]string{}, a.Countries...), ActionArea: a.PrimaryActionArea,
		OtherActionAreas: append([]string{}, a.OtherActionAreas...), Amends: a.AmendsRef, AmendmentKind: a.AmendmentKind,
		Framework: a.FrameworkRef, Initiative: a.Initiative, Office: a.Office, Confidential: a.Confidential, Notes: a.Notes,
		Amendments: []string{}, Instalments: []instalmentJSON{}, Obligations: []obligationJSON{}, Version: a.Version}
	for _, p := range a.Parties {
		out.Parties = append(out.Parties, partyJSON{Partner: p.PartnerKey, Role: p.Role, URL: s.opts.BaseURL + "/api/v1/partners/" + p.PartnerKey})
	}
	for _, rs := range a.Regions {
		out.Regions = append(out.Regions, regionShareJSON{Region: rs.Region, Share: rs.Share})
	}
	amendments, err := s.visibleAmendments(ctx, u, a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, m := range amendments {
		out.Amendments = append(out.Amendments, m.Reference)
	}
	amended := agreement.Amend(a, amendments)
	out.AmendedValueUSD, out.AmendedEndOn = amended.ValueUSD.Units(), amended.EndOn.String()
	instalments, err := s.db.Instalments(ctx, a.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, i := range instalments {
		out.Instalments = append(out.Instalments, instalmentJSON{DueOn: i.DueOn.String(), Amount: i.Amount.Units(),
			ReceivedOn: i.ReceivedOn.String(), Received: i.Received.Units()})
	}
	sum := agreement.Schedule(instalments)
	out.Money = moneyJSON{Pledged: sum.Pledged.Units(), Received: sum.Received.Units(), Outstanding: sum.Outstanding().Units()}
	usd := agreement.Money{Pledged: a.InUSD(sum.Pledged), Received: a.InUSD(sum.Received)}
	out.MoneyUSD = moneyJSON{Pledged: usd.Pledged.Units(), Received: usd.Received.Units(), Outstanding: usd.Outstanding().Units()}
	obligations, err := s.db.Obligations(ctx, a.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, o := range obligations {
		out.Obligations = append(out.Obligations, obligationJSON{Kind: o.Kind, DueOn: o.DueOn.String(), SubmittedOn: o.SubmittedOn.String()})
	}
	writeJSON(w, http.StatusOK, out)
}
