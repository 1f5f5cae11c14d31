package civil

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	accepted := []struct {
		in   string
		want Date
	}{
		{"2017-01-01", Date{2017, time.January, 1}},
		{"2016-02-29", Date{2016, time.February, 29}}, // leap year
		{"2017-12-31", Date{2017, time.December, 31}},
		{"0999-06-15", Date{999, time.June, 15}},
	}
	for _, tt := range accepted {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q, want the input back", tt.in, got.String())
		}
	}

	refused := []string{
		"2017-02-30",           // February has no 30th
		"2017-02-29",           // 2017 is not a leap year
		"2017-04-31",           // April has 30 days
		"2017-13-01",           // no 13th month
		"2017-00-10",           // no month 0
		"2017-01-00",           // no day 0
		"",                     // empty
		"17-01-01",             // two-digit year
		"2017-1-5",             // digits missing
		"2017/01/05",           // wrong separator
		"05-01-2017",           // day first
		"2017-01-01T00:00:00Z", // a time, not a date
		"yesterday",
	}
	for _, in := range refused {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, got)
		}
	}
}

func TestScan(t *testing.T) {
	want := Date{2016, time.March, 14}
	tests := []struct {
		name string
		src  any
		want Date
	}{
		{"time at midnight UTC (PostgreSQL DATE)", time.Date(2016, 3, 14, 0, 0, 0, 0, time.UTC), want},
		{"time late in the UTC day", time.Date(2016, 3, 14, 23, 59, 59, 0, time.UTC), want},
		{"text", "2016-03-14", want},
		{"text with a time (SQLite)", "2016-03-14 00:00:00+00:00", want},
		{"text with a T time", "2016-03-14T00:00:00Z", want},
		{"bytes", []byte("2016-03-14"), want},
		{"NULL", nil, Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Date{1999, time.December, 31} // a previous value must be replaced, NULL included
			if err := d.Scan(tt.src); err != nil {
				t.Fatalf("Scan(%#v): %v", tt.src, err)
			}
			if d != tt.want {
				t.Errorf("Scan(%#v) = %+v, want %+v", tt.src, d, tt.want)
			}
		})
	}

	for _, bad := range []any{"2016-02-30", "14.03.2016", []byte("14/03/2016"), int64(20160314), 3.5} {
		var d Date
		if err := d.Scan(bad); err == nil {
			t.Errorf("Scan(%#v) = %+v, want an error", bad, d)
		}
	}
}

func TestValue(t *testing.T) {
	v, err := Date{}.Value()
	if err != nil || v != nil {
		t.Errorf("zero Date.Value() = %#v, %v; want nil (NULL), nil", v, err)
	}
	v, err = Date{2016, time.March, 4}.Value()
	if err != nil || v != "2016-03-04" {
		t.Errorf("Date.Value() = %#v, %v; want \"2016-03-04\", nil", v, err)
	}
}

func TestAddDays(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2017-01-31", 1, "2017-02-01"},  // month end
		{"2016-02-28", 1, "2016-02-29"},  // leap day
		{"2017-02-28", 1, "2017-03-01"},  // no leap day
		{"2015-12-31", 1, "2016-01-01"},  // year end
		{"2016-01-01", -1, "2015-12-31"}, // back over the year end
		{"2016-03-01", -1, "2016-02-29"}, // back over a leap February
		{"2017-01-31", 30, "2017-03-02"},
		{"2016-01-01", 366, "2017-01-01"}, // a leap year has 366 days
		{"2017-06-15", 0, "2017-06-15"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.from).AddDays(tt.n).String(); got != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}
