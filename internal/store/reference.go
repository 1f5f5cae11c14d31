package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// LoadReferenceDefaults inserts the shipped reference lists, leaving existing codes and rates as
// they are. A label takes the shipped text unless an administrator has edited it — rewritten or
// cleared it, as the audit trail records — so that an upgrade brings new and corrected names to
// every database while administrators' changes survive.
func (db *DB) LoadReferenceDefaults(ctx context.Context) error {
	countries, err := reference.DefaultCountries()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	currencies, err := reference.DefaultCurrencies()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	labels, err := reference.DefaultLabels()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	rates, err := reference.DefaultRates()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		insert := func(query string, args ...any) error {
			if _, err := tx.Exec(ctx, query, args...); err != nil {
				return fmt.Errorf("load reference data: %w", err)
			}
			return nil
		}
		edited, err := editedLabels(ctx, tx)
		if err != nil {
			return err
		}
		label := func(list, code, lang, text string) error {
			if edited[labelKey{list, code, lang}] {
				return nil
			}
			return insert(`INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?)
				ON CONFLICT (list, code, lang) DO UPDATE SET label = excluded.label WHERE reference_labels.label <> excluded.label`,
				list, code, lang, text)
		}
		for i, code := range reference.Regions {
			if err := insert("INSERT INTO regions (code, sort_order) VALUES (?, ?) ON CONFLICT DO NOTHING", code, i+1); err != nil {
				return err
			}
		}
		for _, c := range countries {
			var region any
			if c.Region != "" {
				region = c.Region
			}
			if err := insert("INSERT INTO countries (code, iso3, region_code, itu_member) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				c.Code, c.ISO3, region, c.ITUMember); err != nil {
				return err
			}
			for lang, name := range c.Names {
				if err := label(reference.ListCountry, c.Code, lang, name); err != nil {
					return err
				}
			}
		}
		for i, a := range reference.ActionAreas {
			if err := insert("INSERT INTO action_areas (code, sort_order) VALUES (?, ?) ON CONFLICT DO NOTHING", a.Code, i+1); err != nil {
				return err
			}
			for _, sector := range a.DACSectors {
				if err := insert("INSERT INTO action_area_sectors (action_area_code, dac_sector_code) VALUES (?, ?) ON CONFLICT DO NOTHING", a.Code, sector); err != nil {
					return err
				}
			}
		}
		for i, t := range reference.PartnerTypes {
			if err := insert("INSERT INTO partner_types (code, iati_org_type, sort_order) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", t.Code, t.IATIOrgType, i+1); err != nil {
				return err
			}
		}
		simple := []struct {
			table string
			codes []string
		}{
			{"membership_categories", reference.MembershipCategories},
			{"agreement_types", reference.AgreementTypes},
			{"financing_types", reference.FinancingTypes},
		}
		for _, list := range simple {
			for i, code := range list.codes {
				if err := insert("INSERT INTO "+list.table+" (code, sort_order) VALUES (?, ?) ON CONFLICT DO NOTHING", code, i+1); err != nil {
					return err
				}
			}
		}
		for _, c := range currencies {
			if err := insert("INSERT INTO currencies (code, minor_units) VALUES (?, ?) ON CONFLICT DO NOTHING", c.Code, c.MinorUnits); err != nil {
				return err
			}
			for lang, name := range c.Names {
				if err := label(reference.ListCurrency, c.Code, lang, name); err != nil {
					return err
				}
			}
		}
		for _, l := range labels {
			if l.List == reference.ListCurrency {
				continue // inserted with the currencies
			}
			if err := label(l.List, l.Code, l.Lang, l.Text); err != nil {
				return err
			}
		}
		for _, r := range rates {
			if err := insert("INSERT INTO currency_rates (currency_code, valid_from, usd_per_unit) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				r.Currency, r.ValidFrom, r.USDPerUnit); err != nil {
				return err
			}
		}
		return nil
	})
}

// labelKey names one label: a code of a list in a language.
type labelKey struct{ list, code, lang string }

