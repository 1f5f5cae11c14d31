package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/chart"
	"pactum/internal/csvsafe"
	"pactum/internal/i18n"
	"pactum/internal/insight"
	"pactum/internal/money"
	"pactum/internal/reference"
)

// dashboardQuery is what the dashboard and its downloads show: a period of years and a filter
// that every panel applies.
type dashboardQuery struct {
	From, To int
	Filter   insight.Filter
	// Errors are the fields that could not be read; the default period is shown instead.
	Errors apperr.FieldErrors
	// Input keeps the years as typed, to show them again next to their error.
	Input url.Values
}

// defaultPeriod is the last four full years, as the bureau's yearly status analysis covers.
func defaultPeriod() (from, to int) {
	last := time.Now().Year() - 1
	return last - 3, last
}

// maxDashboardYears bounds a period: a chart of more years than this is unreadable.
const maxDashboardYears = 50

func parseDashboardQuery(q url.Values) dashboardQuery {
	from, to := defaultPeriod()
	d := dashboardQuery{From: from, To: to, Errors: apperr.FieldErrors{}, Input: q}
	year := func(name string, fallback int) int {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return fallback
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			d.Errors.Add(name, "insight.error.year")
			return fallback
		}
		return n
	}
	from, to = year("from", d.From), year("to", d.To)
	if len(d.Errors) == 0 {
		if err := insight.Period(from, to); err != nil {
			d.Errors = apperr.FieldsOf(err)
		} else if to-from >= maxDashboardYears {
			d.Errors.Add("to", "insight.error.too_long", "years", maxDashboardYears)
		} else {
			d.From, d.To = from, to
		}
	}
	d.Filter = insight.Filter{Region: q.Get("region"), ActionArea: q.Get("action_area"), PartnerType: q.Get("partner_type"),
		Type: q.Get("type"), Office: q.Get("office")}
	return d
}

// values writes the query back as URL parameters, for links and downloads.
func (d dashboardQuery) values() url.Values {
	v := url.Values{}
	v.Set("from", strconv.Itoa(d.From))
	v.Set("to", strconv.Itoa(d.To))
	for name, code := range map[string]string{"region": d.Filter.Region, "action_area": d.Filter.ActionArea,
		"partner_type": d.Filter.PartnerType, "type": d.Filter.Type, "office": d.Filter.Office} {
		if code != "" {
			v.Set(name, code)
		}
	}
	return v
}

// registryURL opens the registry on the agreements behind a figure: those signed in the years
// given (the whole period when none), within the dashboard's filter (each of its fields is a
// facet of the registry), narrowed by more facets.
func (d dashboardQuery) registryURL(years []int, more url.Values) string {
	v := url.Values{}
	if len(years) == 0 {
		for y := d.From; y <= d.To; y++ {
			years = append(years, y)
		}
	}
	for _, y := range years {
		v.Add(agreement.FacetYear, strconv.Itoa(y))
	}
	for facet, code := range map[string]string{agreement.FacetRegion: d.Filter.Region, agreement.FacetActionArea: d.Filter.ActionArea,
		agreement.FacetPartnerType: d.Filter.PartnerType, agreement.FacetType: d.Filter.Type,
		agreement.FacetOffice: d.Filter.Office} {
		if code != "" {
			v.Set(facet, code)
		}
	}
	for k, list := range more {
		v[k] = list
	}
	return "/agreements?" + v.Encode()
}

// panel is one chart of the dashboard with its figures as a table, which screen readers read
// and the downloads write.
type panel struct {
	ID, Title string
	Chart     template.HTML
	Columns   []string // the category, then one per figure
	Rows      []panelRow
	Empty     string      // said instead of the chart when there is nothing to show
	Headline  []figure    // the panel's totals, which the page shows above every panel
	Total     insight.Row // the period's totals, for the panel of agreements per year
	CSV, XLSX string      // download links
}

// panelRow is a category of a panel: its figures as numbers (for the downloads) and as the
// reader reads them.
type panelRow struct {
	Label  string
	Href   string
	Values []float64
	Texts  []string
}

