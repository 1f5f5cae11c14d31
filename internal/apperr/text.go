package apperr

import (
	"unicode"
	"unicode/utf8"
)

// The text every form and import accepts is checked here, once for all fields, because the
// databases disagree on what they take: PostgreSQL refuses a NUL byte and invalid UTF-8 (an
// error, so a lost form) where SQLite stores them as they came (and an export of them does not
// import again). Each field also has a length, counted in characters (runes), so that no page,
// export or index has to hold a 100,000-character name.

// Text checks a text of a field: valid UTF-8, at most max characters, and no control character.
// A one-line text (a name, a code, an address) takes no line break or tab either; a multi-line
// one (a description, a summary) takes tabs and line breaks, as browsers send them (CR LF).
// It returns the problem, or nil when the text is acceptable.
func Text(s string, max int, multiline bool) *Message {
	if !utf8.ValidString(s) {
		return &Message{Key: "error.bad_text"}
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return &Message{Key: "error.bad_text"}
		}
	}
	if len(s) > max && utf8.RuneCountInString(s) > max {
		return &Message{Key: "error.too_long", Args: []any{"count", max}}
	}
	return nil
}

// Line records the problem of a one-line text of field, if it has one (see Text).
func (f FieldErrors) Line(field, s string, max int) { f.text(field, s, max, false) }

// Lines records the problem of a multi-line text of field, if it has one (see Text).
func (f FieldErrors) Lines(field, s string, max int) { f.text(field, s, max, true) }

func (f FieldErrors) text(field, s string, max int, multiline bool) {
	if m := Text(s, max, multiline); m != nil {
		f.Add(field, m.Key, m.Args...)
	}
}
