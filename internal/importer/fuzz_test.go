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
	f.Add([]byte("Clé;名称;Type de partenaire;membership;الحالة;key\nitu;ITU;un_agency;none;active;itu\n"))
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

// FuzzAgreements checks and imports any file as an agreement file: neither panics, every problem
// and every kept row names a row the file has, the counts add up, and an import writes nothing
// more once it has found a problem.
func FuzzAgreements(f *testing.F) {
	f.Add([]byte(agreementHeader + "\nITU-1,T,mou,itu,2015-01-01,,,signed,,,AFR,,generic,,\n"))
	f.Add([]byte(agreementHeader + "\nITU-1-A1,T,amendment,itu,2016-01-01,,,signed,10,EUR,AFR:0.5;ASP:50%,SN,generic,ITU-1,\n" +
		"ITU-1,T,mou,itu:funder;nordic-fund:co_signatory,2015-01-01,,,signed,,,AFR,,generic,,\n"))
	f.Add([]byte("Reference;Title;Type;Partners;Status;Currency;Regions;Action area;Amends\nX;\"a\nb\";Amendment;itu;draft;;GLO;generic;X\n\n\nX;;;;;;;;\n"))
	f.Add([]byte(agreementHeader + ",officer,confidential,office\nA,T,cooperation,ghost,2015-02-30,,,signed,-1,XXX,AFR:2,Mars,ai,B,n,nobody,maybe,GLO\n"))
	f.Add([]byte("reference,title\n\"broken"))
	f.Add([]byte("Référence,标题,Agreement type,partners,Statut,Валюта,regions,action_area\nITU-1,T,mou,itu,draft,,AFR,generic\n"))
	rs := testResolver(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte{'\n'}) + 1
		check := func(name string, res *importer.AgreementResult) {
			for _, p := range res.Problems {
				if p.Row < 1 || p.Row > lines {
					t.Errorf("%s: problem on row %d of a file of %d lines: %+v", name, p.Row, lines, p)
				}
			}
			for _, list := range [][]importer.AgreementEntry{res.CreatedRows, res.UpdatedRows, res.UnchangedRows} {
				for _, e := range list {
					if e.Row < 2 || e.Row > lines {
						t.Errorf("%s: kept row %d of a file of %d lines", name, e.Row, lines)
					}
				}
			}
			if len(res.Problems) > importer.MaxProblems || len(res.Problems) > res.ProblemCount {
				t.Errorf("%s: %d problems listed of %d", name, len(res.Problems), res.ProblemCount)
			}
			if res.Created+res.Updated+res.Unchanged > res.Rows {
				t.Errorf("%s: %d created, %d updated, %d unchanged of %d rows", name, res.Created, res.Updated, res.Unchanged, res.Rows)
			}
		}
		m := newRegistry()
		opts := importer.AgreementOptions{Resolver: rs, Rates: testRates, Today: today, Lookup: m, Keep: 3}
		res, err := importer.CheckAgreements(t.Context(), bytes.NewReader(data), opts)
		if err != nil {
			t.Fatal(err)
		}
		check("check", res)
		imported, err := importer.ImportAgreements(t.Context(), bytes.NewReader(data), opts, m)
		if err != nil {
			t.Fatal(err)
		}
		check("import", imported)
		if imported.OK() != res.OK() || imported.ProblemCount != res.ProblemCount {
			t.Errorf("the import found %d problems, the check %d", imported.ProblemCount, res.ProblemCount)
		}
		if res.OK() && (len(m.byRef) != res.Created || imported.Created != res.Created || imported.Updated != res.Updated) {
			t.Errorf("the check planned %d creations, the import made %d (stored %d)", res.Created, imported.Created, len(m.byRef))
		}
	})
}
