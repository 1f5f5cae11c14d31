package agreements

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/civil"
	"pactum/internal/insight"
	"pactum/internal/mail"
	"pactum/internal/money"
	"pactum/internal/store/sqldb"
)

// Instalments returns an agreement's payment schedule by due date.
func (s *Agreements) Instalments(ctx context.Context, agreementID int64) ([]agreement.Instalment, error) {
	var list []agreement.Instalment
	err := sqldb.EachRowOf(ctx, s.db, `SELECT id, due_on, amount_cents, received_on, received_cents, note FROM instalments
		WHERE agreement_id = ? ORDER BY due_on, id`, []any{agreementID}, func(scan func(...any) error) error {
		var i agreement.Instalment
		var amount, received int64
		if err := scan(&i.ID, &i.DueOn, &amount, &i.ReceivedOn, &received, &i.Note); err != nil {
			return err
		}
		i.Amount, i.Received = money.Amount(amount), money.Amount(received)
		list = append(list, i)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("instalments of %d: %w", agreementID, err)
	}
	return list, nil
}

// liveAgreement returns the id of the live agreement with reference, in tx.
func liveAgreement(ctx context.Context, tx *sqldb.Tx, reference string) (int64, error) {
	var id int64
	var deleted bool
	err := tx.QueryRow(ctx, "SELECT id, deleted_at IS NOT NULL FROM agreements WHERE reference = ?", reference).Scan(&id, &deleted)
	if err != nil || deleted {
		return 0, apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", reference)
	}
	return id, nil
}

// auditInstalment is what the trail records of an instalment, under its agreement.
func auditInstalment(i *agreement.Instalment) audit.Record {
	return audit.Record{"due_on": i.DueOn.String(), "amount": i.Amount.String(), "received_on": i.ReceivedOn.String(),
		"received": i.Received.String(), "note": i.Note}
}

// SaveInstalment adds an instalment to an agreement's schedule (ID 0) or saves one of it.
func (s *Agreements) SaveInstalment(ctx context.Context, reference string, i *agreement.Instalment) error {
	if err := i.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := liveAgreement(ctx, tx, reference)
		if err != nil {
			return err
		}
		key := reference + "#instalment"
		if i.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO instalments (agreement_id, due_on, amount_cents, received_on, received_cents, note)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, id, i.DueOn, int64(i.Amount), i.ReceivedOn, int64(i.Received), i.Note).Scan(&i.ID); err != nil {
				return fmt.Errorf("add instalment to %s: %w", reference, err)
			}
			return tx.Audit(ctx, audit.ActionCreate, "agreement", key+strconv.FormatInt(i.ID, 10), audit.Diff(nil, auditInstalment(i)))
		}
		before, err := instalmentOf(ctx, tx, id, i.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE instalments SET due_on = ?, amount_cents = ?, received_on = ?, received_cents = ?, note = ?
			WHERE id = ?`, i.DueOn, int64(i.Amount), i.ReceivedOn, int64(i.Received), i.Note, i.ID); err != nil {
			return fmt.Errorf("save instalment of %s: %w", reference, err)
		}
		return tx.Audit(ctx, audit.ActionUpdate, "agreement", key+strconv.FormatInt(i.ID, 10), audit.Diff(auditInstalment(&before), auditInstalment(i)))
	})
}

// instalmentOf reads an instalment of the agreement agreementID in tx, as the trail records it
// before a change.
func instalmentOf(ctx context.Context, tx *sqldb.Tx, agreementID, id int64) (agreement.Instalment, error) {
	i := agreement.Instalment{ID: id}
	var amount, received int64
	err := tx.QueryRow(ctx, "SELECT due_on, amount_cents, received_on, received_cents, note FROM instalments WHERE id = ? AND agreement_id = ?",
		id, agreementID).Scan(&i.DueOn, &amount, &i.ReceivedOn, &received, &i.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return i, apperr.New(apperr.NotFound, "agreement.error.item_not_found")
	}
	if err != nil {
		return i, fmt.Errorf("instalment %d: %w", id, err)
	}
	i.Amount, i.Received = money.Amount(amount), money.Amount(received)
	return i, nil
}

// DeleteInstalment removes an instalment from an agreement's schedule.
func (s *Agreements) DeleteInstalment(ctx context.Context, reference string, instalmentID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := liveAgreement(ctx, tx, reference)
		if err != nil {
			return err
		}
		before, err := instalmentOf(ctx, tx, id, instalmentID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM instalments WHERE id = ?", instalmentID); err != nil {
			return fmt.Errorf("delete instalment of %s: %w", reference, err)
		}
		return tx.Audit(ctx, audit.ActionDelete, "agreement", reference+"#instalment"+strconv.FormatInt(instalmentID, 10),
			audit.Diff(auditInstalment(&before), nil))
	})
}

// Obligations returns the reports an agreement owes its funder, by due date.
func (s *Agreements) Obligations(ctx context.Context, agreementID int64) ([]agreement.Obligation, error) {
	var list []agreement.Obligation
	err := sqldb.EachRowOf(ctx, s.db, `SELECT id, kind, due_on, submitted_on, note FROM obligations WHERE agreement_id = ? ORDER BY due_on, id`,
		[]any{agreementID}, func(scan func(...any) error) error {
			var o agreement.Obligation
			if err := scan(&o.ID, &o.Kind, &o.DueOn, &o.SubmittedOn, &o.Note); err != nil {
				return err
			}
			list = append(list, o)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("obligations of %d: %w", agreementID, err)
	}
	return list, nil
}

func auditObligation(o *agreement.Obligation) audit.Record {
	return audit.Record{"kind": o.Kind, "due_on": o.DueOn.String(), "submitted_on": o.SubmittedOn.String(), "note": o.Note}
}

// SaveObligation adds a report owed to the funder (ID 0) or saves one, such as when it was submitted.
func (s *Agreements) SaveObligation(ctx context.Context, reference string, o *agreement.Obligation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := liveAgreement(ctx, tx, reference)
		if err != nil {
			return err
		}
		key := reference + "#obligation"
		if o.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO obligations (agreement_id, kind, due_on, submitted_on, note) VALUES (?, ?, ?, ?, ?)
				RETURNING id`, id, o.Kind, o.DueOn, o.SubmittedOn, o.Note).Scan(&o.ID); err != nil {
				return fmt.Errorf("add obligation to %s: %w", reference, err)
			}
			return tx.Audit(ctx, audit.ActionCreate, "agreement", key+strconv.FormatInt(o.ID, 10), audit.Diff(nil, auditObligation(o)))
		}
		before, err := obligationOf(ctx, tx, id, o.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE obligations SET kind = ?, due_on = ?, submitted_on = ?, note = ? WHERE id = ?",
			o.Kind, o.DueOn, o.SubmittedOn, o.Note, o.ID); err != nil {
			return fmt.Errorf("save obligation of %s: %w", reference, err)
		}
		return tx.Audit(ctx, audit.ActionUpdate, "agreement", key+strconv.FormatInt(o.ID, 10), audit.Diff(auditObligation(&before), auditObligation(o)))
	})
}

