package agreement

import (
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
)

// Instalment is one payment of a contribution's schedule: what is pledged for a due date, and
// what arrived and when.
type Instalment struct {
	ID         int64
	DueOn      civil.Date
	Amount     money.Amount // pledged, in the agreement's currency
	ReceivedOn civil.Date
	Received   money.Amount // in the agreement's currency
	Note       string
}

// Money is what a contribution (or several) pledges, what has arrived and what is still to come,
// in one currency.
type Money struct {
	Pledged, Received money.Amount
}

// Outstanding is what is pledged and has not arrived; never negative (a partner may pay more).
func (m Money) Outstanding() money.Amount { return max(m.Pledged-m.Received, 0) }

// Add returns the sum of two.
func (m Money) Add(o Money) Money { return Money{m.Pledged + o.Pledged, m.Received + o.Received} }

// Schedule sums instalments in the agreement's currency.
func Schedule(instalments []Instalment) Money {
	var m Money
	for _, i := range instalments {
		m.Pledged += i.Amount
		m.Received += i.Received
	}
	return m
}

// InUSD converts an amount of the agreement's currency at the rate of its signing date, the
// rate its stored USD value was computed with.
func (a *Agreement) InUSD(amount money.Amount) money.Amount {
	if a.Currency == "USD" || a.Amount == 0 {
		return amount
	}
	return amount.Convert(float64(a.ValueUSD) / float64(a.Amount))
}

// Obligation kinds: the reports owed to a funder.
const (
	ObligationNarrative = "narrative"
	ObligationFinancial = "financial"
	ObligationFinal     = "final"
)

// ObligationKinds lists the kinds of obligation.
var ObligationKinds = []string{ObligationNarrative, ObligationFinancial, ObligationFinal}

// Obligation is a report owed to the funder by a date.
type Obligation struct {
	ID          int64
	Kind        string
	DueOn       civil.Date
	SubmittedOn civil.Date
	Note        string
}

// OverdueOn reports whether the report is late on day: due before it and not submitted.
func (o Obligation) OverdueOn(day civil.Date) bool {
	return o.SubmittedOn.IsZero() && o.DueOn.Before(day)
}

// AsAmended is an agreement with its amendments applied, as the agreement page shows it.
type AsAmended struct {
	ValueUSD money.Amount // the agreement's value and every amendment's added value
	Amount   money.Amount // the same in the agreement's currency, for amendments in that currency
	EndOn    civil.Date   // the end date set by the latest amendment that changes it
}

// Amend applies amendments, in the order they were signed, to a: an amendment adds its value and,
// when it has an end date, moves the end there.
func Amend(a *Agreement, amendments []*Agreement) AsAmended {
	out := AsAmended{ValueUSD: a.ValueUSD, Amount: a.Amount, EndOn: a.EndOn}
	for _, m := range amendments {
		out.ValueUSD += m.ValueUSD
		if m.Currency == a.Currency {
			out.Amount += m.Amount
		} else {
			out.Amount += m.ValueUSD.Convert(float64(a.Amount) / float64(max(a.ValueUSD, 1)))
		}
		if !m.EndOn.IsZero() {
			out.EndOn = m.EndOn
		}
	}
	return out
}

// Alert kinds: what about an agreement needs its officer's attention.
const (
	AlertObligationOverdue = "obligation_overdue"
	AlertEnding            = "ending"
)

// EndingWithin is how far ahead the registry warns of agreements coming to their end.
const EndingWithin = 90

// Alert is an agreement that needs attention: a report owed to the funder is late, or the
// agreement ends within EndingWithin days.
type Alert struct {
	Kind           string
	Reference      string
	Title          string // in the reader's language, or English
	OfficerID      int64
	On             civil.Date // the report's due date, or the agreement's end
	ObligationKind string
}

// Validate checks an instalment before it is saved, by form field.
func (i *Instalment) Validate() error {
	errs := apperr.FieldErrors{}
	if i.DueOn.IsZero() {
		errs.Add("due_on", "error.required")
	}
	if i.Amount < 0 {
		errs.Add("amount", "error.negative")
	}
	if i.Received < 0 {
		errs.Add("received", "error.negative")
	}
	if i.Received > 0 && i.ReceivedOn.IsZero() {
		errs.Add("received_on", "error.required")
	}
	errs.Line("note", i.Note, MaxNoteLength)
	return errs.Err()
}

// Validate checks an obligation before it is saved, by form field.
func (o *Obligation) Validate() error {
	errs := apperr.FieldErrors{}
	if o.Kind != ObligationNarrative && o.Kind != ObligationFinancial && o.Kind != ObligationFinal {
		errs.Add("kind", "error.choose")
	}
	if o.DueOn.IsZero() {
		errs.Add("due_on", "error.required")
	}
	errs.Line("note", o.Note, MaxNoteLength)
	return errs.Err()
}

// CurrencyMoney is what contributions in one currency pledge and have paid.
type CurrencyMoney struct {
	Currency string
	Money
}

// Contributions sums the payment schedules of several contributions: per currency, and all of
// them in USD at each agreement's signing rate.
type Contributions struct {
	ByCurrency []CurrencyMoney
	USD        Money
}
