package web

import (
	"bytes"
	"net/http"
	"time"

	"pactum/internal/civil"
	"pactum/internal/statuspdf"
)

// statusAnalysisPDF downloads the status analysis as an A4 PDF in the reader's language.
func (s *Server) statusAnalysisPDF(w http.ResponseWriter, r *http.Request) {
	a, pc, err := s.buildStatusAnalysis(r.Context(), r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l := pc.l
	doc := statuspdf.Document{Lang: l.Lang, Title: l.T("status.heading", "from", l.Year(a.From), "to", l.Year(a.To)),
		Subtitle: l.T("status.subtitle"), Footer: l.T("status.footer", "date", l.Date(civil.Of(time.Now())))}
	for _, f := range a.Totals {
		doc.Totals = append(doc.Totals, statuspdf.Figure{Label: f.Label, Value: f.Value})
	}
	for i, p := range a.Panels {
		c := statuspdf.Chart{Title: p.Title, Sentence: a.Sentences[i], Series: []string{l.T("insights.new")}, Horizontal: p.ID != "years"}
		if p.ID == "years" {
			c.Series = append(c.Series, l.T("insights.amendments"))
		}
		for _, row := range p.Rows {
			n := len(c.Series)
			c.Bars = append(c.Bars, statuspdf.Bar{Label: row.Label, Values: row.Values[:n], Texts: row.Texts[:n]})
		}
		doc.Charts = append(doc.Charts, c)
	}
	var buf bytes.Buffer
	if err := statuspdf.Write(&buf, doc); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	attachment(w, statusFileName(a, l.Lang, "pdf"))
	w.Write(buf.Bytes())
}