// panelContext is what a panel is computed from.
type panelContext struct {
	s   *Server
	r   *http.Request
	l   *i18n.Localizer
	lb  labeller
	q   dashboardQuery
	rtl bool
	// newTypes are the agreement types of new agreements, asked for once by the panels that
	// link to them.
	newTypes func() ([]string, error)
}

// dashboardPanel computes one panel of the dashboard. Adding a panel is writing one of these
// and listing it in dashboardPanels.
type dashboardPanel struct {
	id    string
	build func(ctx context.Context, pc *panelContext) (*panel, error)
}

// dashboardPanels are the panels of the dashboard, in the order the page shows them.
var dashboardPanels = []dashboardPanel{
	{"years", yearsPanel},
	{"regions", regionsPanel},
	{"action_areas", actionAreasPanel},
	{"money", moneyPanel},
	{"partner_types", partnerTypesPanel},
	{"top_partners", topPartnersPanel},
}

// nonAmendmentTypes are the agreement types of new agreements, for links to the registry.
func nonAmendmentTypes(ctx context.Context, pc *panelContext) ([]string, error) {
	if pc.q.Filter.Type != "" {
		return []string{pc.q.Filter.Type}, nil
	}
	codes, err := pc.s.db.ReferenceCodes(ctx, reference.ListAgreementType)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(codes, func(c string) bool { return c == reference.AgreementTypeAmendment }), nil
}

func (pc *panelContext) count(v float64) string { return pc.l.Decimal(v, 1) }

// reportPanel is a panel of one dimension of the agreements report: new agreements (the chart)
// with amendments and value beside them in the table.
func reportPanel(ctx context.Context, pc *panelContext, id string, by insight.Dimension, list, facet string) (*panel, error) {
	report, err := pc.s.db.FilteredAgreementReport(ctx, by, pc.q.From, pc.q.To, pc.q.Filter)
	if err != nil {
		return nil, err
	}
	types, err := pc.newTypes()
	if err != nil {
		return nil, err
	}
	l := pc.l
	p := &panel{ID: id, Title: l.T("insights.panel." + id),
		Columns: []string{l.T("insights.column." + id), l.T("insights.new"), l.T("insights.amendments"), l.T("insights.value_usd")}}
	var bars []chart.Bar
	for _, row := range report.Rows {
		if row.New == 0 {
			continue
		}
		label := pc.lb.code(list, row.Key)
		href := pc.q.registryURL(nil, url.Values{facet: {row.Key}, agreement.FacetType: types})
		bars = append(bars, chart.Bar{Label: label, Value: row.New, Href: href})
		p.Rows = append(p.Rows, reportRow(l, label, href, row))
	}
	p.Chart = chart.Chart{Title: p.Title, Bars: bars, Format: pc.count, RTL: pc.rtl, Horizontal: true, ID: id,
		SeriesNames: [2]string{l.T("insights.new")}}.SVG()
	if len(bars) == 0 {
		p.Empty = l.T("insights.nothing")
	}
	return p, nil
}

func reportRow(l *i18n.Localizer, label, href string, row insight.Row) panelRow {
	return panelRow{Label: label, Href: href, Values: []float64{row.New, row.Amendments, row.ValueUSD.Units()},
		Texts: []string{l.Decimal(row.New, 1), l.Decimal(row.Amendments, 1), l.Money(row.ValueUSD, "USD")}}
}

// yearsPanel: new agreements per year with the amendments beside them, every year of the period.
func yearsPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	report, err := pc.s.db.FilteredAgreementReport(ctx, insight.ByYear, pc.q.From, pc.q.To, pc.q.Filter)
	if err != nil {
		return nil, err
	}
	l := pc.l
	p := &panel{ID: "years", Title: l.T("insights.panel.years"),
		Columns: []string{l.T("insights.column.years"), l.T("insights.new"), l.T("insights.amendments"), l.T("insights.value_usd")}}
	byYear := map[string]insight.Row{}
	for _, row := range report.Rows {
		byYear[row.Key] = row
	}
	var bars []chart.Bar
	for y := pc.q.From; y <= pc.q.To; y++ {
		row := byYear[strconv.Itoa(y)]
		label := l.Year(y)
		href := pc.q.registryURL([]int{y}, nil)
		bars = append(bars, chart.Bar{Label: label, Value: row.New, Second: row.Amendments, Href: href})
		p.Rows = append(p.Rows, reportRow(l, label, href, row))
	}
	p.Chart = chart.Chart{Title: p.Title, Bars: bars, Format: pc.count, RTL: pc.rtl, ID: "years",
		SeriesNames: [2]string{l.T("insights.new"), l.T("insights.amendments")}}.SVG()
	if report.Total == (insight.Row{}) {
		p.Empty = l.T("insights.nothing")
	}
	p.Total = report.Total
	p.Headline = []figure{{l.T("insights.new"), l.Decimal(report.Total.New, 1)},
		{l.T("insights.amendments"), l.Decimal(report.Total.Amendments, 1)},
		{l.T("insights.value_usd"), l.Money(report.Total.ValueUSD, "USD")}}
	return p, nil
}

func regionsPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	return reportPanel(ctx, pc, "regions", insight.ByRegion, reference.ListRegion, agreement.FacetRegion)
}

func actionAreasPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	return reportPanel(ctx, pc, "action_areas", insight.ByActionArea, reference.ListActionArea, agreement.FacetActionArea)
}

// moneyPanel: the value of the agreements signed each year against what funders paid in it.
func moneyPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	years, err := pc.s.db.MoneyByYear(ctx, pc.q.From, pc.q.To, pc.q.Filter)
	if err != nil {
		return nil, err
	}
	l := pc.l
	p := &panel{ID: "money", Title: l.T("insights.panel.money"),
		Columns: []string{l.T("insights.column.years"), l.T("insights.pledged_usd"), l.T("insights.received_usd")}}
	byYear := map[int]insight.YearMoney{}
	for _, y := range years {
		byYear[y.Year] = y
	}
	var bars []chart.Bar
	for y := pc.q.From; y <= pc.q.To; y++ {
		m := byYear[y]
		label := l.Year(y)
		href := pc.q.registryURL([]int{y}, nil)
		bars = append(bars, chart.Bar{Label: label, Value: m.Pledged.Units() / 1e6, Second: m.Received.Units() / 1e6, Href: href,
			Title: l.T("insights.money_bar", "year", label, "pledged", l.Money(m.Pledged, "USD"), "received", l.Money(m.Received, "USD"))})
		p.Rows = append(p.Rows, panelRow{Label: label, Href: href, Values: []float64{m.Pledged.Units(), m.Received.Units()},
			Texts: []string{l.Money(m.Pledged, "USD"), l.Money(m.Received, "USD")}})
	}
	p.Chart = chart.Chart{Title: p.Title + " — " + l.T("insights.usd_millions"), Bars: bars, RTL: pc.rtl, ID: "money",
		Format:      func(v float64) string { return l.Decimal(v, 1) },
		SeriesNames: [2]string{l.T("insights.pledged"), l.T("insights.received")}}.SVG()
	if len(years) == 0 {
		p.Empty = l.T("insights.nothing")
	}
	var received money.Amount
	for _, y := range years {
		received += y.Received
	}
	p.Headline = []figure{{l.T("insights.received_usd"), l.Money(received, "USD")}}
	return p, nil
}

// partnerTypesPanel: how many partners of each type the agreements of the period involve.
func partnerTypesPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	counts, err := pc.s.db.PartnersByType(ctx, pc.q.From, pc.q.To, pc.q.Filter)
	if err != nil {
		return nil, err
	}
	l := pc.l
	p := &panel{ID: "partner_types", Title: l.T("insights.panel.partner_types"),
		Columns: []string{l.T("insights.column.partner_types"), l.T("insights.partners")}}
	var bars []chart.Bar
	for _, c := range counts {
		label := pc.lb.code(reference.ListPartnerType, c.Type)
		href := pc.q.registryURL(nil, url.Values{agreement.FacetPartnerType: {c.Type}})
		bars = append(bars, chart.Bar{Label: label, Value: float64(c.Partners), Href: href})
		p.Rows = append(p.Rows, panelRow{Label: label, Href: href, Values: []float64{float64(c.Partners)}, Texts: []string{l.Int(c.Partners)}})
	}
	p.Chart = chart.Chart{Title: p.Title, Bars: bars, RTL: pc.rtl, Horizontal: true, ID: "partner_types",
		Format: func(v float64) string { return l.Decimal(v, 0) }}.SVG()
	if len(bars) == 0 {
		p.Empty = l.T("insights.nothing")
	}
	return p, nil
}

