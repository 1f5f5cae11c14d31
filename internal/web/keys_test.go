package web

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/audit"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/user"
)

var (
	// templateKey finds the keys templates translate: {{.L.T "key" …}} and {{$.L.N "key" …}}.
	templateKey = regexp.MustCompile(`\.L\.[TN] "([^"]+)"`)
	// codeKey finds string literals in Go code that look like message keys of the catalogue's areas.
	codeKey = regexp.MustCompile(`"((?:app|nav|footer|home|login|start|error|auth|partner|partners|agreement|user|insight|date|account|admin|audit|form|role|list|register|verify|forgot|reset|invite|mail|export|contact|document|interaction|followup|recognition|api|import)\.[a-z0-9_.]+[a-z0-9_])"`)
)

// TestEveryKeyInUseIsInTheCatalogue fails when a template or Go code uses a key that the English
// catalogue (and so, by the catalogue test, every catalogue) lacks.
func TestEveryKeyInUseIsInTheCatalogue(t *testing.T) {
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := bundle.Catalog("en")
	known := map[string]bool{}
	for _, k := range en.Keys() {
		known[k] = true
	}
	used := 0
	err = fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFiles.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			used++
			if !known[m[1]] {
				t.Errorf("%s uses unknown key %q", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(data)
		for _, m := range codeKey.FindAllStringSubmatchIndex(text, -1) {
			key := text[m[2]:m[3]]
			if m[1] < len(text) && text[m[1]] == ':' {
				continue // a map key such as the domain "mail.ru", not a message
			}
			used++
			if !known[key] {
				t.Errorf("%s uses unknown key %q", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built at run time from codes: each code of these families must have its text.
	var dynamic []string
	for _, r := range user.Roles {
		dynamic = append(dynamic, "role."+string(r))
	}
	for _, list := range reference.EditableLists {
		dynamic = append(dynamic, "list."+list)
	}
	for _, a := range audit.Actions {
		dynamic = append(dynamic, "audit.action."+a)
	}
	// Every kind of record and field the store may record is labelled on the audit page.
	for _, kind := range audit.Kinds {
		dynamic = append(dynamic, "audit.kind."+kind)
	}
	for _, field := range audit.Fields {
		dynamic = append(dynamic, "audit.field."+field)
	}
	for kind, fields := range audit.KindFields {
		for _, field := range fields {
			dynamic = append(dynamic, "audit.field."+kind+"."+field)
		}
	}
	for _, field := range audit.TextFields {
		dynamic = append(dynamic, "audit.field."+field+"_in")
	}
	for _, purpose := range []string{user.TokenInvite, user.TokenReset, user.TokenVerify} {
		dynamic = append(dynamic, "mail."+purpose+".subject", "mail."+purpose+".body")
	}
	families := map[string][]string{
		"partner.status.":          partner.Statuses,
		"partner.dd.status.":       append(slices.Clone(partner.DDStatuses), partner.DDNone),
		"partner.dd.risk.":         partner.RiskRatings,
		"partners.sort.":           partner.Sorts,
		"partners.facet.":          partner.Facets,
		"interaction.type.":        interaction.Types,
		"followup.status.":         interaction.FollowUpStatuses,
		"agreement.status.":        agreement.Statuses,
		"agreement.role.":          agreement.Roles,
		"agreement.kind.":          agreement.AmendmentKinds,
		"agreement.obligation.":    agreement.ObligationKinds,
		"agreements.sort.":         agreement.Sorts,
		"agreements.facet.":        agreement.Facets,
		"agreements.confidential.": {"yes", "no"},
		"agreements.year.":         {"none"},
	}
	for _, r := range agreement.ValueRanges {
		dynamic = append(dynamic, "agreements.value."+r.Code)
	}
	// The headings of the columns the exports write and the imports read.
	for file, columns := range map[string][][]string{
		importer.FilePartners:   {exportColumns, partner.Columns},
		importer.FileAgreements: {agreementExportColumns, importer.AgreementColumns},
		importer.FileRates:      {importer.RateColumns},
	} {
		for _, c := range slices.Concat(columns...) {
			dynamic = append(dynamic, importer.HeadingKey(file, c))
		}
	}
	for prefix, codes := range families {
		for _, c := range codes {
			dynamic = append(dynamic, prefix+c)
		}
	}
	for _, c := range []partner.Concern{partner.ConcernMissing, partner.ConcernRefused, partner.ConcernExpired} {
		dynamic = append(dynamic, "partner.dd.concern."+string(c))
	}
	for month := 1; month <= 12; month++ {
		dynamic = append(dynamic, fmt.Sprintf("date.month.%d", month))
	}
	for _, key := range dynamic {
		if !known[key] {
			t.Errorf("key %q, built from a code, is not in the catalogue", key)
		}
	}
	if used < 20 {
		t.Errorf("found only %d keys in use: the scan is broken", used)
	}
}
