package importflow

import (
	"context"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/importer"
	"pactum/internal/store"
	"pactum/internal/user"
)

// Agreements is the kind of import of agreement files. A file may have a million rows, so it is
// not checked whole and then written: its import checks each batch of rows and writes it at once,
// streaming, in one transaction that a problem or a refusal rolls back.
var Agreements Kind = agreementKind{}

type agreementKind struct{}

func (agreementKind) Key() string                  { return importer.KindAgreements }
func (agreementKind) Template() *importer.Template { return importer.AgreementTemplate }
func (agreementKind) Allowed(u *user.User) bool    { return mayChange(u) }

// options are the options of checking or importing an agreement file as u. Regional officers may
// write only the agreements they may edit on the form; nobody but administrators may write a
// confidential agreement they cannot see, nor amend one: the file's lookups see the registry as u
// sees it, a hidden agreement as none. Without u (the command line) every agreement may be written.
func (agreementKind) options(ctx context.Context, db *store.DB, in Input) (importer.AgreementOptions, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return importer.AgreementOptions{}, err
	}
	rates, err := db.Rates(ctx)
	if err != nil {
		return importer.AgreementOptions{}, err
	}
	opts := importer.AgreementOptions{Resolver: rs, Rates: rates, Today: civil.Of(time.Now()), Lookup: db, Keep: in.Keep,
		Progress: func(rows int) { in.progress(Progress{Stage: StageRows, Done: rows, Rows: rows}) }}
	if u := in.User; u != nil && u.Role != user.RoleAdmin {
		opts.MayWrite = func(stored, a *agreement.Agreement) bool {
			return (stored == nil || (agreement.CanEdit(u, stored) && agreement.CanSee(u, stored))) && agreement.CanEdit(u, a)
		}
		opts.MaySee = func(stored *agreement.Agreement) bool { return agreement.CanSee(u, stored) }
	}
	return opts, nil
}

// Check checks an agreement file against the stored agreements, partners and accounts.
func (k agreementKind) Check(ctx context.Context, db *store.DB, in Input) (*Result, error) {
	opts, err := k.options(ctx, db, in)
	if err != nil {
		return nil, err
	}
	checked, err := importer.CheckAgreements(ctx, in.Data, opts)
	if err != nil {
		return nil, err
	}
	return agreementResult(checked), nil
}

// Import reads the file once: the importer checks each batch of rows and writes it through the
// store's import session, which commits only when the whole file is valid and accepted.
func (k agreementKind) Import(ctx context.Context, db *store.DB, in Input, accept func(*Result) error) (*Result, error) {
	opts, err := k.options(ctx, db, in)
	if err != nil {
		return nil, err
	}
	sess, err := db.BeginAgreementImport(ctx, in.File)
	if err != nil {
		return nil, err
	}
	defer sess.Rollback()
	written, err := importer.ImportAgreements(ctx, in.Data, opts, sess)
	if err != nil {
		return nil, err
	}
	res := agreementResult(written)
	if err := accept(res); err != nil {
		return res, err
	}
	if !res.OK() {
		return res, errProblems(k, in)
	}
	summary, err := sess.Commit(ctx, in.Job)
	if err != nil {
		return res, err
	}
	res.Created, res.Updated, res.Unchanged = summary.Created, summary.Updated, summary.Unchanged
	return res, nil
}

// agreementResult is the shared shape of an agreement check or import.
func agreementResult(checked *importer.AgreementResult) *Result {
	entries := func(list []importer.AgreementEntry) []Entry {
		var out []Entry
		for _, e := range list {
			title := e.Title
			out = append(out, Entry{Row: e.Row, Key: e.Reference, Name: func(string) string { return title }, Changed: e.Changed})
		}
		return out
	}
	return &Result{Ignored: checked.Ignored, Rows: checked.Rows, Problems: checked.Problems, ProblemCount: checked.ProblemCount,
		Created: checked.Created, Updated: checked.Updated, Unchanged: checked.Unchanged,
		CreatedRows: entries(checked.CreatedRows), UpdatedRows: entries(checked.UpdatedRows), UnchangedRows: entries(checked.UnchangedRows)}
}
