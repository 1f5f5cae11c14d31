package importer_test

import (
	"bytes"
	"testing"

	"pactum/internal/importer"
	"pactum/internal/partner"
)

// FuzzReadCSV checks any file as a partner file: the check never panics, and every problem and
// every planned row names a row the file has.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(header + "\nitu,ITU,un_agency,none,active\n"))
	f.Add([]byte("\uFEFFkey;name;type;membership;status;regions\nitu;ITU;UN agency;None;Active;\"AFR; EUR\"\n\n\nitu;x;y;z;w;\n"))
	f.Add([]byte("key,name,type,membership,status,mandate\nitu,\"ITU\nline\",foundation,none,active,\"a\"\"b\"\nundp,\"broken"))
	f.Add(utf16LE("key\tname\ttype\tmembership\tstatus\r\nitu\tITU\tfoundation\tnone\tactive\r\n"))
	f.Add([]byte("Key,NAME\n\xff\xfe\n"))
	f.Add([]byte{})
	rs := testResolver(f)
	stored := memory{"itu": {Key: "itu", Texts: map[string]partner.Text{"en": {Name: "ITU"}}, Type: "un_agency", Membership: "none", Status: "active"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := importer.CheckPartners(t.Context(), bytes.NewReader(data), importer.Options{Resolver: rs, Existing: stored.existing})
		if err != nil {
			t.Fatal(err)
		}
		// A spreadsheet row is at most a line of the file (a UTF-16 line end has its 0x0A byte too).
		lines := bytes.Count(data, []byte{'\n'}) + 1
		for _, p := range res.Problems {
			if p.Row < 1 || p.Row > lines {
				t.Errorf("problem on row %d of a file of %d lines: %+v", p.Row, lines, p)
			}
		}
		for _, list := range [][]importer.Entry{res.Creates, res.Updates, res.Unchanged} {
			for _, e := range list {
				if e.Row < 2 || e.Row > lines {
					t.Errorf("planned row %d of a file of %d lines", e.Row, lines)
				}
			}
		}
		if len(res.Problems) > importer.MaxProblems || len(res.Problems) > res.ProblemCount {
			t.Errorf("%d problems listed of %d", len(res.Problems), res.ProblemCount)
		}
		if res.OK() != (res.ProblemCount == 0) {
			t.Error("OK disagrees with the count")
		}
	})
}