// editedLabels returns the labels administrators have edited, from the entries SaveReferenceItem
// records in the audit trail.
func editedLabels(ctx context.Context, tx *sqldb.Tx) (map[labelKey]bool, error) {
	entities := make([]any, len(reference.EditableLists))
	for i, list := range reference.EditableLists {
		entities[i] = referenceEntity(list)
	}
	rows, err := tx.Query(ctx, "SELECT entity, entity_key, changes FROM audit_log WHERE entity IN ("+sqldb.Placeholders(len(entities))+")", entities...)
	if err != nil {
		return nil, fmt.Errorf("edited labels: %w", err)
	}
	defer rows.Close()
	edited := map[labelKey]bool{}
	for rows.Next() {
		var entity, code, data string
		if err := rows.Scan(&entity, &code, &data); err != nil {
			return nil, fmt.Errorf("edited labels: %w", err)
		}
		var changes map[string]json.RawMessage
		if err := json.Unmarshal([]byte(data), &changes); err != nil {
			return nil, fmt.Errorf("edited labels: audit entry of %s %s: %w", entity, code, err)
		}
		list := strings.TrimPrefix(entity, referenceEntity(""))
		for _, lang := range reference.Languages {
			if _, ok := changes[labelField(lang)]; ok {
				edited[labelKey{list, code, lang}] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("edited labels: %w", err)
	}
	return edited, nil
}

// referenceEntity is the kind of record the audit trail names for an entry of list.
func referenceEntity(list string) string { return "reference_" + list }

// labelField is the field the audit trail names for the label in lang.
func labelField(lang string) string { return "label_" + lang }

// codeTables maps each reference list to the table that holds its codes.
var codeTables = map[string]string{
	reference.ListRegion:        "regions",
	reference.ListCountry:       "countries",
	reference.ListActionArea:    "action_areas",
	reference.ListPartnerType:   "partner_types",
	reference.ListMembership:    "membership_categories",
	reference.ListAgreementType: "agreement_types",
	reference.ListFinancingType: "financing_types",
	reference.ListCurrency:      "currencies",
}

// Codes returns the codes of every reference list, for validation.
func (db *DB) Codes(ctx context.Context) (reference.CodeSet, error) {
	set := reference.CodeSet{}
	for list, table := range codeTables {
		rows, err := db.Query(ctx, "SELECT code FROM "+table)
		if err != nil {
			return nil, fmt.Errorf("codes of %s: %w", list, err)
		}
		for rows.Next() {
			var code string
			if err := rows.Scan(&code); err != nil {
				rows.Close()
				return nil, fmt.Errorf("codes of %s: %w", list, err)
			}
			set.Add(list, code)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("codes of %s: %w", list, err)
		}
	}
	return set, nil
}

// Labels returns the labels of every reference list in every language.
func (db *DB) Labels(ctx context.Context) (reference.LabelSet, error) {
	rows, err := db.Query(ctx, "SELECT list, code, lang, label FROM reference_labels")
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	set := reference.LabelSet{}
	for rows.Next() {
		var list, code, lang, label string
		if err := rows.Scan(&list, &code, &lang, &label); err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		if set[list] == nil {
			set[list] = map[string]reference.Labels{}
		}
		if set[list][code] == nil {
			set[list][code] = reference.Labels{}
		}
		set[list][code][lang] = label
	}
	return set, rows.Err()
}

// Rates returns every currency rate, indexed for conversion.
func (db *DB) Rates(ctx context.Context) (reference.RateTable, error) {
	rows, err := db.Query(ctx, "SELECT currency_code, valid_from, usd_per_unit FROM currency_rates")
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

// referenceQueries gives, per list, the query of its codes in display order with their detail.
var referenceQueries = map[string]string{
	reference.ListRegion:        "SELECT code, sort_order, '' FROM regions ORDER BY sort_order",
	reference.ListActionArea:    "SELECT code, sort_order, '' FROM action_areas ORDER BY sort_order",
	reference.ListPartnerType:   "SELECT code, sort_order, iati_org_type FROM partner_types ORDER BY sort_order",
	reference.ListMembership:    "SELECT code, sort_order, '' FROM membership_categories ORDER BY sort_order",
	reference.ListAgreementType: "SELECT code, sort_order, '' FROM agreement_types ORDER BY sort_order",
	reference.ListFinancingType: "SELECT code, sort_order, '' FROM financing_types ORDER BY sort_order",
	reference.ListCurrency:      "SELECT code, 0, CAST(minor_units AS TEXT) FROM currencies ORDER BY code",
	reference.ListCountry:       "SELECT code, 0, COALESCE(region_code, '') FROM countries ORDER BY code",
}

// ReferenceItems returns a list's entries in display order with their labels in every language.
func (db *DB) ReferenceItems(ctx context.Context, list string) ([]reference.Item, error) {
	query, ok := referenceQueries[list]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "admin.reference.unknown_list")
	}
	rows, err := db.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("reference list %s: %w", list, err)
	}
	defer rows.Close()
	var items []reference.Item
	index := map[string]int{}
	for rows.Next() {
		it := reference.Item{Labels: reference.Labels{}}
		if err := rows.Scan(&it.Code, &it.SortOrder, &it.Detail); err != nil {
			return nil, fmt.Errorf("reference list %s: %w", list, err)
		}
		index[it.Code] = len(items)
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reference list %s: %w", list, err)
	}
	if list == reference.ListActionArea {
		srows, err := db.Query(ctx, "SELECT action_area_code, dac_sector_code FROM action_area_sectors ORDER BY dac_sector_code")
		if err != nil {
			return nil, fmt.Errorf("action area sectors: %w", err)
		}
		defer srows.Close()
		for srows.Next() {
			var code, sector string
			if err := srows.Scan(&code, &sector); err != nil {
				return nil, fmt.Errorf("action area sectors: %w", err)
			}
			if i, ok := index[code]; ok {
				items[i].Detail = strings.TrimSpace(items[i].Detail + " " + sector)
			}
		}
		if err := srows.Err(); err != nil {
			return nil, fmt.Errorf("action area sectors: %w", err)
		}
	}
	lrows, err := db.Query(ctx, "SELECT code, lang, label FROM reference_labels WHERE list = ?", list)
	if err != nil {
		return nil, fmt.Errorf("labels of %s: %w", list, err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var code, lang, label string
		if err := lrows.Scan(&code, &lang, &label); err != nil {
			return nil, fmt.Errorf("labels of %s: %w", list, err)
		}
		if i, ok := index[code]; ok {
			items[i].Labels[lang] = label
		}
	}
	return items, lrows.Err()
}

// SaveReferenceItem saves the labels of a list's entry, and its detail where the list has an
// editable one (the DAC sectors of an action area, the IATI type of a partner type), recording
// the change in the audit trail.
func (db *DB) SaveReferenceItem(ctx context.Context, list string, item reference.Item) error {
	items, err := db.ReferenceItems(ctx, list)
	if err != nil {
		return err
	}
	var before *reference.Item
	for i := range items {
		if items[i].Code == item.Code {
			before = &items[i]
		}
	}
	if before == nil {
		return apperr.New(apperr.NotFound, "admin.reference.unknown_code", "code", item.Code)
	}
	errs := apperr.FieldErrors{}
	if err := item.Validate(); err != nil {
		errs = apperr.FieldsOf(err)
	}
	var sectors []string
	switch list {
	case reference.ListActionArea:
		sectors = sqldb.Dedupe(strings.Fields(item.Detail))
		slices.Sort(sectors)
		for _, sector := range sectors {
			if len(sector) != 5 || strings.Trim(sector, "0123456789") != "" {
				errs.Add("detail", "admin.reference.error.dac_sector", "code", sector)
			}
		}
		item.Detail = strings.Join(sectors, " ") // as stored, so the trail shows what changed
	case reference.ListPartnerType:
		if strings.Trim(item.Detail, "0123456789") != "" || item.Detail == "" {
			errs.Add("detail", "admin.reference.error.iati_type")
		}
	default:
		item.Detail = before.Detail // not editable here
	}
	if err := errs.Err(); err != nil {
		return err
	}
	beforeRecord, afterRecord := audit.Record{"detail": before.Detail}, audit.Record{"detail": item.Detail}
	for _, lang := range reference.Languages {
		beforeRecord[labelField(lang)] = before.Labels[lang]
		afterRecord[labelField(lang)] = strings.TrimSpace(item.Labels[lang])
	}
	changes := audit.Diff(beforeRecord, afterRecord)
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, lang := range reference.Languages {
			label := strings.TrimSpace(item.Labels[lang])
			if _, err := tx.Exec(ctx, "DELETE FROM reference_labels WHERE list = ? AND code = ? AND lang = ?", list, item.Code, lang); err != nil {
				return fmt.Errorf("save label: %w", err)
			}
			if label == "" {
				continue
			}
			if _, err := tx.Exec(ctx, "INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?)", list, item.Code, lang, label); err != nil {
				return fmt.Errorf("save label: %w", err)
			}
		}
		switch list {
		case reference.ListActionArea:
			if _, err := tx.Exec(ctx, "DELETE FROM action_area_sectors WHERE action_area_code = ?", item.Code); err != nil {
				return fmt.Errorf("save sectors: %w", err)
			}
			for _, sector := range sectors {
				if _, err := tx.Exec(ctx, "INSERT INTO action_area_sectors (action_area_code, dac_sector_code) VALUES (?, ?)", item.Code, sector); err != nil {
					return fmt.Errorf("save sectors: %w", err)
				}
			}
		case reference.ListPartnerType:
			if _, err := tx.Exec(ctx, "UPDATE partner_types SET iati_org_type = ? WHERE code = ?", item.Detail, item.Code); err != nil {
				return fmt.Errorf("save IATI type: %w", err)
			}
		}
		return tx.Audit(ctx, audit.ActionUpdate, referenceEntity(list), item.Code, changes)
	})
}