// obligationOf reads an obligation of the agreement agreementID in tx, as the trail records it
// before a change.
func obligationOf(ctx context.Context, tx *sqldb.Tx, agreementID, id int64) (agreement.Obligation, error) {
	o := agreement.Obligation{ID: id}
	err := tx.QueryRow(ctx, "SELECT kind, due_on, submitted_on, note FROM obligations WHERE id = ? AND agreement_id = ?", id, agreementID).
		Scan(&o.Kind, &o.DueOn, &o.SubmittedOn, &o.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.New(apperr.NotFound, "agreement.error.item_not_found")
	}
	if err != nil {
		return o, fmt.Errorf("obligation %d: %w", id, err)
	}
	return o, nil
}

// DeleteObligation removes a report from an agreement's obligations.
func (s *Agreements) DeleteObligation(ctx context.Context, reference string, obligationID int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := liveAgreement(ctx, tx, reference)
		if err != nil {
			return err
		}
		before, err := obligationOf(ctx, tx, id, obligationID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM obligations WHERE id = ?", obligationID); err != nil {
			return fmt.Errorf("delete obligation of %s: %w", reference, err)
		}
		return tx.Audit(ctx, audit.ActionDelete, "agreement", reference+"#obligation"+strconv.FormatInt(obligationID, 10),
			audit.Diff(auditObligation(&before), nil))
	})
}

