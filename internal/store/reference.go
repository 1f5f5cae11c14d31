package store

import (
	"context"
	"fmt"

	"pactum/internal/reference"
)

// LoadReferenceDefaults inserts the shipped reference lists, leaving every existing row as it is
// so that an administrator's changes survive upgrades that bring new defaults.
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
	return db.inTx(ctx, func(tx *Tx) error {
		insert := func(query string, args ...any) error {
			if _, err := tx.exec(ctx, query, args...); err != nil {
				return fmt.Errorf("load reference data: %w", err)
			}
			return nil
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
				if err := insert("INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
					reference.ListCountry, c.Code, lang, name); err != nil {
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
				if err := insert("INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
					reference.ListCurrency, c.Code, lang, name); err != nil {
					return err
				}
			}
		}
		for _, l := range labels {
			if l.List == reference.ListCurrency {
				continue // inserted with the currencies
			}
			if err := insert("INSERT INTO reference_labels (list, code, lang, label) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				l.List, l.Code, l.Lang, l.Text); err != nil {
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
		rows, err := db.query(ctx, "SELECT code FROM "+table)
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
	rows, err := db.query(ctx, "SELECT list, code, lang, label FROM reference_labels")
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
	rows, err := db.query(ctx, "SELECT currency_code, valid_from, usd_per_unit FROM currency_rates")
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
