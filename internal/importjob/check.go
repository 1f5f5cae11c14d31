package importjob

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/importer"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/user"
)

// CheckPartners checks a partner file against the stored partners as u may change them:
// regional officers may update only the partners they may edit on the form.
func CheckPartners(ctx context.Context, db *store.DB, u *user.User, data []byte) (*importer.Result, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return nil, err
	}
	opts := importer.Options{Resolver: rs, Existing: db.PartnersByKeys}
	if u.Role == user.RoleRegionalOfficer {
		regions, err := db.CountryRegions(ctx)
		if err != nil {
			return nil, err
		}
		opts.MayUpdate = func(p *partner.Partner) bool {
			return partner.CanEdit(u, p, func(c string) string { return regions[c] })
		}
	}
	return importer.CheckPartners(ctx, bytes.NewReader(data), opts)
}

// PartnerPlan sums up what a partner file would do, to notice when it is no longer what the
// person confirmed.
func PartnerPlan(res *importer.Result) string {
	return fmt.Sprintf("%d,%d,%d", len(res.Creates), len(res.Updates), len(res.Unchanged))
}

// AgreementOptions are the options of checking or importing an agreement file as u. Regional
// officers may write only the agreements they may edit on the form; nobody but administrators
// may write a confidential agreement they cannot see, nor amend one: the file's lookups see the
// registry as u sees it, a hidden agreement as none.
func AgreementOptions(ctx context.Context, db *store.DB, u *user.User) (importer.AgreementOptions, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return importer.AgreementOptions{}, err
	}
	rates, err := db.Rates(ctx)
	if err != nil {
		return importer.AgreementOptions{}, err
	}
	opts := importer.AgreementOptions{Resolver: rs, Rates: rates, Today: civil.Of(time.Now()), Lookup: db}
	if u.Role != user.RoleAdmin {
		opts.MayWrite = func(stored, a *agreement.Agreement) bool {
			return (stored == nil || (agreement.CanEdit(u, stored) && agreement.CanSee(u, stored))) && agreement.CanEdit(u, a)
		}
		opts.MaySee = func(stored *agreement.Agreement) bool { return agreement.CanSee(u, stored) }
	}
	return opts, nil
}

// AgreementPlan sums up what an agreement file would do, or did, to notice when it is no longer
// what the person confirmed.
func AgreementPlan(res *importer.AgreementResult) string {
	return fmt.Sprintf("%d,%d,%d", res.Created, res.Updated, res.Unchanged)
}

// CheckRates checks a rates file against the rates as stored.
func CheckRates(ctx context.Context, db *store.DB, data []byte) (*importer.RateResult, error) {
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return nil, err
	}
	stored, err := db.Rates(ctx)
	if err != nil {
		return nil, err
	}
	return importer.CheckRates(bytes.NewReader(data), rs, stored), nil
}

// RatePlan sums up what a rates file would do, to notice when it is no longer what the person
// confirmed.
func RatePlan(res *importer.RateResult) string {
	return fmt.Sprintf("%d,%d,%d", len(res.Creates), len(res.Updates), res.Unchanged)
}

// mayImport reports whether u may still import files of kind: the roles that change partners
// and agreements, and for rates administrators only, as the import pages' routes say.
func mayImport(u *user.User, kind string) bool {
	if u == nil || !u.CanSignIn() {
		return false
	}
	switch kind {
	case store.ImportRates:
		return u.Role == user.RoleAdmin
	case store.ImportPartners, store.ImportAgreements:
		return u.Role == user.RoleAdmin || u.Role == user.RoleOfficer || u.Role == user.RoleRegionalOfficer
	}
	return false
}
