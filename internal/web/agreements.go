package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/i18n"
	"pactum/internal/reference"
	"pactum/internal/user"
)

// agreementFacetLists maps the facets of the registry whose codes are reference lists to the list.
var agreementFacetLists = map[string]string{
	agreement.FacetType:        reference.ListAgreementType,
	agreement.FacetRegion:      reference.ListRegion,
	agreement.FacetCountry:     reference.ListCountry,
	agreement.FacetActionArea:  reference.ListActionArea,
	agreement.FacetPartnerType: reference.ListPartnerType,
}

// partnerFacetShown is how many partners the partner facet counts: a registry may have a hundred
// thousand, and the busiest are the ones worth a click.
const partnerFacetShown = 30

// readerFilter sets who reads the registry: administrators see every confidential agreement,
// others only those they are the officer of.
func readerFilter(f *agreement.Filter, u *user.User) {
	if u == nil {
		return
	}
	f.ReaderID, f.AllConfidential = u.ID, u.Role == user.RoleAdmin
}

// agreementFilter reads the registry's filter from the query string: q, sort, page, and each
// facet as a repeated parameter (type=mou&type=sponsorship).
func agreementFilter(q url.Values, lang string, u *user.User) (agreement.Filter, int) {
	f := agreement.Filter{Query: searchText(q.Get("q")), Sort: q.Get("sort"), Lang: lang}
	for _, facet := range agreement.Facets {
		f.Set(facet, queryCodes(q, facet))
	}
	readerFilter(&f, u)
	return f, pageParam(q.Get("page"))
}

// agreementFacet names a code of a registry facet; partners are named by partners.
func (lb labeller) agreementFacet(facet, code string, partners map[string]string) string {
	switch facet {
	case agreement.FacetStatus:
		return lb.l.T("agreement.status." + code)
	case agreement.FacetYear:
		if code == "none" {
			return lb.l.T("agreements.year.none")
		}
		return code
	case agreement.FacetValue:
		return lb.l.T("agreements.value." + code)
	case agreement.FacetConfidential:
		return lb.l.T("agreements.confidential." + code)
	case agreement.FacetOffice:
		if code == agreement.OfficeHQ {
			return lb.l.T("agreement.office.hq")
		}
		return lb.code(reference.ListRegion, code)
	case agreement.FacetPartner:
		if name, ok := partners[code]; ok {
			return name
		}
		return code
	}
	return lb.code(agreementFacetLists[facet], code)
}

type registryRow struct {
	Reference, Title, Type, Status, Signed, Ends, Amount, ValueUSD string
	Confidential                                                   bool
	Parties                                                        []partyLink
}

type partyLink struct {
	URL, Name, Role string
}

type agreementsView struct {
	page
	Query       string
	Sorts       []option
	Facets      []facetView
	Rows        []registryRow
	Total       int
	Pages       pager
	ExportCSV   string
	ExportXLSX  string
	CanCreate   bool
	ActiveCount int
	Money       moneyView
}

// moneyView is what contributions pledge, have paid and still owe, in USD and per currency.
type moneyView struct {
	Pledged, Received, Outstanding string
	Currencies                     []currencyMoneyView
}

type currencyMoneyView struct {
	Currency, Pledged, Received, Outstanding string
}

func newMoneyView(l *i18n.Localizer, c *agreement.Contributions) moneyView {
	v := moneyView{Pledged: l.Money(c.USD.Pledged, "USD"), Received: l.Money(c.USD.Received, "USD"),
		Outstanding: l.Money(c.USD.Outstanding(), "USD")}
	for _, m := range c.ByCurrency {
		v.Currencies = append(v.Currencies, currencyMoneyView{Currency: m.Currency, Pledged: l.Money(m.Pledged, m.Currency),
			Received: l.Money(m.Received, m.Currency), Outstanding: l.Money(m.Outstanding(), m.Currency)})
	}
	return v
}

const agreementsPerPage = 25

