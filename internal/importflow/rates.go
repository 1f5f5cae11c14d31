package importflow

import (
	"context"

	"pactum/internal/importer"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/user"
)

// Rates is the kind of import of currency rates files: small (a rate per currency and month is a
// few thousand rows), checked whole, then written in one transaction. Administrators keep them.
var Rates Kind = rateKind{}

type rateKind struct{}

func (rateKind) Key() string                  { return importer.KindRates }
func (rateKind) Template() *importer.Template { return nil }
func (rateKind) Allowed(u *user.User) bool {
	return u != nil && u.CanSignIn() && u.Role == user.RoleAdmin
}

// Check checks a rates file against the rates as stored.
func (rateKind) Check(ctx context.Context, db *store.DB, in Input) (*Result, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return nil, err
	}
	stored, err := db.Rates(ctx)
	if err != nil {
		return nil, err
	}
	checked := importer.CheckRates(in.Data, rs, stored)
	res := &Result{Ignored: checked.Ignored, Rows: checked.Rows, Problems: checked.Problems, ProblemCount: checked.ProblemCount,
		Created: len(checked.Creates), Updated: len(checked.Updates), Unchanged: checked.Unchanged,
		CreatedRows: rateEntries(checked.Creates, in.Keep), UpdatedRows: rateEntries(checked.Updates, in.Keep)}
	res.write = func(ctx context.Context, db *store.DB, file string, job *importer.Job) error {
		return db.ImportRates(ctx, store.RateImport{File: file, Creates: checked.Creates, Updates: checked.Updates,
			Unchanged: checked.Unchanged, Job: job})
	}
	return res, nil
}

func (k rateKind) Import(ctx context.Context, db *store.DB, in Input, accept func(*Result) error) (*Result, error) {
	return importChecked(ctx, k, db, in, accept)
}

// rateEntries are the first keep rates of a check.
func rateEntries(rates []reference.Rate, keep int) []Entry {
	var out []Entry
	for i := range rates[:min(keep, len(rates))] {
		out = append(out, Entry{Key: rates[i].Currency, Rate: &rates[i]})
	}
	return out
}
