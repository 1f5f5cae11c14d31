package agreement

import (
	"regexp"
	"slices"
	"strings"
)

// referencePattern is what a reference may hold: letters, digits and - _ . — it is a segment of
// the agreement's URL (/agreements/ITU-VC-2015-017), so the slash and spaces are left out.
var referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ReservedReferences name pages under /agreements/, so no agreement can have them.
var ReservedReferences = []string{"new", "import", "export.csv", "export.xlsx"}

// MaxReferenceLength bounds a reference, which people read and type.
const MaxReferenceLength = 64

// ValidReference reports whether ref can be an agreement's reference: the shape of
// referencePattern, at most MaxReferenceLength characters, and not the name of a page.
func ValidReference(ref string) bool {
	return len(ref) <= MaxReferenceLength && referencePattern.MatchString(ref) &&
		!slices.Contains(ReservedReferences, strings.ToLower(ref))
}