// Contributions sums the payment schedules of live agreements: those the partners ids fund, or
// with no ids the whole registry (confidential agreements included: totals count them).
func (s *Agreements) Contributions(ctx context.Context, partnerIDs []int64) (*agreement.Contributions, error) {
	query := `SELECT a.currency_code, a.amount_cents, a.value_usd_cents, SUM(i.amount_cents), SUM(i.received_cents)
		FROM instalments i ` + s.db.Dialect().DrivingJoin() + ` agreements a ON a.id = i.agreement_id WHERE a.deleted_at IS NULL`
	var args []any
	if len(partnerIDs) > 0 {
		query += " AND a.id IN (SELECT agreement_id FROM agreement_parties WHERE role = ? AND partner_id IN (" + sqldb.Placeholders(len(partnerIDs)) + "))"
		args = append(args, agreement.RoleFunder)
		for _, id := range partnerIDs {
			args = append(args, id)
		}
	}
	query += " GROUP BY a.id, a.currency_code, a.amount_cents, a.value_usd_cents"
	c := &agreement.Contributions{}
	byCurrency := map[string]*agreement.Money{}
	err := sqldb.EachRowOf(ctx, s.db, query, args, func(scan func(...any) error) error {
		var currency string
		var amount, value, pledged, received int64
		if err := scan(&currency, &amount, &value, &pledged, &received); err != nil {
			return err
		}
		a := agreement.Agreement{Currency: currency, Amount: money.Amount(amount), ValueUSD: money.Amount(value)}
		m := byCurrency[currency]
		if m == nil {
			m = &agreement.Money{}
			byCurrency[currency] = m
		}
		*m = m.Add(agreement.Money{Pledged: money.Amount(pledged), Received: money.Amount(received)})
		c.USD = c.USD.Add(agreement.Money{Pledged: a.InUSD(money.Amount(pledged)), Received: a.InUSD(money.Amount(received))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("contributions: %w", err)
	}
	for currency, m := range byCurrency {
		c.ByCurrency = append(c.ByCurrency, agreement.CurrencyMoney{Currency: currency, Money: *m})
	}
	slices.SortFunc(c.ByCurrency, func(a, b agreement.CurrencyMoney) int { return int(b.Pledged - a.Pledged) })
	return c, nil
}

// AgreementAlerts lists what needs attention on day among the agreements a reader sees: reports
// overdue, then agreements ending within agreement.EndingWithin days; of each kind at most limit,
// the reader's own first, then by date.
func (s *Agreements) AgreementAlerts(ctx context.Context, day civil.Date, f agreement.Filter, limit int) ([]agreement.Alert, error) {
	return s.DashboardAlerts(ctx, day, f, insight.Filter{}, limit)
}

// DashboardAlerts is AgreementAlerts among the agreements a dashboard's filter selects.
func (s *Agreements) DashboardAlerts(ctx context.Context, day civil.Date, f agreement.Filter, scope insight.Filter, limit int) ([]agreement.Alert, error) {
	cond, cargs := visibleSQL(&f)
	// Alerts are not weighed, so the dashboard's filter is conditions only, and the query is
	// driven from the few dates asked for.
	where, whereArgs := Condition(scope)
	cond += where
	cargs = append(cargs, whereArgs...)
	reader := f.ReaderID
	if reader == 0 {
		reader = -1
	}
	kinds := []struct {
		kind, query string
		args        []any
	}{
		{agreement.AlertObligationOverdue, `SELECT a.reference, COALESCE(NULLIF(t.title, ''), a.title), COALESCE(a.officer_id, 0),
			o.due_on AS due, o.kind
			FROM obligations o JOIN agreements a ON a.id = o.agreement_id
			LEFT JOIN agreement_translations t ON t.agreement_id = a.id AND t.lang = ?
			WHERE o.submitted_on IS NULL AND o.due_on < ? AND a.deleted_at IS NULL` + cond,
			slices.Concat([]any{f.Lang, day}, cargs)},
		{agreement.AlertEnding, `SELECT a.reference, COALESCE(NULLIF(t.title, ''), a.title), COALESCE(a.officer_id, 0),
			a.end_on AS due, ''
			FROM agreements a LEFT JOIN agreement_translations t ON t.agreement_id = a.id AND t.lang = ?
			WHERE a.end_on >= ? AND a.end_on <= ? AND a.status IN (?, ?) AND a.deleted_at IS NULL` + cond,
			slices.Concat([]any{f.Lang, day, day.AddDays(agreement.EndingWithin),
				agreement.StatusSigned, agreement.StatusActive}, cargs)},
	}
	// The reader's own alerts first, then the others'; each asked for apart, in the order of
	// their dates, so that the database reads the few it lists rather than sorting them all.
	whose := []string{" AND a.officer_id = ?", " AND (a.officer_id IS NULL OR a.officer_id <> ?)"}
	var alerts []agreement.Alert
	for _, k := range kinds {
		found := 0
		for _, owner := range whose {
			if found == limit {
				break
			}
			query := k.query + owner + " ORDER BY due, a.reference LIMIT ?"
			err := sqldb.EachRowOf(ctx, s.db, query, slices.Concat(k.args, []any{reader, limit - found}), func(scan func(...any) error) error {
				al := agreement.Alert{Kind: k.kind}
				if err := scan(&al.Reference, &al.Title, &al.OfficerID, &al.On, &al.ObligationKind); err != nil {
					return err
				}
				alerts = append(alerts, al)
				found++
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("agreement alerts: %w", err)
			}
		}
	}
	return alerts, nil
}

// obligationRemindEvery is how often an officer is reminded of a report still overdue.
const obligationRemindEvery = 7

// DueAgreementReminders queues, per officer, the e-mail compose writes of the alerts not yet
// reminded of, and marks them reminded, in one transaction with the outbox. Officers without an
// e-mail address or inactive are left out.
func (s *Agreements) DueAgreementReminders(ctx context.Context, day civil.Date, compose func(agreement.Reminder) (*mail.Message, error)) (int, error) {
	sent := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		byUser := map[int64][]agreement.Alert{}
		var order []int64
		var obligationIDs, agreementIDs []any
		add := func(officer int64, al agreement.Alert) {
			if _, ok := byUser[officer]; !ok {
				order = append(order, officer)
			}
			byUser[officer] = append(byUser[officer], al)
		}
		err := sqldb.EachRowOf(ctx, tx, `SELECT o.id, a.officer_id, a.reference, a.title, o.kind, o.due_on
			FROM obligations o JOIN agreements a ON a.id = o.agreement_id JOIN users u ON u.id = a.officer_id
			WHERE o.submitted_on IS NULL AND o.due_on < ? AND a.deleted_at IS NULL AND u.active = ? AND u.email <> ''
			AND (o.last_reminded_on IS NULL OR o.last_reminded_on <= ?)
			ORDER BY a.officer_id, o.due_on, o.id`, []any{day, true, day.AddDays(-obligationRemindEvery)},
			func(scan func(...any) error) error {
				var id, officer int64
				al := agreement.Alert{Kind: agreement.AlertObligationOverdue}
				if err := scan(&id, &officer, &al.Reference, &al.Title, &al.ObligationKind, &al.On); err != nil {
					return err
				}
				al.OfficerID = officer
				obligationIDs = append(obligationIDs, id)
				add(officer, al)
				return nil
			})
		if err != nil {
			return fmt.Errorf("overdue obligations: %w", err)
		}
		err = sqldb.EachRowOf(ctx, tx, `SELECT a.id, a.officer_id, a.reference, a.title, a.end_on
			FROM agreements a JOIN users u ON u.id = a.officer_id
			WHERE a.end_on >= ? AND a.end_on <= ? AND a.status IN (?, ?) AND a.deleted_at IS NULL AND a.end_reminded_on IS NULL
			AND u.active = ? AND u.email <> ''
			ORDER BY a.officer_id, a.end_on, a.id`, []any{day, day.AddDays(agreement.EndingWithin), agreement.StatusSigned,
			agreement.StatusActive, true},
			func(scan func(...any) error) error {
				var id, officer int64
				al := agreement.Alert{Kind: agreement.AlertEnding}
				if err := scan(&id, &officer, &al.Reference, &al.Title, &al.On); err != nil {
					return err
				}
				al.OfficerID = officer
				agreementIDs = append(agreementIDs, id)
				add(officer, al)
				return nil
			})
		if err != nil {
			return fmt.Errorf("agreements ending: %w", err)
		}
		for _, uid := range order {
			m, err := compose(agreement.Reminder{UserID: uid, Alerts: byUser[uid]})
			if err != nil {
				return err
			}
			if m != nil {
				if err := tx.EnqueueMail(ctx, *m); err != nil {
					return err
				}
				sent++
			}
		}
		for start := 0; start < len(obligationIDs); start += 500 {
			chunk := obligationIDs[start:min(start+500, len(obligationIDs))]
			if _, err := tx.Exec(ctx, "UPDATE obligations SET last_reminded_on = ? WHERE id IN ("+sqldb.Placeholders(len(chunk))+")",
				append([]any{day}, chunk...)...); err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
		}
		for start := 0; start < len(agreementIDs); start += 500 {
			chunk := agreementIDs[start:min(start+500, len(agreementIDs))]
			if _, err := tx.Exec(ctx, "UPDATE agreements SET end_reminded_on = ? WHERE id IN ("+sqldb.Placeholders(len(chunk))+")",
				append([]any{day}, chunk...)...); err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
		}
		return nil
	})
	return sent, err
}

// Overlapping returns the live agreements that a new agreement a may duplicate: signed or active,
// with one of a's parties, the same primary action area, dates that overlap a's and a country in
// common. a itself (by ID) is left out, and so are confidential agreements the reader of f does
// not see.
func (s *Agreements) Overlapping(ctx context.Context, a *agreement.Agreement, f agreement.Filter) ([]agreement.Summary, error) {
	if len(a.Parties) == 0 || len(a.Countries) == 0 {
		return nil, nil
	}
	var args []any
	args = append(args, a.ID, a.PrimaryActionArea, agreement.StatusSigned, agreement.StatusActive)
	query := `SELECT DISTINCT a.id FROM agreements a
		JOIN agreement_parties ap ON ap.agreement_id = a.id
		JOIN agreement_countries ac ON ac.agreement_id = a.id
		WHERE a.id <> ? AND a.primary_action_area_code = ? AND a.status IN (?, ?) AND a.deleted_at IS NULL`
	parties := make([]any, 0, len(a.Parties))
	for _, p := range a.Parties {
		parties = append(parties, p.PartnerID)
	}
	query += " AND ap.partner_id IN (" + sqldb.Placeholders(len(parties)) + ")"
	args = append(args, parties...)
	countries := sqldb.Dedupe(a.Countries)
	query += " AND ac.country_code IN (" + sqldb.Placeholders(len(countries)) + ")"
	for _, c := range countries {
		args = append(args, c)
	}
	if !a.EndOn.IsZero() {
		query += " AND (a.start_on IS NULL OR a.start_on <= ?)"
		args = append(args, a.EndOn)
	}
	if !a.StartOn.IsZero() {
		query += " AND (a.end_on IS NULL OR a.end_on >= ?)"
		args = append(args, a.StartOn)
	}
	cond, cargs := visibleSQL(&f)
	ids, err := sqldb.QueryIDs(ctx, s.db, query+cond+" ORDER BY a.id LIMIT 20", append(args, cargs...)...)
	if err != nil {
		return nil, fmt.Errorf("overlapping agreements: %w", err)
	}
	return s.agreementSummaries(ctx, ids, f.Lang)
}

// AddSchedules stores the instalments and obligations of many agreements in one transaction,
// for bulk loads; people add them one by one (SaveInstalment, SaveObligation).
func (s *Agreements) AddSchedules(ctx context.Context, schedules []agreement.PaymentPlan) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		inst, err := tx.Prepare(ctx, `INSERT INTO instalments (agreement_id, due_on, amount_cents, received_on, received_cents, note)
			VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("add schedules: %w", err)
		}
		defer inst.Close()
		obl, err := tx.Prepare(ctx, "INSERT INTO obligations (agreement_id, kind, due_on, submitted_on, note) VALUES (?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("add schedules: %w", err)
		}
		defer obl.Close()
		for _, s := range schedules {
			for _, i := range s.Instalments {
				if err := i.Validate(); err != nil {
					return fmt.Errorf("agreement %d instalment %s: %w", s.AgreementID, i.DueOn, err)
				}
				if _, err := inst.ExecContext(ctx, s.AgreementID, i.DueOn, int64(i.Amount), i.ReceivedOn, int64(i.Received), i.Note); err != nil {
					return fmt.Errorf("agreement %d instalment %s: %w", s.AgreementID, i.DueOn, err)
				}
			}
			for _, o := range s.Obligations {
				if err := o.Validate(); err != nil {
					return fmt.Errorf("agreement %d obligation %s: %w", s.AgreementID, o.DueOn, err)
				}
				if _, err := obl.ExecContext(ctx, s.AgreementID, o.Kind, o.DueOn, o.SubmittedOn, o.Note); err != nil {
					return fmt.Errorf("agreement %d obligation %s: %w", s.AgreementID, o.DueOn, err)
				}
			}
		}
		return nil
	})
}