// topPartnersShown is how many partners the top-partners panel ranks.
const topPartnersShown = 10

// topPartnersPanel: the partners whose agreements of the period are worth the most.
func topPartnersPanel(ctx context.Context, pc *panelContext) (*panel, error) {
	top, err := pc.s.db.TopPartners(ctx, pc.q.From, pc.q.To, pc.q.Filter, topPartnersShown)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(top))
	for i, t := range top {
		ids[i] = idString(t.ID)
	}
	names, err := pc.s.db.PartnerLabels(ctx, ids, pc.l.Lang)
	if err != nil {
		return nil, err
	}
	l := pc.l
	p := &panel{ID: "top_partners", Title: l.T("insights.panel.top_partners"),
		Columns: []string{l.T("insights.column.top_partners"), l.T("insights.agreements"), l.T("insights.value_usd")}}
	var bars []chart.Bar
	for _, t := range top {
		label := names[idString(t.ID)]
		if label == "" {
			label = t.Name
		}
		href := pc.q.registryURL(nil, url.Values{agreement.FacetPartner: {idString(t.ID)}})
		bars = append(bars, chart.Bar{Label: label, Value: t.ValueUSD.Units() / 1e6, Href: href,
			Title: label + ": " + l.Money(t.ValueUSD, "USD")})
		p.Rows = append(p.Rows, panelRow{Label: label, Href: href, Values: []float64{t.Agreements, t.ValueUSD.Units()},
			Texts: []string{l.Decimal(t.Agreements, 1), l.Money(t.ValueUSD, "USD")}})
	}
	p.Chart = chart.Chart{Title: p.Title + " — " + l.T("insights.usd_millions"), Bars: bars, RTL: pc.rtl, Horizontal: true,
		ID: "top_partners", Format: func(v float64) string { return l.Decimal(v, 2) }}.SVG()
	if len(bars) == 0 {
		p.Empty = l.T("insights.nothing")
	}
	return p, nil
}

// insightsView is the dashboard page.
type insightsView struct {
	page
	Q                                            dashboardQuery
	From, To                                     string // as typed, or the period shown
	Errors                                       formErrors
	Regions, Areas, PartnerTypes, Types, Offices []option
	Headline                                     []figure
	Panels                                       []*panel
	Alerts                                       []alertRow
	StatusURL                                    string
	Filtered                                     bool
}

// newPanelContext reads the dashboard's query and the labels its panels need.
func (s *Server) newPanelContext(r *http.Request) (*panelContext, error) {
	lb, err := s.labeller(r)
	if err != nil {
		return nil, err
	}
	l := localizer(r)
	pc := &panelContext{s: s, r: r, l: l, lb: lb, q: parseDashboardQuery(r.URL.Query()), rtl: l.Dir() == "rtl"}
	pc.newTypes = sync.OnceValues(func() ([]string, error) { return nonAmendmentTypes(r.Context(), pc) })
	return pc, nil
}

