// Package references stores the reference lists — their codes, their labels in six languages and
// administrators' edits of them — with the currency rates and the countries' regions: the shared
// data every other room validates and labels against, loaded from the shipped defaults at start.
package references

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/audit"
	"pactum/internal/reference"
	"pactum/internal/store/sqldb"
)

// References reads and writes the reference lists, their labels, the currency rates and the
// countries' regions. It is one room of store.DB.
type References struct {
	db *sqldb.DB
}

// New returns the room on an open database.
func New(db *sqldb.DB) *References { return &References{db: db} }

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
func (s *References) Codes(ctx context.Context) (reference.CodeSet, error) {
	set := reference.CodeSet{}
	for list, table := range codeTables {
		rows, err := s.db.Query(ctx, "SELECT code FROM "+table)
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
func (s *References) Labels(ctx context.Context) (reference.LabelSet, error) {
	rows, err := s.db.Query(ctx, "SELECT list, code, lang, label FROM reference_labels")
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
func (s *References) ReferenceItems(ctx context.Context, list string) ([]reference.Item, error) {
	query, ok := referenceQueries[list]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "admin.reference.unknown_list")
	}
	rows, err := s.db.Query(ctx, query)
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
		srows, err := s.db.Query(ctx, "SELECT action_area_code, dac_sector_code FROM action_area_sectors ORDER BY dac_sector_code")
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
	lrows, err := s.db.Query(ctx, "SELECT code, lang, label FROM reference_labels WHERE list = ?", list)
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
func (s *References) SaveReferenceItem(ctx context.Context, list string, item reference.Item) error {
	items, err := s.ReferenceItems(ctx, list)
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
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
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

// LabelsFor returns the labels of every list in lang and in English (the fallback), which is
// all a page in lang needs.
func (s *References) LabelsFor(ctx context.Context, lang string) (reference.LabelSet, error) {
	rows, err := s.db.Query(ctx, "SELECT list, code, lang, label FROM reference_labels WHERE lang IN (?, 'en')", lang)
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
func (s *References) ReferenceCodes(ctx context.Context, list string) ([]string, error) {
	items, err := s.ReferenceItems(ctx, list)
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
func (s *References) CountryRegions(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.Query(ctx, "SELECT code, COALESCE(region_code, '') FROM countries")
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
