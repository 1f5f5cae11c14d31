package references

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// LoadReferenceDefaults inserts the shipped reference lists, leaving existing codes and rates as
// they are. A label takes the shipped text unless an administrator has edited it — rewritten or
// cleared it, as the audit trail records — so that an upgrade brings new and corrected names to
// every database while administrators' changes survive.
func (s *References) LoadReferenceDefaults(ctx context.Context) error {
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
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
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
