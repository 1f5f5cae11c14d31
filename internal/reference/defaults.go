package reference

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"pactum/internal/civil"
)

// data holds the shipped defaults; data/PROVENANCE.md says where each file comes from.
//
//go:embed data/*.csv
var data embed.FS

// readCSV reads an embedded CSV file and calls row for each record after the header, with a
// lookup from column name to value.
func readCSV(name string, row func(line int, col func(string) string) error) error {
	f, err := data.Open("data/" + name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		col := func(name string) string {
			if i, ok := index[name]; ok {
				return rec[i]
			}
			return ""
		}
		if err := row(line, col); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
	}
}

// DefaultCountries returns the 249 ISO 3166-1 entries with their ITU region and CLDR names.
func DefaultCountries() ([]Country, error) {
	var list []Country
	err := readCSV("countries.csv", func(_ int, col func(string) string) error {
		member, err := strconv.ParseBool(col("itu_member"))
		if err != nil {
			return fmt.Errorf("itu_member: %w", err)
		}
		c := Country{Code: col("code"), ISO3: col("iso3"), Region: col("region"), ITUMember: member, Names: Labels{}}
		for _, lang := range Languages {
			c.Names[lang] = col(lang)
		}
		list = append(list, c)
		return nil
	})
	return list, err
}

// DefaultCurrencies returns the active ISO 4217 currencies with their minor units and their names
// in the six languages: CLDR's, unless labels.csv writes the currency's names for Pactum (where CLDR
// has none, or a worse one).
func DefaultCurrencies() ([]Currency, error) {
	names := map[string]Labels{}
	err := readCSV("currency_names.csv", func(_ int, col func(string) string) error {
		l := Labels{}
		for _, lang := range Languages {
			if s := col(lang); s != "" {
				l[lang] = s
			}
		}
		names[col("code")] = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	labels, err := DefaultLabels()
	if err != nil {
		return nil, err
	}
	own := map[string]Labels{}
	for _, l := range labels {
		if l.List == ListCurrency {
			if own[l.Code] == nil {
				own[l.Code] = Labels{}
			}
			own[l.Code][l.Lang] = l.Text
		}
	}
	var list []Currency
	err = readCSV("currencies.csv", func(_ int, col func(string) string) error {
		minor, err := strconv.Atoi(col("minor_units"))
		if err != nil {
			return fmt.Errorf("minor_units: %w", err)
		}
		c := Currency{Code: col("code"), MinorUnits: minor, Names: names[col("code")]}
		if l, ok := own[c.Code]; ok {
			c.Names = l
		}
		list = append(list, c)
		return nil
	})
	return list, err
}

// DefaultLabels returns the six-language labels written for Pactum: those of every list but
// countries and currencies, and the names of the few currencies CLDR does not name well.
// DefaultCountries and DefaultCurrencies give the names of every country and currency.
func DefaultLabels() ([]Label, error) {
	var list []Label
	err := readCSV("labels.csv", func(_ int, col func(string) string) error {
		for _, lang := range Languages {
			if col(lang) == "" {
				return fmt.Errorf("%s %s: no %s label", col("list"), col("code"), lang)
			}
			list = append(list, Label{List: col("list"), Code: col("code"), Lang: lang, Text: col(lang)})
		}
		return nil
	})
	return list, err
}

// Rate is the value of one unit of a currency in US dollars from a date on.
type Rate struct {
	Currency   string
	ValidFrom  civil.Date
	USDPerUnit float64
}

// DefaultRates returns the shipped rates: yearly averages for the currencies of the demo data.
func DefaultRates() ([]Rate, error) {
	var list []Rate
	err := readCSV("rates.csv", func(_ int, col func(string) string) error {
		from, err := civil.Parse(col("valid_from"))
		if err != nil {
			return err
		}
		v, err := strconv.ParseFloat(col("usd_per_unit"), 64)
		if err != nil || v <= 0 {
			return fmt.Errorf("usd_per_unit %q: want a positive number", col("usd_per_unit"))
		}
		list = append(list, Rate{Currency: col("currency"), ValidFrom: from, USDPerUnit: v})
		return nil
	})
	return list, err
}

// RateTable answers the rate of a currency on a date: the latest rate valid on or before it.
type RateTable map[string][]Rate

// NewRateTable indexes rates by currency.
func NewRateTable(rates []Rate) RateTable {
	t := RateTable{}
	for _, r := range rates {
		t[r.Currency] = append(t[r.Currency], r)
	}
	for _, list := range t {
		sort.Slice(list, func(i, j int) bool { return list[i].ValidFrom.Before(list[j].ValidFrom) })
	}
	return t
}

// USDPerUnit returns the rate of currency on day; US dollars are always 1. It reports false when
// no rate is known on or before day.
func (t RateTable) USDPerUnit(currency string, day civil.Date) (float64, bool) {
	if currency == "USD" {
		return 1, true
	}
	list := t[currency]
	i := sort.Search(len(list), func(i int) bool { return list[i].ValidFrom.After(day) })
	if i == 0 {
		return 0, false
	}
	return list[i-1].USDPerUnit, true
}
