package demo

import (
	"context"
	"math/rand/v2"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/store"
)

// assignOfficers gives every demo agreement its responsible officer: the regional officer for an
// agreement managed in a region, else a headquarters officer; an amendment keeps the officer of
// the agreement it amends. A few contributions are confidential. The draws come from their own
// source, so the agreements themselves (and the report's figures) do not change.
func assignOfficers(list []*planned, t *team, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 26))
	headquarters := t.officers[:3]
	for _, pl := range list {
		switch {
		case pl.amends != nil:
			pl.OfficerID = pl.amends.OfficerID
			pl.Confidential = pl.amends.Confidential
		case t.byRegion[pl.Office] != 0:
			pl.OfficerID = t.byRegion[pl.Office]
		default:
			pl.OfficerID = headquarters[rng.IntN(len(headquarters))]
		}
		if pl.amends == nil && pl.Type == "voluntary_contribution" && rng.IntN(25) == 0 {
			pl.Confidential = true
		}
	}
}

// scheduled reports whether an agreement has a payment schedule and reports to its funder:
// signed contributions and project documents with a value.
func scheduled(pl *planned) bool {
	return pl.amends == nil && !pl.SignedOn.IsZero() && pl.Amount > 0 &&
		(pl.Type == "voluntary_contribution" || pl.Type == "project_document")
}

// storeSchedules adds payment schedules and reports owed to the demo's contributions: a yearly
// instalment (and one for each amendment adding funds), paid some weeks after it fell due except
// for a few recent ones; a narrative and a financial report each year and a final report after
// the end, submitted on time except for a few recent ones, which the start page then lists.
func storeSchedules(ctx context.Context, db *store.DB, list []*planned, today civil.Date, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 27))
	added := map[*planned][]*planned{}
	for _, pl := range list {
		if pl.amends != nil && pl.AmendmentKind == agreement.KindAddedFunds && pl.Currency == pl.amends.Currency {
			added[pl.amends] = append(added[pl.amends], pl)
		}
	}
	recent := today.AddDays(-540)
	receive := func(due civil.Date, amount money.Amount) agreement.Instalment {
		i := agreement.Instalment{DueOn: due, Amount: amount}
		on := due.AddDays(rng.IntN(60))
		switch {
		case !on.Before(today):
		case due.After(recent) && rng.IntN(5) == 0: // late
		case rng.IntN(12) == 0: // paid in part
			i.ReceivedOn, i.Received = on, amount*4/5
		default:
			i.ReceivedOn, i.Received = on, amount
		}
		return i
	}
	var schedules []agreement.PaymentPlan
	for _, pl := range list {
		if !scheduled(pl) {
			continue
		}
		s := agreement.PaymentPlan{AgreementID: pl.ID}
		years := max(1, int(pl.EndOn.Time().Sub(pl.StartOn.Time()).Hours()/24/365+0.5))
		share := pl.Amount / money.Amount(years)
		for y := range years {
			amount := share
			if y == years-1 {
				amount = pl.Amount - share*money.Amount(years-1)
			}
			s.Instalments = append(s.Instalments, receive(pl.StartOn.AddDays(365*y), amount))
		}
		for _, m := range added[pl] {
			s.Instalments = append(s.Instalments, receive(m.SignedOn.AddDays(30), m.Amount))
		}
		submit := func(kind string, due civil.Date) {
			o := agreement.Obligation{Kind: kind, DueOn: due}
			on := due.AddDays(rng.IntN(30) - 15)
			if on.Before(today) && !(due.After(recent) && rng.IntN(4) == 0) {
				o.SubmittedOn = on
			}
			s.Obligations = append(s.Obligations, o)
		}
		for y := 1; y < years; y++ {
			due := pl.StartOn.AddDays(365*y + 90)
			submit(agreement.ObligationNarrative, due)
			submit(agreement.ObligationFinancial, due)
		}
		submit(agreement.ObligationFinal, pl.EndOn.AddDays(180))
		schedules = append(schedules, s)
	}
	return db.AddSchedules(ctx, schedules)
}
