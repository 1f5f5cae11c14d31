package money

import (
	"math"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
	}{
		{"0", 0},
		{"7", 700},
		{"  7  ", 700},
		{"0.01", 1},
		{"0.5", 50},
		{"1234.5", 123450},
		{"1234.50", 123450},
		{"-12.34", -1234},
		{"-0.50", -50},
		{"1 234.50", 123450},             // space between digit groups
		{"1\u00a0234.50", 123450},        // non-breaking space (French)
		{"1\u202f234 567.89", 123456789}, // narrow non-breaking space
		{"1,234,567.89", 123456789},      // commas between digit groups
		{"1'234.05", 123405},             // apostrophe (Swiss)
		{"92233720368547757.99", 9223372036854775799},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v, want %d", tt.in, err, tt.want)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		in, why string
	}{
		{"", "empty"},
		{"   ", "only spaces"},
		{"abc", "not a number"},
		{"1.", "a dot without decimals"},
		{"1.2.3", "two dots"},
		{"12-", "trailing sign"},
		{"1.-5", "sign in the decimals"},
		{"1.+5", "sign in the decimals"},
		{"--5", "two minus signs"},
		{"1e3", "exponent"},
		{"0x10", "hexadecimal"},
		{"1_000", "underscore"},
		{"NaN", "not a number"},
		{"Inf", "infinity"},
		{"92233720368547758.08", "one cent more than int64 holds"},
		{"-92233720368547758.08", "one cent beyond what a negated int64 holds"},
		{"99999999999999999999", "overflows int64"},
	}
	for _, tt := range tests {
		if got, err := Parse(tt.in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error (%s)", tt.in, got, tt.why)
		}
	}
}

// A third decimal is refused rather than rounded, even when it is zero: nothing is silently lost.
func TestParseRefusesThirdDecimal(t *testing.T) {
	for _, in := range []string{"1.234", "0.001", "0.005", "1.999", "-2.345", "1.230", "1,234.567"} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %d, want an error: three decimals must not be rounded", in, got)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in   Amount
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{-1, "-0.01"},
		{50, "0.50"},
		{100, "1.00"},
		{123450, "1234.50"},
		{-123456789, "-1234567.89"},
		{math.MaxInt64, "92233720368547758.07"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Amount(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		amount Amount
		rate   float64
		want   Amount
	}{
		{10000, 1.11, 11100},                      // EUR 100.00 at 1.11 = USD 111.00
		{123456789, 1.11, 137037036},              // 1,234,567.89 × 1.11 = 1,370,370.3579 → 1,370,370.36
		{100000000000, 1.1, 110000000000},         // a billion at 1.10, no float drift
		{1, 1.11, 1},                              // 1.11 cents rounds down to 1
		{1, 0.5, 1},                               // half a cent rounds away from zero
		{-1, 0.5, -1},                             // likewise for a negative amount
		{1000, 0.0096, 10},                        // JPY 10.00 at 0.0096 = 0.096 → 0.10
		{50000, 0, 0},                             // rate zero
		{-25000, 1.2, -30000},                     // negative amounts convert too
		{99999999, 1, 99999999},                   // rate one keeps every cent
		{2000000, 0.27229408, 544588},             // AED 20,000.00 → 5,445.8816 → 5,445.88
		{7, 100, 700},                             // large rate
		{333, 1.0 / 3, 111},                       // thirds
		{100000000000000, 1.129, 112900000000000}, // 1e12 units at 1.129
	}
	for _, tt := range tests {
		if got := tt.amount.Convert(tt.rate); got != tt.want {
			t.Errorf("Amount(%d).Convert(%v) = %d, want %d", int64(tt.amount), tt.rate, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"0", "1234.5", "-12.34", "1 234.50", "1\u00a0234.50", "1,234,567.89", "1'234.05", "0.001", "1.", "--5",
		"-", ".5", "+5", "92233720368547757.99", "92233720368547758", "-0", "1.-5", "9223372036854775807",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s) // must not panic
		if err != nil {
			return
		}
		back, err := Parse(a.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %d, but Parse(%q) fails: %v", s, int64(a), a.String(), err)
		}
		if back != a {
			t.Fatalf("Parse(%q) = %d, String() = %q, which parses as %d", s, int64(a), a.String(), int64(back))
		}
	})
}
