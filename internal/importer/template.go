package importer

import (
	"encoding/csv"
	"io"

	"github.com/xuri/excelize/v2"

	"pactum/internal/partner"
	"pactum/internal/reference"
)

// WriteTemplateCSV writes an empty partner file: the header row, in UTF-8 with a byte-order
// mark so that spreadsheet programs read Arabic and Chinese correctly.
func WriteTemplateCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(partner.Columns)
	cw.Flush()
	return cw.Error()
}

// templateLists are the columns that take codes, with their list, in the order of the columns.
var templateLists = []struct{ column, list string }{
	{"type", reference.ListPartnerType},
	{"membership", reference.ListMembership},
	{"status", ListStatus},
	{"country, countries", reference.ListCountry},
	{"action_areas", reference.ListActionArea},
	{"regions", reference.ListRegion},
	{"financing_types", reference.ListFinancingType},
}

// WriteTemplateXLSX writes an empty partner workbook: a first sheet with the header row, which is
// the one an import reads, and a second sheet listing the codes each column takes with their
// English labels.
func WriteTemplateXLSX(w io.Writer, rs *Resolver) error {
	book := excelize.NewFile()
	defer book.Close()
	if err := book.SetSheetName("Sheet1", "partners"); err != nil {
		return err
	}
	header := make([]any, len(partner.Columns))
	for i, c := range partner.Columns {
		header[i] = c
	}
	if err := book.SetSheetRow("partners", "A1", &header); err != nil {
		return err
	}
	if err := book.SetPanes("partners", &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
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
	for _, l := range templateLists {
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
