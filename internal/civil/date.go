// Package civil holds calendar dates without a time of day or time zone: an agreement is signed
// on 2016-03-14 wherever the reader is.
package civil

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date. The zero Date means "no date" and is stored as NULL.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the ISO 8601 form used in forms, files, URLs and the database.
const Layout = "2006-01-02"

// Of returns the date of t in t's location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Parse reads a date in YYYY-MM-DD form and rejects impossible dates such as 2017-02-30.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Of(t), nil
}

// MustParse is Parse for literals in code and tests; it panics on a bad date.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return Of(d.Time().AddDate(0, 0, n)) }

// Before reports whether d comes before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// After reports whether d comes after e.
func (d Date) After(e Date) bool { return d.Time().After(e.Time()) }

// Value stores the date as YYYY-MM-DD text, which both SQLite and PostgreSQL read as a date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date from either database: a time.Time (PostgreSQL DATE, SQLite with a DATE
// column type) or text.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = Of(v.UTC())
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("civil.Date: cannot scan %T", src)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	if len(s) > len(Layout) {
		s = s[:len(Layout)]
	}
	parsed, err := Parse(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalText writes YYYY-MM-DD, so dates read naturally in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	return d.scanText(string(b))
}
