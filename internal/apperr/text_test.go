package apperr_test

import (
	"reflect"
	"strings"
	"testing"

	"pactum/internal/apperr"
)

func TestTextLimitRefusesWhatNoDatabaseStoresAlike(t *testing.T) {
	tooLong := &apperr.Message{Key: "error.too_long", Args: []any{"count", 10}}
	bad := &apperr.Message{Key: "error.bad_text"}
	tests := []struct {
		name      string
		text      string
		multiline bool
		want      *apperr.Message
	}{
		{"empty", "", false, nil},
		{"plain", "Union", false, nil},
		{"ten characters of three bytes", strings.Repeat("电", 10), false, nil},
		{"eleven characters", strings.Repeat("é", 11), false, tooLong},
		{"100,000 characters", strings.Repeat("x", 100_000), true, tooLong},
		{"invalid UTF-8", "Bad \xff\xfe", false, bad},
		{"invalid UTF-8, multi-line", "Bad\n\xc3", true, bad},
		{"an encoded surrogate", "\xed\xa0\x80", true, bad},
		{"NUL", "a\x00b", true, bad},
		{"bell", "a\ab", true, bad},
		{"escape", "a\x1bb", true, bad},
		{"delete", "a\x7fb", true, bad},
		{"C1 next line", "a\u0085b", true, bad},
		{"line break on one line", "a\nb", false, bad},
		{"tab on one line", "a\tb", false, bad},
		{"carriage return on one line", "a\rb", false, bad},
		{"lines as browsers send them", "a\r\n\tb", true, nil},
		{"bad text beyond the limit says what is bad", strings.Repeat("x", 20) + "\x00", false, bad},
	}
	for _, tt := range tests {
		if got := apperr.Text(tt.text, 10, tt.multiline); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestTextLimitsReportOnTheirField(t *testing.T) {
	errs := apperr.FieldErrors{}
	errs.Add("name", "error.required")
	errs.Line("name", "a\x00", 5)
	errs.Line("acronym", "ABCDEF", 5)
	errs.Lines("notes", "one\ntwo", 10)
	errs.Line("title", "one\ntwo", 10)
	want := apperr.FieldErrors{
		"name":    apperr.Msg("error.required"),
		"acronym": apperr.Msg("error.too_long", "count", 5),
		"title":   apperr.Msg("error.bad_text"),
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("field errors %v, want %v", errs, want)
	}
}
