package importer

import (
	"io"

	"github.com/xuri/excelize/v2"

	"pactum/internal/csvsafe"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// WriteTemplateCSV writes an empty partner file: the header row, in UTF-8 with a byte-order
// mark so that spreadsheet programs read Arabic and Chinese correctly.
func WriteTemplateCSV(w io.Writer) error { return writeTemplateCSV(w, partner.Columns) }

// WriteAgreementTemplateCSV writes an empty agreement file, as WriteTemplateCSV does.
func WriteAgreementTemplateCSV(w io.Writer) error { return writeTemplateCSV(w, AgreementColumns) }

func writeTemplateCSV(w io.Writer, columns []string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	cw.Write(columns)
	cw.Flush()
	return cw.Error()
}

// templateList is a column that takes codes, with its list.
type templateList struct{ column, list string }

// templateLists are the columns of a partner file that take codes, in the order of the columns.
var templateLists = []templateList{
	{"type", reference.ListPartnerType},
	{"membership", reference.ListMembership},
	{"status", ListStatus},
	{"country, countries", reference.ListCountry},
	{"action_areas", reference.ListActionArea},
	{"regions", reference.ListRegion},
	{"financing_types", reference.ListFinancingType},
}

// agreementTemplateLists are the columns of an agreement file that take codes.
var agreementTemplateLists = []templateList{
	{"type", reference.ListAgreementType},
	{"partners (role)", ListPartyRole},
	{"status", ListAgreementStatus},
	{"currency", reference.ListCurrency},
	{"regions, office", reference.ListRegion},
	{"countries", reference.ListCountry},
	{"action_area", reference.ListActionArea},
	{"amendment_kind", ListAmendmentKind},
}

// WriteTemplateXLSX writes an empty partner workbook: a first sheet with the header row, which is
// the one an import reads, and a second sheet listing the codes each column takes with their
// English labels.
func WriteTemplateXLSX(w io.Writer, rs *Resolver) error {
	return writeTemplateXLSX(w, rs, "partners", partner.Columns, templateLists)
}

// WriteAgreementTemplateXLSX writes an empty agreement workbook, as WriteTemplateXLSX does.
func WriteAgreementTemplateXLSX(w io.Writer, rs *Resolver) error {
	return writeTemplateXLSX(w, rs, "agreements", AgreementColumns, agreementTemplateLists)
}

func writeTemplateXLSX(w io.Writer, rs *Resolver, sheet string, columns []string, lists []templateList) error {
	book := excelize.NewFile()
	defer book.Close()
	if err := book.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c
	}
	if err := book.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	if err := book.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if _, err := book.NewSheet("codes"); err != nil {
		return err
	}
	sw, err := book.NewStreamWriter("codes")
	if err != nil {
		return err
	}
	n := 1
	write := func(cells ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		n++
		return sw.SetRow(cell, cells)
	}
	if err := write("column", "code", "English label"); err != nil {
		return err
	}
	for _, l := range lists {
		for _, e := range rs.entries(l.list) {
			if err := write(l.column, e.Code, e.Label); err != nil {
				return err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	book.SetActiveSheet(0)
	return book.Write(w)
}
