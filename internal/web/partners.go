package web

import (
	"net/http"
	"net/url"

	"pactum/internal/i18n"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// facetLists maps the facets whose codes are reference lists to the list.
var facetLists = map[string]string{
	partner.FacetType:          reference.ListPartnerType,
	partner.FacetMembership:    reference.ListMembership,
	partner.FacetRegion:        reference.ListRegion,
	partner.FacetActionArea:    reference.ListActionArea,
	partner.FacetFinancingType: reference.ListFinancingType,
	partner.FacetCountry:       reference.ListCountry,
}

// labeller names codes in the reader's language: reference lists from the database, the rest
// from the catalogue.
type labeller struct {
	l      *i18n.Localizer
	labels reference.LabelSet
}

func (s *Server) labeller(r *http.Request) (labeller, error) {
	l := localizer(r)
	labels, err := s.db.LabelsFor(r.Context(), l.Lang)
	return labeller{l: l, labels: labels}, err
}

// code names a code of a reference list.
func (lb labeller) code(list, code string) string {
	if code == "" {
		return ""
	}
	return lb.labels.Label(list, code, lb.l.Lang)
}

// facet names a code of a partner facet.
func (lb labeller) facet(facet, code string) string {
	switch facet {
	case partner.FacetStatus:
		return lb.l.T("partner.status." + code)
	case partner.FacetDueDiligence:
		return lb.l.T("partner.dd.status." + code)
	case partner.FacetCountry:
		if code == "" {
			return lb.l.T("form.none")
		}
	}
	return lb.code(facetLists[facet], code)
}

// partnerFilter reads the list's filter from the query string: q, sort, page, and each facet
// as a repeated parameter (type=foundation&type=private).
func partnerFilter(q url.Values, lang string) (partner.Filter, int) {
	f := partner.Filter{Query: searchText(q.Get("q")), Sort: q.Get("sort"), Lang: lang}
	for _, facet := range partner.Facets {
		f.Set(facet, queryCodes(q, facet))
	}
	return f, pageParam(q.Get("page"))
}

type partnerRow struct {
	Key, Name, Acronym, Type, Country, Status, Value, LastSigned, DueDiligence string
	Agreements                                                                 string
}

type partnersView struct {
	page
	Query       string
	Sort        string
	Sorts       []option
	Facets      []facetView
	Rows        []partnerRow
	Total       int
	Pages       pager
	ExportCSV   string
	ExportXLSX  string
	CanCreate   bool
	ActiveCount int
}

const partnersPerPage = 25

func (s *Server) showPartners(w http.ResponseWriter, r *http.Request) {
	lb, err := s.labeller(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := lb.l
	f, pageNo := partnerFilter(r.URL.Query(), l.Lang)
	result, pageNo, err := onPage(pageNo, partnersPerPage, func(offset int) (*partner.Page, int, error) {
		f.Offset, f.Limit = offset, partnersPerPage
		res, err := s.db.ListPartners(r.Context(), f)
		if err != nil {
			return nil, 0, err
		}
		return res, res.Total, nil
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := partnersView{page: s.newPage(r, "partners.title"), Query: f.Query, Sort: f.Sort, Total: result.Total,
		CanCreate: editors.allows(currentUser(r))}
	v.Pages = newPager(r, pageNo, result.Total, partnersPerPage)
	export := r.URL.Query()
	export.Del("page")
	v.ExportCSV, v.ExportXLSX = "/partners/export.csv?"+export.Encode(), "/partners/export.xlsx?"+export.Encode()
	for _, sort := range partner.Sorts {
		if sort == partner.SortRelevance && f.Query == "" {
			continue
		}
		v.Sorts = append(v.Sorts, option{Value: sort, Label: l.T("partners.sort." + sort), Selected: sort == f.Sort})
	}
	for _, facet := range partner.Facets {
		counts := make([]facetCount, len(result.Facets[facet]))
		for i, c := range result.Facets[facet] {
			counts[i] = facetCount(c)
		}
		fv := newFacetView(facet, l.T("partners.facet."+facet), counts, f.Values(facet), func(code string) string { return lb.facet(facet, code) }, nil)
		v.ActiveCount += fv.Selected
		v.Facets = append(v.Facets, fv)
	}
	for _, it := range result.Items {
		v.Rows = append(v.Rows, partnerRow{
			Key: it.Key, Name: it.Name, Acronym: it.Acronym, Type: lb.code(reference.ListPartnerType, it.Type),
			Country: lb.code(reference.ListCountry, it.Country), Status: l.T("partner.status." + it.Status),
			Agreements: l.Int(it.AgreementCount), Value: l.Money(it.ValueUSD, "USD"), LastSigned: l.Date(it.LastSignedOn),
			DueDiligence: ddLabel(l, it.DueDiligence),
		})
	}
	s.render(w, r, http.StatusOK, "partners", v)
}

// ddLabel names a due-diligence status, or says there is no record.
func ddLabel(l *i18n.Localizer, status string) string {
	if status == "" {
		status = partner.DDNone
	}
	return l.T("partner.dd.status." + status)
}