// CurrencyRates returns the rates of a currency, newest first.
func (db *DB) CurrencyRates(ctx context.Context, currency string) ([]reference.Rate, error) {
	rows, err := db.Query(ctx, "SELECT currency_code, valid_from, usd_per_unit FROM currency_rates WHERE currency_code = ? ORDER BY valid_from DESC", currency)
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
func (db *DB) SaveRate(ctx context.Context, r reference.Rate) error {
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
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
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

// LabelsFor returns the labels of every list in lang and in English (the fallback), which is
// all a page in lang needs.
func (db *DB) LabelsFor(ctx context.Context, lang string) (reference.LabelSet, error) {
	rows, err := db.Query(ctx, "SELECT list, code, lang, label FROM reference_labels WHERE lang IN (?, 'en')", lang)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	set := reference.LabelSet{}
	for rows.Next() {
		var list, code, l, label string
		if err := rows.Scan(&list, &code, &l, &label); err != nil {
			return nil, fmt.Errorf("labels: %w", err)
		}
		if set[list] == nil {
			set[list] = map[string]reference.Labels{}
		}
		if set[list][code] == nil {
			set[list][code] = reference.Labels{}
		}
		set[list][code][l] = label
	}
	return set, rows.Err()
}

// ReferenceCodes returns the codes of a list in display order.
func (db *DB) ReferenceCodes(ctx context.Context, list string) ([]string, error) {
	items, err := db.ReferenceItems(ctx, list)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.Code
	}
	return codes, nil
}

// CountryRegions maps each country to its region ("" for other economies).
func (db *DB) CountryRegions(ctx context.Context) (map[string]string, error) {
	rows, err := db.Query(ctx, "SELECT code, COALESCE(region_code, '') FROM countries")
	if err != nil {
		return nil, fmt.Errorf("country regions: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var c, r string
		if err := rows.Scan(&c, &r); err != nil {
			return nil, fmt.Errorf("country regions: %w", err)
		}
		m[c] = r
	}
	return m, rows.Err()
}
