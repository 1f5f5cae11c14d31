package importflow

import (
	"context"

	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/user"
)

// Partners is the kind of import of partner files: checked whole, then written in one
// transaction.
var Partners Kind = partnerKind{}

type partnerKind struct{}

func (partnerKind) Key() string                  { return importer.KindPartners }
func (partnerKind) Template() *importer.Template { return importer.PartnerTemplate }
func (partnerKind) Allowed(u *user.User) bool    { return mayChange(u) }

// Check checks a partner file against the stored partners as in.User may change them: regional
// officers may update only the partners they may edit on the form.
func (partnerKind) Check(ctx context.Context, db *store.DB, in Input) (*Result, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return nil, err
	}
	opts := importer.Options{Resolver: rs, Existing: db.PartnersByKeys, Progress: func(stage string, done, total int) {
		in.progress(Progress{Stage: map[string]string{"read": StageReading, "plan": StageComparing}[stage], Done: done, Total: total})
	}}
	if u := in.User; u != nil && u.Role == user.RoleRegionalOfficer {
		regions, err := db.CountryRegions(ctx)
		if err != nil {
			return nil, err
		}
		opts.MayUpdate = func(p *partner.Partner) bool {
			return partner.CanEdit(u, p, func(c string) string { return regions[c] })
		}
	}
	checked, err := importer.CheckPartners(ctx, in.Data, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Ignored: checked.Ignored, Rows: checked.Rows, Problems: checked.Problems, ProblemCount: checked.ProblemCount,
		Created: len(checked.Creates), Updated: len(checked.Updates), Unchanged: len(checked.Unchanged),
		CreatedRows: partnerEntries(checked.Creates, in.Keep), UpdatedRows: partnerEntries(checked.Updates, in.Keep),
		UnchangedRows: partnerEntries(checked.Unchanged, in.Keep)}
	res.write = func(ctx context.Context, db *store.DB, file string, job *importer.Job) error {
		creates, updates := checked.Changes()
		unchanged := len(checked.Unchanged)
		in.progress(Progress{Stage: StageWriting, Total: len(creates) + len(updates), Rows: unchanged})
		return db.ApplyPartnerImport(ctx, store.PartnerImport{File: file, Creates: creates, Updates: updates, Unchanged: unchanged,
			Job: job, Progress: func(done, total int) {
				in.progress(Progress{Stage: StageWriting, Done: done, Total: total, Rows: unchanged + done})
			}})
	}
	return res, nil
}

func (k partnerKind) Import(ctx context.Context, db *store.DB, in Input, accept func(*Result) error) (*Result, error) {
	return importChecked(ctx, k, db, in, accept)
}

// partnerEntries are the first keep entries of a partner check.
func partnerEntries(entries []importer.Entry, keep int) []Entry {
	var out []Entry
	for _, e := range entries[:min(keep, len(entries))] {
		out = append(out, Entry{Row: e.Row, Key: e.Partner.Key, Name: e.Partner.Name, Changed: e.Changed})
	}
	return out
}
