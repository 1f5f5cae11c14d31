package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/csvsafe"
	"pactum/internal/importer"
)

// agreementExportColumns are the columns of the import template (docs/import.md), then what
// Pactum keeps besides, which an import leaves alone. Their headings are in the reader's language
// (exportHeader).
var agreementExportColumns = []string{"reference", "title", "type", "partners", "signed_on", "start_on", "end_on", "status",
	"amount", "currency", "regions", "countries", "action_area", "amends", "notes",
	"value_usd", "in_kind_usd", "other_action_areas", "framework", "amendment_kind", "initiative", "office", "confidential",
	"title_ar", "title_es", "title_fr", "title_ru", "title_zh"}

// agreementExportRow writes an agreement in the export's columns: partners as key:role,
// regions as code:share, lists separated by ';'.
func agreementExportRow(a *agreement.Agreement) []string {
	var parties, regions []string
	for _, p := range a.Parties {
		parties = append(parties, p.PartnerKey+":"+p.Role)
	}
	for _, r := range a.Regions {
		regions = append(regions, r.Region+":"+strconv.FormatFloat(r.Share, 'f', -1, 64))
	}
	row := []string{a.Reference, a.Titles["en"], a.Type, strings.Join(parties, ";"), a.SignedOn.String(), a.StartOn.String(),
		a.EndOn.String(), a.Status, a.Amount.String(), a.Currency, strings.Join(regions, ";"), strings.Join(a.Countries, ";"),
		a.PrimaryActionArea, a.AmendsRef, a.Notes, a.ValueUSD.String(), a.InKindUSD.String(), strings.Join(a.OtherActionAreas, ";"),
		a.FrameworkRef, a.AmendmentKind, a.Initiative, a.Office, strconv.FormatBool(a.Confidential)}
	for _, lang := range []string{"ar", "es", "fr", "ru", "zh"} {
		row = append(row, a.Titles[lang])
	}
	return row
}

func agreementExportName(ext string) string {
	return "pactum-agreements-" + time.Now().UTC().Format("2006-01-02") + "." + ext
}

// exportAgreementsCSV streams the agreements the registry's filter selects as CSV, with a
// byte-order mark for spreadsheet programs.
func (s *Server) exportAgreementsCSV(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	f, _ := agreementFilter(r.URL.Query(), l.Lang, currentUser(r))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, agreementExportName("csv"))
	w.Write([]byte("\uFEFF"))
	cw := csvsafe.NewWriter(w)
	cw.Write(exportHeader(l, importer.FileAgreements, agreementExportColumns))
	err := s.db.ForEachAgreement(r.Context(), f, func(a *agreement.Agreement) error { return cw.Write(agreementExportRow(a)) })
	cw.Flush()
	if err != nil {
		// The header is sent: the truncated file is the only sign the client gets; the log has the cause.
		s.log.Error("export agreements", "err", err)
	}
}

// exportAgreementsXLSX writes the selected agreements as an Excel workbook, streamed row by row.
func (s *Server) exportAgreementsXLSX(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	f, _ := agreementFilter(r.URL.Query(), l.Lang, currentUser(r))
	header := exportHeader(l, importer.FileAgreements, agreementExportColumns)
	s.writeXLSX(w, r, l.T("export.sheet.agreements"), agreementExportName("xlsx"), header, func(write func([]string) error) error {
		return s.db.ForEachAgreement(r.Context(), f, func(a *agreement.Agreement) error { return write(agreementExportRow(a)) })
	})
}
