package web

import (
	"pactum/internal/importer"
	"pactum/internal/importflow"
)

// maxImportBytes is the largest partner or agreement file the pages take; larger files go
// through the pactum import command.
const maxImportBytes = 50 << 20

// maxRatesBytes is the largest rates file the page takes: a rate per currency and day for years
// is well under it.
const maxRatesBytes = 5 << 20

// The owner types of uploaded import files waiting for confirmation in the documents table. The
// owner is the person who uploaded the file, so that only they can confirm its import.
const (
	importOwner          = "partner_import"
	agreementImportOwner = "agreement_import"
	rateImportOwner      = "rate_import"
)

// importShown is how many rows of each kind the preview lists.
const importShown = 20

// importPage is what the import pages of one kind of import say and where they are: the one flow
// of imports.go serves every kind with it (routes.go declares who may use each).
type importPage struct {
	kind importflow.Kind
	// Path is the import page; the form posts the file there and the confirmation to Path/confirm,
	// and the templates are at Path/template.csv and .xlsx when the kind has them.
	Path string
	// owner and docEntity are the owner type of a kept upload and the audit entity of its storing.
	owner, docEntity string
	maxBytes         int
	// Crumbs lead from the top of the site to the page.
	Crumbs []importCrumb
	// List is the list the import fills, ListTitle its name's key and ListLink the key of a link
	// to it after an import; LinkWhenDone says whether the import page shows that link.
	List, ListTitle, ListLink string
	LinkWhenDone              bool
	// Title and the keys of the page's texts, which each kind words for its records.
	Title                                         string
	Creates, Updates, Unchanged                   string
	ConfirmHint, Nothing, Intro, Rules, FileLabel string
	PlanChanged                                   string
	// KeyColumn and NameColumn head the preview's rows; RateRows shows rates instead (currency,
	// date, value).
	KeyColumn, NameColumn string
	RateRows              bool
}

// importCrumb is a link of an import page's breadcrumbs.
type importCrumb struct{ URL, Title string }

// Templates reports whether the kind offers empty files to fill in.
func (p *importPage) Templates() bool { return p.kind.Template() != nil }

// importPages are the import pages by kind.
var importPages = map[string]*importPage{
	importer.KindPartners: {kind: importflow.Partners, Path: "/partners/import", owner: importOwner, docEntity: "partner_import_file",
		maxBytes: maxImportBytes, Crumbs: []importCrumb{{"/partners", "partners.title"}},
		List: "/partners", ListTitle: "partners.title", ListLink: "import.done_link", LinkWhenDone: true,
		Title: "import.title", Creates: "import.preview.creates", Updates: "import.preview.updates", Unchanged: "import.preview.unchanged",
		ConfirmHint: "import.confirm_hint", Nothing: "import.nothing", Intro: "import.intro", Rules: "import.rules", FileLabel: "import.file",
		PlanChanged: "import.error.plan_changed", KeyColumn: "import.col.key", NameColumn: "import.col.name"},
	importer.KindAgreements: {kind: importflow.Agreements, Path: "/agreements/import", owner: agreementImportOwner,
		docEntity: "agreement_import_file", maxBytes: maxImportBytes, Crumbs: []importCrumb{{"/agreements", "agreements.title"}},
		List: "/agreements", ListTitle: "agreements.title", ListLink: "import.agreements.done_link", LinkWhenDone: true,
		Title: "import.agreements.title", Creates: "import.agreements.creates", Updates: "import.agreements.updates",
		Unchanged: "import.agreements.unchanged", ConfirmHint: "import.agreements.confirm_hint", Nothing: "import.agreements.nothing",
		Intro: "import.agreements.intro", Rules: "import.agreements.rules", FileLabel: "import.agreements.file",
		PlanChanged: "import.agreements.plan_changed", KeyColumn: "agreement.reference", NameColumn: "agreement.title"},
	importer.KindRates: {kind: importflow.Rates, Path: "/admin/rates/import", owner: rateImportOwner,
		docEntity: "currency_rate_import_file", maxBytes: maxRatesBytes,
		Crumbs: []importCrumb{{"/admin", "admin.title"}, {"/admin/reference", "admin.reference.title"}, {"/admin/reference/currency", "list.currency"}},
		List:   "/admin/reference/currency", ListTitle: "list.currency", ListLink: "import.rates.done_link",
		Title: "import.rates.title", Creates: "import.rates.creates", Updates: "import.rates.updates", Unchanged: "import.rates.unchanged",
		ConfirmHint: "import.rates.confirm_hint", Nothing: "import.rates.nothing", Intro: "import.rates.intro", FileLabel: "import.rates.file",
		PlanChanged: "import.rates.plan_changed", RateRows: true},
}
