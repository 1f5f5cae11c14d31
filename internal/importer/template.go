package importer

import (
	"io"

	"github.com/xuri/excelize/v2"

	"pactum/internal/csvsafe"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

// Template is the empty file of a kind of import that people fill in: its header row, and the
// columns that take codes, which the workbook lists on a second sheet.
type Template struct {
	// Name names the downloads (pactum-NAME-template.csv) and the workbook's first sheet.
	Name    string
	Columns []string
	lists   []templateList
}

// PartnerTemplate is the empty partner file.
var PartnerTemplate = &Template{Name: "partners", Columns: partner.Columns, lists: templateLists}

// AgreementTemplate is the empty agreement file.
var AgreementTemplate = &Template{Name: "agreements", Columns: AgreementColumns, lists: agreementTemplateLists}

// WriteCSV writes the empty file: the header row, in UTF-8 with a byte-order mark so that
// spreadsheet programs read Arabic and Chinese correctly.
func (t *Template) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w)
	cw.Write(t.Columns)
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

// WriteXLSX writes the empty workbook: a first sheet with the header row, which is the one an
// import reads, and a second sheet listing the codes each column takes with their English labels
// as rs has them.
func (t *Template) WriteXLSX(w io.Writer, rs *Resolver) error {
	sheet, columns, lists := t.Name, t.Columns, t.lists
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
