package web

import (
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"pactum/internal/importer"
	"pactum/internal/user"
)

// exportHeaderOf downloads an export and returns its header row: of the CSV file, or of the
// workbook's sheet, which must have the name given.
func exportHeaderOf(t *testing.T, app *testApp, c *http.Client, path, sheet string) []string {
	t.Helper()
	resp, body := app.get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	if sheet == "" {
		header, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).Read()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return header
	}
	book, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := book.GetSheetList(); !slices.Equal(got, []string{sheet}) {
		t.Errorf("%s: sheets %q, want %q", path, got, sheet)
	}
	rows, err := book.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: no rows in sheet %q (%v)", path, sheet, err)
	}
	return rows[0]
}

// The exports' headings and sheet names are in the reader's language, one heading per column.
func TestExportsWriteHeadingsInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	viewer := app.client(user.RoleViewer)
	tests := []struct {
		lang, path, sheet string
		file              string
		columns           []string
		want              map[int]string // headings by column, as the catalogue writes them
	}{
		{"fr", "/partners/export.csv?lang=fr&type=foundation", "", importer.FilePartners, exportColumns,
			map[int]string{0: "Clé", 1: "Nom", 2: "Nom (arabe)", 8: "Type de partenaire", 19: "Nombre d'accords", 21: "Date de la dernière signature"}},
		{"fr", "/partners/export.xlsx?lang=fr&type=foundation", "Partenaires", importer.FilePartners, exportColumns,
			map[int]string{0: "Clé", 2: "Nom (arabe)", 20: "Valeur des accords (USD)"}},
		{"ar", "/partners/export.csv?lang=ar&type=foundation", "", importer.FilePartners, exportColumns,
			map[int]string{0: "المفتاح", 1: "الاسم", 2: "الاسم بالعربية", 18: "الحالة"}},
		{"fr", "/agreements/export.csv?lang=fr&year=2016", "", importer.FileAgreements, agreementExportColumns,
			map[int]string{0: "Référence", 1: "Titre", 2: "Type d'accord", 15: "Valeur (USD)", 27: "Titre (chinois)"}},
		{"ar", "/agreements/export.csv?lang=ar&year=2016", "", importer.FileAgreements, agreementExportColumns,
			map[int]string{0: "المرجع", 1: "العنوان", 8: "المبلغ", 23: "العنوان بالعربية"}},
		{"ar", "/agreements/export.xlsx?lang=ar&year=2016", "الاتفاقات", importer.FileAgreements, agreementExportColumns,
			map[int]string{0: "المرجع", 9: "العملة"}},
	}
	for _, tt := range tests {
		header := exportHeaderOf(t, app, viewer, tt.path, tt.sheet)
		if len(header) != len(tt.columns) {
			t.Fatalf("%s: %d headings for %d columns: %q", tt.path, len(header), len(tt.columns), header)
		}
		catalog := app.server.bundle.Catalog(tt.lang)
		for i, column := range tt.columns {
			if text, _ := catalog.Text(importer.HeadingKey(tt.file, column)); header[i] != text || text == "" {
				t.Errorf("%s: column %s is headed %q, want %q", tt.path, column, header[i], text)
			}
			if slices.Index(header, header[i]) != i {
				t.Errorf("%s: the heading %q is there twice", tt.path, header[i])
			}
		}
		for i, want := range tt.want {
			if header[i] != want {
				t.Errorf("%s: heading %d is %q, want %q", tt.path, i, header[i], want)
			}
		}
	}
}

// importedCount finds a count of an import's preview by its label.
func importedCount(body, label string) string {
	m := regexp.MustCompile(`<dt>` + regexp.QuoteMeta(label) + `</dt><dd>([^<]*)</dd>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// A partner list and an agreement registry exported in French import again for a reader of
// another language with nothing changed: every heading names its column, the figures Pactum
// computes are ignored, every row is unchanged.
func TestFrenchExportsImportAgainUnchanged(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	admin := app.client(user.RoleAdmin)
	tests := []struct {
		export, importPage, nothing, unchanged string
		ignored                                []string
	}{
		{"/partners/export.csv?lang=fr", "/partners/import?lang=en", "Every row matches the partners as stored: there is nothing to import.",
			"Partners unchanged", []string{"Nombre d'accords", "Valeur des accords (USD)", "Date de la dernière signature"}},
		{"/partners/export.xlsx?lang=fr", "/partners/import?lang=en", "Every row matches the partners as stored: there is nothing to import.",
			"Partners unchanged", []string{"Nombre d'accords", "Valeur des accords (USD)", "Date de la dernière signature"}},
		{"/agreements/export.csv?lang=fr&year=2016", "/agreements/import?lang=en", "Every row matches the agreements as stored: there is nothing to import.",
			"Agreements unchanged", []string{"Valeur (USD)", "Autres domaines d'action", "Accord-cadre"}},
		{"/agreements/export.xlsx?lang=fr&year=2015", "/agreements/import?lang=en", "Every row matches the agreements as stored: there is nothing to import.",
			"Agreements unchanged", []string{"Valeur (USD)", "Autres domaines d'action", "Accord-cadre"}},
	}
	for _, tt := range tests {
		resp, exported := app.get(admin, tt.export)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tt.export, resp.StatusCode)
		}
		name := "export.csv"
		if strings.Contains(tt.export, ".xlsx") {
			name = "export.xlsx"
		}
		resp, body := app.upload(admin, tt.importPage, nil, "file", name, []byte(exported))
		rows := importedCount(body, "Rows")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, tt.nothing) || rows == "" || rows == "0" {
			t.Fatalf("%s imported again: %d, %s rows\n%s", tt.export, resp.StatusCode, rows, body)
		}
		if got := importedCount(body, tt.unchanged); got != rows {
			t.Errorf("%s imported again: %s of %s rows unchanged", tt.export, got, rows)
		}
		if want := "Columns ignored: " + html.EscapeString(strings.Join(tt.ignored, ", ")); !strings.Contains(body, want) {
			t.Errorf("%s imported again does not say %q\n%s", tt.export, want, body)
		}
	}
}
