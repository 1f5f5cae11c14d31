package importer

import (
	"errors"
	"slices"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
)

// Kinds of plan.
const (
	planNone = iota // the row has a problem
	planCreate
	planUpdate
	planUnchanged
)

// plan decides what a resolved row does: the agreement it creates, or the stored agreement with
// the file's columns applied (and the columns that change), priced in US dollars and checked as
// every save is; or nothing.
func (run *agreementRun) plan(r *agreementRow) (*agreement.Agreement, int, []string) {
	stored := r.stored
	if stored != nil && stored.Deleted() {
		return nil, planNone, nil
	}
	a := &r.a
	if stored != nil {
		a = run.merge(stored, r)
	}
	run.settleAmendment(r, a, stored)
	if a.Currency == "" && r.bad&(1<<colCurrency|1<<colAmount) == 0 {
		// An empty currency cell: an agreement without an amount is in US dollars, one with an
		// amount (the row's, or the stored one when the file has no amount column) needs its
		// currency.
		if a.Amount == 0 {
			a.Currency = "USD"
		} else {
			run.rowProblem(r, colCurrency, "import.error.required")
		}
	}
	if stored == nil || a.Amount != stored.Amount || a.Currency != stored.Currency || a.SignedOn != stored.SignedOn {
		a.ValueUSD = 0
		if a.Amount != 0 && r.bad&(1<<colAmount|1<<colCurrency|1<<colSignedOn) == 0 {
			if err := a.PriceInUSD(run.opts.Rates, run.opts.Today); err != nil {
				run.fieldProblems(r, err)
			}
		}
	}
	run.fieldProblems(r, a.Validate(run.opts.Resolver))
	if r.bad != 0 {
		return nil, planNone, nil
	}
	if run.opts.MayWrite != nil && !run.opts.MayWrite(stored, a) {
		run.rowProblem(r, colReference, "import.error.agreement_not_allowed", "reference", a.Reference)
		return nil, planNone, nil
	}
	if stored == nil {
		return a, planCreate, nil
	}
	changed := run.differences(stored, a)
	if len(changed) == 0 {
		return a, planUnchanged, nil
	}
	return a, planUpdate, changed
}

// settleAmendment gives an amendment its kind — the file's, else the stored one, else added
// funds when it has an amount and a no-cost extension when not — and clears the amendment fields
// of an agreement that is none.
func (run *agreementRun) settleAmendment(r *agreementRow, a, stored *agreement.Agreement) {
	if !a.IsAmendment() {
		if r.kind != "" {
			run.rowProblem(r, colKind, "import.error.only_amendment")
		}
		a.AmendmentKind = ""
		if !run.has(colAmends) {
			a.AmendsID = 0
		}
		return
	}
	switch {
	case r.kind != "":
		a.AmendmentKind = r.kind
	case stored != nil && stored.IsAmendment() && stored.AmendmentKind != "":
		a.AmendmentKind = stored.AmendmentKind
	case a.Amount > 0:
		a.AmendmentKind = agreement.KindAddedFunds
	default:
		a.AmendmentKind = agreement.KindNoCostExt
	}
}

// validateColumns maps the fields of agreement.Validate to the columns of the file; the texts'
// fields (titles, notes, initiative) are where their lengths and characters are checked.
var validateColumns = map[string]int{
	"reference": colReference, "title_en": colTitle, "type": colType, "status": colStatus, "signed_on": colSignedOn,
	"end_on": colEndOn, "amount": colAmount, "currency": colCurrency, "action_area": colActionArea, "parties": colPartners,
	"regions": colRegions, "countries": colCountries, "amends": colAmends, "amendment_kind": colKind,
	"title_ar": colTitleAR, "title_es": colTitleES, "title_fr": colTitleFR, "title_ru": colTitleRU, "title_zh": colTitleZH,
	"notes": colNotes, "initiative": colInitiative,
}

// validateDepends are the columns whose values the rules on a column compare with: a rule is
// not reported when what it compares with has a problem already (a signing date is required by
// the status, which may be misspelt).
var validateDepends = map[int]uint32{
	colSignedOn: 1 << colStatus, colEndOn: 1 << colStartOn, colAmends: 1 << colType, colKind: 1 << colType,
	colCurrency: 1<<colAmount | 1<<colSignedOn,
}

// fieldProblems reports the field errors of err on the row's columns, except on columns that
// have a problem already or depend on one that has.
func (run *agreementRun) fieldProblems(r *agreementRow, err error) {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return
	}
	for field, m := range e.Fields {
		if col, ok := validateColumns[field]; ok && r.bad&(1<<col|validateDepends[col]) == 0 {
			run.rowProblem(r, col, m.Key, m.Args...)
		}
	}
}

func (run *agreementRun) rowProblem(r *agreementRow, col int, key string, args ...any) {
	r.bad |= 1 << col
	run.problem(Problem{Row: r.num, Column: AgreementColumns[col], Message: apperr.Msg(key, args...)})
}

// problemList keeps the first MaxProblems problems in an order and counts them all, holding at
// most twice MaxProblems whatever the number of problems.
type problemList struct {
	list  []Problem
	count int
	order func(a, b Problem) int
}

func (l *problemList) add(p Problem) {
	l.count++
	l.list = append(l.list, p)
	if len(l.list) >= 2*MaxProblems {
		l.list = l.sorted()
	}
}

// sorted returns the first MaxProblems problems in order.
func (l *problemList) sorted() []Problem {
	slices.SortStableFunc(l.list, l.order)
	return slices.Clip(l.list[:min(len(l.list), MaxProblems)])
}
