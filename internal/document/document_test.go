package document

import (
	"errors"
	"strings"
	"testing"

	"pactum/internal/apperr"
)

// A file's name is stored and shown: one line of valid text within MaxNameLength characters.
func TestNamesAreTextWithinTheirLimit(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for _, name := range []string{"report\x00.pdf", "report\xff.pdf", "two\nlines.pdf", "bell\a.pdf", strings.Repeat("x", MaxNameLength) + ".pdf"} {
		_, err := New(OwnerAgreement, 1, name, pdf, 1)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Fields["file"].Key != "document.error.bad_name" {
			t.Errorf("%q: %v, want document.error.bad_name", name, err)
		}
	}
	if d, err := New(OwnerAgreement, 1, `C:\scans\`+strings.Repeat("电", MaxNameLength-4)+".pdf", pdf, 1); err != nil || !strings.HasSuffix(d.Filename, ".pdf") {
		t.Errorf("a name at the limit: %v", err)
	}
}
