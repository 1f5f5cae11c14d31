package web

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pactum/internal/i18n"
	"pactum/internal/insight"
)

// statusPanels are the three charts of the yearly status analysis, as section 3 of the bureau's
// report to its advisory group has them.
var statusPanels = []dashboardPanel{
	{"years", yearsPanel},
	{"regions", regionsPanel},
	{"action_areas", actionAreasPanel},
}

// statusAnalysis is the status analysis of a period: its totals, and each chart with the
// sentence that says what it shows.
type statusAnalysis struct {
	From, To int
	Total    insight.Row
	Totals   []figure
	Panels   []*panel
	// Sentences go with Panels, one each.
	Sentences []string
}

// buildStatusAnalysis computes the status analysis for the period of the request, over every
// agreement (it takes no filter: it is the bureau's whole record).
func (s *Server) buildStatusAnalysis(ctx context.Context, r *http.Request) (*statusAnalysis, *panelContext, error) {
	pc, err := s.newPanelContext(r)
	if err != nil {
		return nil, nil, err
	}
	pc.q.Filter = insight.Filter{}
	panels, err := buildPanels(ctx, pc, statusPanels)
	if err != nil {
		return nil, nil, err
	}
	l := pc.l
	report := panels[0] // agreements per year, with the period's totals
	a := &statusAnalysis{From: pc.q.From, To: pc.q.To, Total: report.Total, Panels: panels}
	a.Totals = []figure{
		{l.T("insights.new"), l.Decimal(report.Total.New, 1)},
		{l.T("insights.amendments"), l.Decimal(report.Total.Amendments, 1)},
		{l.T("status.value"), l.T("status.millions", "value", l.MoneyMillions(report.Total.ValueUSD))},
	}
	a.Sentences = []string{yearsSentence(l, a), rankSentence(l, "status.sentence.regions", panels[1]),
		rankSentence(l, "status.sentence.action_areas", panels[2])}
	return a, pc, nil
}

// yearsSentence says how many agreements the period brought and which year brought the most.
func yearsSentence(l *i18n.Localizer, a *statusAnalysis) string {
	if a.Total.New+a.Total.Amendments == 0 {
		return l.T("insights.nothing")
	}
	rows := a.Panels[0].Rows
	top := slices.MaxFunc(rows, func(x, y panelRow) int { return compareFloat(x.Values[0], y.Values[0]) })
	return l.T("status.sentence.years", "from", l.Year(a.From), "to", l.Year(a.To),
		"new", l.Decimal(a.Total.New, 1), "amendments", l.Decimal(a.Total.Amendments, 1),
		"value", l.MoneyMillions(a.Total.ValueUSD), "year", top.Label, "count", top.Texts[0])
}

// rankSentence names the two categories of a panel with the most new agreements.
func rankSentence(l *i18n.Localizer, key string, p *panel) string {
	rows := slices.Clone(p.Rows)
	if len(rows) == 0 {
		return l.T("insights.nothing")
	}
	slices.SortStableFunc(rows, func(x, y panelRow) int { return compareFloat(y.Values[0], x.Values[0]) })
	if len(rows) == 1 {
		return l.T(key+".one", "first", rows[0].Label, "first_count", rows[0].Texts[0])
	}
	return l.T(key, "first", rows[0].Label, "first_count", rows[0].Texts[0], "second", rows[1].Label, "second_count", rows[1].Texts[0])
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// statusView is the status analysis page.
type statusView struct {
	page
	A                  *statusAnalysis
	From, To           string
	Errors             formErrors
	PDF, XLSX, Insight string
}

// showStatusAnalysis renders the status analysis of a period, printable on A4.
func (s *Server) showStatusAnalysis(w http.ResponseWriter, r *http.Request) {
	a, pc, err := s.buildStatusAnalysis(r.Context(), r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := pc.l
	v := statusView{page: s.newPage(r, "status.title"), A: a, From: strconv.Itoa(a.From), To: strconv.Itoa(a.To)}
	v.Title = l.T("status.heading", "from", l.Year(a.From), "to", l.Year(a.To))
	if len(pc.q.Errors) > 0 {
		v.From, v.To = pc.q.Input.Get("from"), pc.q.Input.Get("to")
		v.Errors, _ = explain(l, pc.q.Errors.Err())
	}
	period := withParams(nil, "from", strconv.Itoa(a.From), "to", strconv.Itoa(a.To))
	v.PDF, v.XLSX, v.Insight = "/insights/status.pdf?"+period, "/insights/status.xlsx?"+period, "/insights?"+period
	s.render(w, r, http.StatusOK, "insights_status", v)
}

// statusFileName names the downloads of a period's status analysis.
func statusFileName(a *statusAnalysis, lang, ext string) string {
	return "pactum-status-" + strconv.Itoa(a.From) + "-" + strconv.Itoa(a.To) + "-" + lang + "." + ext
}

// statusAnalysisXLSX downloads the status analysis as a workbook: the totals and sentences on a
// first sheet, then one sheet per chart with its figures as numbers.
func (s *Server) statusAnalysisXLSX(w http.ResponseWriter, r *http.Request) {
	a, pc, err := s.buildStatusAnalysis(r.Context(), r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := pc.l
	book := excelize.NewFile()
	defer book.Close()
	summary := l.T("status.sheet.summary")
	book.SetSheetName("Sheet1", summary)
	rows := [][]any{
		{l.T("status.heading", "from", l.Year(a.From), "to", l.Year(a.To))},
		{},
		{l.T("insights.new"), a.Total.New},
		{l.T("insights.amendments"), a.Total.Amendments},
		{l.T("insights.value_usd"), a.Total.ValueUSD.Units()},
		{},
	}
	for i, p := range a.Panels {
		rows = append(rows, []any{p.Title}, []any{a.Sentences[i]})
	}
	if err := setRows(book, summary, rows); err != nil {
		s.serverError(w, r, err)
		return
	}
	book.SetColWidth(summary, "A", "A", 60)
	for _, p := range a.Panels {
		sheet := sheetName(p.Title)
		if _, err := book.NewSheet(sheet); err != nil {
			s.serverError(w, r, err)
			return
		}
		header := make([]any, len(p.Columns))
		for i, c := range p.Columns {
			header[i] = c
		}
		table := [][]any{header}
		for _, row := range p.Rows {
			cells := []any{row.Label}
			for _, v := range row.Values {
				cells = append(cells, v)
			}
			table = append(table, cells)
		}
		if err := setRows(book, sheet, table); err != nil {
			s.serverError(w, r, err)
			return
		}
		book.SetColWidth(sheet, "A", "A", 40)
		book.SetColWidth(sheet, "B", "D", 18)
	}
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	sendWorkbook(w, statusFileName(a, l.Lang, "xlsx"), buf.Bytes())
}

// setRows writes rows of cells into a sheet from its first cell.
func setRows(book *excelize.File, sheet string, rows [][]any) error {
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := book.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	return nil
}

// sheetName makes a title a valid sheet name: at most 31 characters, none of : \ / ? * [ ],
// and no apostrophe at either end.
func sheetName(title string) string {
	var out []rune
	for _, c := range title {
		switch c {
		case ':', '\\', '/', '?', '*', '[', ']':
			c = ' '
		}
		out = append(out, c)
	}
	if len(out) > 31 {
		out = out[:31]
	}
	return strings.Trim(string(out), "' ")
}
