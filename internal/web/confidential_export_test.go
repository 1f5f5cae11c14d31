package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// exportBytes downloads an export of the registry as c and returns the file and, for a workbook,
// what each of its parts unpacks to: a reference written in a workbook is compressed in it.
func exportBytes(t *testing.T, app *testApp, c *http.Client, path string) [][]byte {
	t.Helper()
	resp, body := app.get(c, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", path, resp.StatusCode)
	}
	contents := [][]byte{[]byte(body)}
	if !strings.Contains(path, ".xlsx") {
		return contents
	}
	book, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, part := range book.File {
		r, err := part.Open()
		if err != nil {
			t.Fatalf("%s, %s: %v", path, part.Name, err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s, %s: %v", path, part.Name, err)
		}
		contents = append(contents, data)
	}
	return contents
}

// The exports write the reference of the agreement a row amends, and of its framework agreement,
// only for a reader who may see that agreement, as its page does.
func TestConfidentialLinksAreLeftOutOfTheExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLinksFixture(t, db)
		for _, r := range f.readers() {
			for _, path := range []string{"/agreements/export.csv?lang=en", "/agreements/export.xlsx?lang=en"} {
				contents := exportBytes(t, f.app, r.web, path)
				for _, ref := range hiddenRefs {
					found := false
					for _, c := range contents {
						found = found || strings.Contains(string(c), ref)
					}
					if found != r.sees {
						t.Errorf("%s: %s holds %s: %t", r.name, path, ref, found)
					}
				}
			}
			want := map[string][2]string{"PCT-VISIBLE-9": {"", ""}, "PCT-CHILD-3": {"", ""}, "PCT-OPEN-A1": {"PCT-OPEN", ""}}
			if r.sees {
				want["PCT-VISIBLE-9"], want["PCT-CHILD-3"] = [2]string{"PCT-SECRET", ""}, [2]string{"", "PCT-MOU-HUSH"}
			}
			for _, row := range exportedRows(t, f.app, r.web, "lang=en") {
				if w, ok := want[row["reference"]]; ok && (row["amends"] != w[0] || row["framework"] != w[1]) {
					t.Errorf("%s: %s exported amending %q under %q, want %q under %q", r.name, row["reference"], row["amends"], row["framework"], w[0], w[1])
				}
			}
		}
	})
}

// An officer's export, whose links to agreements hidden from them are empty, imports again
// unchanged; changed elsewhere, it keeps the links it could not show.
func TestHiddenLinksSurviveImportingAnExportAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newLinksFixture(t, db)
		ctx := context.Background()
		officer := f.app.client(user.RoleOfficer)
		for _, path := range []string{"/agreements/export.csv?lang=en", "/agreements/export.xlsx?lang=en"} {
			exported := exportBytes(t, f.app, officer, path)[0]
			name := "export" + path[strings.LastIndex(path, "."):strings.Index(path, "?")]
			resp, body := f.app.upload(officer, "/agreements/import?lang=en", nil, "file", name, exported)
			rows := importedCount(body, "Rows")
			if resp.StatusCode != http.StatusOK || rows != "4" || importedCount(body, "Agreements unchanged") != rows ||
				!strings.Contains(body, "Every row matches the agreements as stored: there is nothing to import.") {
				t.Fatalf("%s imported again: %d, %s rows\n%s", path, resp.StatusCode, rows, body)
			}
		}

		// The same file with new notes on the rows whose links are hidden updates them, links kept.
		_, body := f.app.get(officer, "/agreements/export.csv?lang=en")
		records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		before := map[string][2]int64{}
		for _, rec := range records[1:] {
			ref := rec[0]
			if ref != "PCT-VISIBLE-9" && ref != "PCT-CHILD-3" {
				continue
			}
			a, err := db.AgreementByReference(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			before[ref] = [2]int64{a.AmendsID, a.FrameworkID}
			for i, name := range agreementExportColumns {
				if name == "notes" {
					rec[i] = "Seen by another officer"
				}
			}
		}
		var edited bytes.Buffer
		w := csv.NewWriter(&edited)
		w.WriteAll(records)
		resp, body := f.app.upload(officer, "/agreements/import?lang=en", nil, "file", "export.csv", edited.Bytes())
		form := url.Values{"upload": {hiddenField(body, "upload")}, "sha256": {hiddenField(body, "sha256")}, "plan": {hiddenField(body, "plan")}}
		if resp.StatusCode != http.StatusOK || form.Get("plan") != "0,2,2" {
			t.Fatalf("edited export: %d, plan %q\n%s", resp.StatusCode, form.Get("plan"), body)
		}
		if resp := f.app.post(officer, "/agreements/import/confirm", form); resp.StatusCode != http.StatusSeeOther ||
			resp.Header.Get("Location") != "/agreements/import?created=0&unchanged=2&updated=2" {
			t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		for ref, links := range before {
			a, err := db.AgreementByReference(ctx, ref)
			if err != nil || a.Notes != "Seen by another officer" || a.AmendsID != links[0] || a.FrameworkID != links[1] {
				t.Errorf("%s imported amending %d under %d, was %d under %d (%v)", ref, a.AmendsID, a.FrameworkID, links[0], links[1], err)
			}
		}
	})
}