// buildPanels computes the panels side by side: each is its own query, and SQLite and
// PostgreSQL both serve concurrent reads.
func buildPanels(ctx context.Context, pc *panelContext, panels []dashboardPanel) ([]*panel, error) {
	out := make([]*panel, len(panels))
	errs := make([]error, len(panels))
	var wg sync.WaitGroup
	for i, dp := range panels {
		wg.Go(func() { out[i], errs[i] = dp.build(ctx, pc) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// showInsights renders the dashboard: every panel for the chosen period and filter.
func (s *Server) showInsights(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pc, err := s.newPanelContext(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := insightsView{page: s.newPage(r, "insights.title"), Q: pc.q, Filtered: !pc.q.Filter.IsZero()}
	v.Panels, err = buildPanels(ctx, pc, dashboardPanels)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	query := pc.q.values()
	for _, p := range v.Panels {
		p.CSV = "/insights/export?" + withParams(query, "panel", p.ID, "format", "csv")
		p.XLSX = "/insights/export?" + withParams(query, "panel", p.ID, "format", "xlsx")
		v.Headline = append(v.Headline, p.Headline...)
	}
	if v.Alerts, err = s.agreementAlerts(r, pc.q.Filter); err != nil {
		s.serverError(w, r, err)
		return
	}
	v.StatusURL = "/insights/status?" + withParams(url.Values{}, "from", strconv.Itoa(pc.q.From), "to", strconv.Itoa(pc.q.To))
	if err := s.fillDashboardForm(ctx, pc, &v); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "insights", v)
}

// figure is a headline number with what it counts.
type figure struct{ Label, Value string }

// withParams copies v and sets pairs of names and values on it, encoded for a URL.
func withParams(v url.Values, pairs ...string) string {
	out := url.Values{}
	for k, list := range v {
		out[k] = slices.Clone(list)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i], pairs[i+1])
	}
	return out.Encode()
}

// fillDashboardForm fills the period and the filter's choices of the dashboard's form.
func (s *Server) fillDashboardForm(ctx context.Context, pc *panelContext, v *insightsView) error {
	l, lb, f := pc.l, pc.lb, pc.q.Filter
	v.From, v.To = strconv.Itoa(pc.q.From), strconv.Itoa(pc.q.To)
	if len(pc.q.Errors) > 0 {
		v.From, v.To = pc.q.Input.Get("from"), pc.q.Input.Get("to")
		v.Errors, _ = explain(l, pc.q.Errors.Err())
	}
	lists := []struct {
		list     string
		selected string
		into     *[]option
	}{
		{reference.ListRegion, f.Region, &v.Regions},
		{reference.ListActionArea, f.ActionArea, &v.Areas},
		{reference.ListPartnerType, f.PartnerType, &v.PartnerTypes},
		{reference.ListAgreementType, f.Type, &v.Types},
	}
	for _, list := range lists {
		codes, err := s.db.ReferenceCodes(ctx, list.list)
		if err != nil {
			return err
		}
		*list.into = append([]option{{Value: "", Label: l.T("insights.all"), Selected: list.selected == ""}},
			lb.options(list.list, codes, list.selected, false)...)
	}
	v.Offices = []option{{Value: "", Label: l.T("insights.all"), Selected: f.Office == ""},
		{Value: agreement.OfficeHQ, Label: l.T("agreement.office.hq"), Selected: f.Office == agreement.OfficeHQ}}
	for _, region := range reference.Regions {
		if region != reference.RegionGLO {
			v.Offices = append(v.Offices, option{Value: region, Label: lb.code(reference.ListRegion, region), Selected: f.Office == region})
		}
	}
	return nil
}

// exportInsights downloads one panel's figures, as CSV or as an Excel workbook, with the
// headings in the reader's language and the numbers unformatted.
func (s *Server) exportInsights(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	i := slices.IndexFunc(dashboardPanels, func(p dashboardPanel) bool { return p.id == q.Get("panel") })
	format := q.Get("format")
	if i < 0 || (format != "csv" && format != "xlsx") {
		s.notFound(w, r)
		return
	}
	pc, err := s.newPanelContext(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := dashboardPanels[i].build(r.Context(), pc)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := "pactum-" + strings.ReplaceAll(p.ID, "_", "-") + "-" + strconv.Itoa(pc.q.From) + "-" + strconv.Itoa(pc.q.To) + "." + format
	each := func(write func([]any) error) error {
		for _, row := range p.Rows {
			cells := []any{row.Label}
			for _, v := range row.Values {
				cells = append(cells, v)
			}
			if err := write(cells); err != nil {
				return err
			}
		}
		return nil
	}
	if format == "xlsx" {
		s.writeXLSXCells(w, r, p.ID, name, p.Columns, each)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, name)
	w.Write([]byte("\uFEFF"))
	cw := csvsafe.NewWriter(w)
	cw.Write(p.Columns)
	each(func(cells []any) error {
		record := make([]string, len(cells))
		for i, c := range cells {
			switch c := c.(type) {
			case float64:
				record[i] = strconv.FormatFloat(c, 'f', -1, 64)
			case string:
				record[i] = c
			}
		}
		return cw.Write(record)
	})
	cw.Flush()
}