// facetOrders orders the options of facets whose codes have an order of their own: years newest
// first, value ranges from the smallest; the others by how many agreements have them.
var facetOrders = map[string]func(a, b string) int{
	agreement.FacetYear: func(a, b string) int { return strings.Compare(b, a) },
	agreement.FacetValue: func(a, b string) int {
		index := func(code string) int {
			return slices.IndexFunc(agreement.ValueRanges, func(r agreement.ValueRange) bool { return r.Code == code })
		}
		return index(a) - index(b)
	},
}

func (s *Server) showAgreements(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := lb.l
	u := currentUser(r)
	f, pageNo := agreementFilter(r.URL.Query(), l.Lang, u)
	result, pageNo, err := onPage(pageNo, agreementsPerPage, func(offset int) (*agreement.Page, int, error) {
		f.Offset, f.Limit = offset, agreementsPerPage
		res, err := s.db.ListAgreements(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		return res, res.Total, nil
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	contributions, err := s.db.Contributions(ctx, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := agreementsView{page: s.newPage(r, "agreements.title"), Query: f.Query, Total: result.Total, CanCreate: editors.allows(u),
		Money: newMoneyView(l, contributions)}
	v.Pages = newPager(r, pageNo, result.Total, agreementsPerPage)
	export := r.URL.Query()
	export.Del("page")
	v.ExportCSV, v.ExportXLSX = "/agreements/export.csv?"+export.Encode(), "/agreements/export.xlsx?"+export.Encode()
	for _, sort := range agreement.Sorts {
		if sort == agreement.SortRelevance && f.Query == "" {
			continue
		}
		v.Sorts = append(v.Sorts, option{Value: sort, Label: l.T("agreements.sort." + sort), Selected: sort == f.Sort})
	}

	partnerCounts := result.Facets[agreement.FacetPartner]
	if len(partnerCounts) > partnerFacetShown {
		partnerCounts = partnerCounts[:partnerFacetShown]
	}
	partnerIDs := slices.Clone(f.Partners)
	for _, c := range partnerCounts {
		partnerIDs = append(partnerIDs, c.Code)
	}
	partnerNames, err := s.db.PartnerLabels(ctx, partnerIDs, l.Lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, facet := range agreement.Facets {
		if facet == agreement.FacetConfidential && !f.AllConfidential && len(result.Facets[facet]) < 2 && len(f.Confidential) == 0 {
			continue // a reader who sees no confidential agreement has nothing to choose here
		}
		list := result.Facets[facet]
		if facet == agreement.FacetPartner {
			list = partnerCounts
		}
		counts := make([]facetCount, len(list))
		for i, c := range list {
			counts[i] = facetCount(c)
		}
		fv := newFacetView(facet, l.T("agreements.facet."+facet), counts, f.Values(facet),
			func(code string) string { return lb.agreementFacet(facet, code, partnerNames) }, facetOrders[facet])
		v.ActiveCount += fv.Selected
		v.Facets = append(v.Facets, fv)
	}
	for _, it := range result.Items {
		row := registryRow{Reference: it.Reference, Title: it.Title, Type: lb.code(reference.ListAgreementType, it.Type),
			Status: l.T("agreement.status." + it.Status), Signed: l.Date(it.SignedOn), Ends: l.Date(it.EndOn),
			ValueUSD: l.Money(it.ValueUSD, "USD"), Confidential: it.Confidential}
		if it.Currency != "USD" && it.Amount != 0 {
			row.Amount = l.Money(it.Amount, it.Currency)
		}
		for _, p := range it.Parties {
			row.Parties = append(row.Parties, partyLink{URL: "/partners/" + p.Key, Name: p.Name, Role: l.T("agreement.role." + p.Role)})
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "agreements", v)
}

// agreementURL is the address of an agreement's page.
func agreementURL(reference string) string { return "/agreements/" + url.PathEscape(reference) }

// idString writes an id for a form or a URL.
func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
