package references

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// Rates returns every currency rate, indexed for conversion.
func (s *References) Rates(ctx context.Context) (reference.RateTable, error) {
	rows, err := s.db.Query(ctx, "SELECT currency_code, valid_from, usd_per_unit FROM currency_rates")
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	defer rows.Close()
	var list []reference.Rate
	for rows.Next() {
		var r reference.Rate
		if err := rows.Scan(&r.Currency, &r.ValidFrom, &r.USDPerUnit); err != nil {
			return nil, fmt.Errorf("rates: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	return reference.NewRateTable(list), nil
}

// CurrencyRates returns the rates of a currency, newest first.
func (s *References) CurrencyRates(ctx context.Context, currency string) ([]reference.Rate, error) {
	rows, err := s.db.Query(ctx, "SELECT currency_code, valid_from, usd_per_unit FROM currency_rates WHERE currency_code = ? ORDER BY valid_from DESC", currency)
	if err != nil {
		return nil, fmt.Errorf("rates of %s: %w", currency, err)
	}
	defer rows.Close()
	var list []reference.Rate
	for rows.Next() {
		var r reference.Rate
		if err := rows.Scan(&r.Currency, &r.ValidFrom, &r.USDPerUnit); err != nil {
			return nil, fmt.Errorf("rates of %s: %w", currency, err)
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// SaveRate stores the rate of a currency from a date, replacing a rate of the same date, and
// records it in the audit trail. Agreements already stored keep the USD value they were saved with.
func (s *References) SaveRate(ctx context.Context, r reference.Rate) error {
	errs := apperr.FieldErrors{}
	if r.ValidFrom.IsZero() {
		errs.Add("valid_from", "error.date")
	}
	if !(r.USDPerUnit > 0) {
		errs.Add("usd_per_unit", "admin.rates.error.positive")
	}
	if r.Currency == "USD" {
		errs.Add("currency", "admin.rates.error.usd")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM currencies WHERE code = ?)", r.Currency).Scan(&exists); err != nil {
			return fmt.Errorf("save rate: %w", err)
		}
		if !exists {
			return apperr.FieldErrors{"currency": apperr.Msg("error.choose")}.Err()
		}
		var old float64
		err := tx.QueryRow(ctx, "SELECT usd_per_unit FROM currency_rates WHERE currency_code = ? AND valid_from = ?", r.Currency, r.ValidFrom).Scan(&old)
		action := audit.ActionUpdate
		if errors.Is(err, sql.ErrNoRows) {
			action = audit.ActionCreate
		} else if err != nil {
			return fmt.Errorf("save rate: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO currency_rates (currency_code, valid_from, usd_per_unit) VALUES (?, ?, ?)
			ON CONFLICT (currency_code, valid_from) DO UPDATE SET usd_per_unit = excluded.usd_per_unit`, r.Currency, r.ValidFrom, r.USDPerUnit)
		if err != nil {
			return fmt.Errorf("save rate: %w", err)
		}
		var before audit.Record
		if action == audit.ActionUpdate {
			before = audit.Record{"usd_per_unit": old}
		}
		return tx.Audit(ctx, action, "currency_rate", r.Currency+" "+r.ValidFrom.String(),
			audit.Diff(before, audit.Record{"usd_per_unit": r.USDPerUnit}))
	})
}

// WriteRateImport writes a checked rates file inside tx: new rates, and rates that replace the
// stored rate of their currency and date. It records one audit entry for the file (action import,
// entity currency_rate_import) with its counts, instead of one per rate. It is exported for
// store.DB.ImportRates, whose transaction also marks the file's import job done, and the import
// jobs are not this room's.
func WriteRateImport(ctx context.Context, tx *sqldb.Tx, file string, creates, updates []reference.Rate, unchanged int) error {
	stmt, err := tx.Prepare(ctx, `INSERT INTO currency_rates (currency_code, valid_from, usd_per_unit) VALUES (?, ?, ?)
		ON CONFLICT (currency_code, valid_from) DO UPDATE SET usd_per_unit = excluded.usd_per_unit`)
	if err != nil {
		return fmt.Errorf("import rates: %w", err)
	}
	defer stmt.Close()
	for _, list := range [][]reference.Rate{creates, updates} {
		for _, r := range list {
			if _, err := stmt.ExecContext(ctx, r.Currency, r.ValidFrom, r.USDPerUnit); err != nil {
				return fmt.Errorf("import rate %s %s: %w", r.Currency, r.ValidFrom, err)
			}
		}
	}
	return tx.Audit(ctx, audit.ActionImport, "currency_rate_import", file, audit.Changes{
		"created":   {After: len(creates)},
		"updated":   {After: len(updates)},
		"unchanged": {After: unchanged},
	})
}
