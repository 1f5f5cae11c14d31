package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/csvsafe"
	"pactum/internal/importer"
	"pactum/internal/user"
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

// exportBatch is how many agreements an export holds while it looks up, at once, those they
// amend and fall under.
const exportBatch = 500

// eachAgreementExportRow calls write with the row of every agreement f selects, as u sees it:
// the references of the agreements it amends and falls under are left empty when u may not see
// those, as on its page (hideLinks), so that an export shows no link its reader could not follow
// (and imports again unchanged: docs/import.md). An export runs to a million rows: the links of
// exportBatch agreements are looked up together, not row by row.
func (s *Server) eachAgreementExportRow(ctx context.Context, f agreement.Filter, u *user.User, write func([]string) error) error {
	batch := make([]*agreement.Agreement, 0, exportBatch)
	flush := func() error {
		var refs []string
		for _, a := range batch {
			for _, ref := range []string{a.AmendsRef, a.FrameworkRef} {
				if ref != "" {
					refs = append(refs, ref)
				}
			}
		}
		slices.Sort(refs)
		heads, err := s.db.AgreementHeads(ctx, slices.Compact(refs))
		if err != nil {
			return err
		}
		hidden := func(ref string) bool { h := heads[ref]; return h != nil && !agreement.CanSee(u, h) }
		for _, a := range batch {
			if hidden(a.AmendsRef) {
				a.AmendsRef = ""
			}
			if hidden(a.FrameworkRef) {
				a.FrameworkRef = ""
			}
			if err := write(agreementExportRow(a)); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err := s.db.ForEachAgreement(ctx, f, func(a *agreement.Agreement) error {
		if batch = append(batch, a); len(batch) < exportBatch {
			return nil
		}
		return flush()
	})
	if err != nil {
		return err
	}
	return flush()
}

func agreementExportName(ext string) string {
	return "pactum-agreements-" + time.Now().UTC().Format("2006-01-02") + "." + ext
}

// exportAgreementsCSV streams the agreements the registry's filter selects as CSV, as the reader
// sees them (eachAgreementExportRow), with a byte-order mark for spreadsheet programs.
func (s *Server) exportAgreementsCSV(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	u := currentUser(r)
	f, _ := agreementFilter(r.URL.Query(), l.Lang, u)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	attachment(w, agreementExportName("csv"))
	w.Write([]byte("\uFEFF"))
	cw := csvsafe.NewWriter(w)
	cw.Write(exportHeader(l, importer.FileAgreements, agreementExportColumns))
	err := s.eachAgreementExportRow(r.Context(), f, u, cw.Write)
	cw.Flush()
	if err != nil {
		// The header is sent: the truncated file is the only sign the client gets; the log has the cause.
		s.log.Error("export agreements", "err", err)
	}
}

// exportAgreementsXLSX writes the selected agreements as an Excel workbook, streamed row by row.
func (s *Server) exportAgreementsXLSX(w http.ResponseWriter, r *http.Request) {
	l := localizer(r)
	u := currentUser(r)
	f, _ := agreementFilter(r.URL.Query(), l.Lang, u)
	header := exportHeader(l, importer.FileAgreements, agreementExportColumns)
	s.writeXLSX(w, r, l.T("export.sheet.agreements"), agreementExportName("xlsx"), header, func(write func([]string) error) error {
		return s.eachAgreementExportRow(r.Context(), f, u, write)
	})
}
