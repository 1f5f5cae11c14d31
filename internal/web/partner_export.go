package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/xuri/excelize/v2"

	"pactum/internal/csvsafe"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/partner"
)

// exportColumns follow the import columns with the figures Pactum keeps, which an import ignores.
var exportColumns = append(append([]string{}, partner.Columns...), "agreements", "value_usd", "last_signed_on")

// exportHeader writes the headings of a file's columns in the reader's language; an import reads
// them back in any language.
func exportHeader(l *i18n.Localizer, file string, columns []string) []string {
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = l.T(importer.HeadingKey(file, c))
	}
	return header
}

func exportRow(p *partner.Partner) []string {
	return append(p.Row(), fmt.Sprint(p.AgreementCount), p.ValueUSD.String(), p.LastSignedOn.String())
}

func exportName(ext string) string {
	return "pactum-partners-" + time.Now().UTC().Format("2006-01-02") + "." + ext
}

// exportPartnersCSV streams the partners the list's filter selects as CSV (UTF-8 with a byte-order
// mark, so that spreadsheet programs read Arabic and Chinese correctly).
func (s *Server) exportPartnersCSV(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	f, _ := partnerFilter(r.URL.Query(), l.Lang)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, exportName("csv"))
	w.Write([]byte("\uFEFF"))
	cw := csvsafe.NewWriter(w)
	cw.Write(exportHeader(l, importer.FilePartners, exportColumns))
	err := s.db.ForEachPartner(r.Context(), f, func(p *partner.Partner) error { return cw.Write(exportRow(p)) })
	cw.Flush()
	if err != nil {
		// The header is sent: the truncated file is the only sign the client gets; the log has the cause.
		s.log.Error("export partners", "err", err)
	}
}

// exportPartnersXLSX writes the selected partners as an Excel workbook, streamed row by row.
func (s *Server) exportPartnersXLSX(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	f, _ := partnerFilter(r.URL.Query(), l.Lang)
	header := exportHeader(l, importer.FilePartners, exportColumns)
	s.writeXLSX(w, r, l.T("export.sheet.partners"), exportName("xlsx"), header, func(write func([]string) error) error {
		return s.db.ForEachPartner(r.Context(), f, func(p *partner.Partner) error { return write(exportRow(p)) })
	})
}

// writeXLSX answers with a workbook of one sheet: the header row, then the rows each writes,
// streamed to the sheet so that a large export does not hold every cell in memory twice.
func (s *Server) writeXLSX(w http.ResponseWriter, r *http.Request, sheet, filename string, header []string,
	each func(write func([]string) error) error) {
	s.writeXLSXCells(w, r, sheet, filename, header, func(write func([]any) error) error {
		return each(func(values []string) error {
			cells := make([]any, len(values))
			for i, v := range values {
				cells[i] = v
			}
			return write(cells)
		})
	})
}

// writeXLSXCells writes a workbook of one sheet whose cells may be numbers, streamed row by row.
func (s *Server) writeXLSXCells(w http.ResponseWriter, r *http.Request, sheet, filename string, header []string,
	each func(write func([]any) error) error) {
	book := excelize.NewFile()
	defer book.Close()
	book.SetSheetName("Sheet1", sheet)
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	row := 1
	write := func(cells []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := write(head); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := each(write); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := sw.Flush(); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	attachment(w, filename)
	if err := book.Write(w); err != nil {
		s.log.Error("export "+sheet, "err", err)
	}
}
