package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"pactum/internal/apperr"
)

// What a request's address carries — search words, facet codes, keys, page numbers — is read
// here within bounds, so that no list answers 500 or the wrong page for an address someone typed
// or crafted. The texts of forms are checked by the domain's Validate rules (apperr.Text).

// badAddressText names a parameter of the request's address whose text no database takes:
// invalid UTF-8 or a NUL byte ("path" for the path, "query" for a parameter's name). Such text is
// no code, key or search of Pactum's, and PostgreSQL refuses to compare with it (a 500 where
// SQLite finds nothing), so it is refused before a handler looks anything up with it.
func badAddressText(r *http.Request) (string, bool) {
	if !storable(r.URL.Path) {
		return "path", true
	}
	for name, values := range r.URL.Query() {
		if !storable(name) {
			return "query", true
		}
		for _, v := range values {
			if !storable(v) {
				return name, true
			}
		}
	}
	return "", false
}

// storable reports whether both databases take s as text.
func storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// maxQueryLength bounds what a search box sends, in characters: no name or title is longer
// than a few hundred, and every word of a search costs the index a lookup.
const maxQueryLength = 200

// searchText is a search as sent, without the spaces around it, cut to maxQueryLength
// characters.
func searchText(s string) string {
	s = strings.TrimSpace(s)
	n := 0
	for i := range s {
		if n == maxQueryLength {
			return strings.TrimSpace(s[:i])
		}
		n++
	}
	return s
}

// maxPage bounds a page number read from an address: beyond the last page of any list, and small
// enough that its offset, (page-1) times at most maxPerPage, cannot overflow.
const maxPage = 1_000_000

// maxPerPage is the most items a page of the API holds.
const maxPerPage = 500

// pageParam reads a page number: 1 when absent or not a number, otherwise within 1 and maxPage
// (page=9223372036854775807 is maxPage, where a plain conversion made an offset that overflowed
// to the first page).
func pageParam(s string) int {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 1
	}
	return int(min(max(n, 1), maxPage))
}

// perPageParam reads the API's per_page: 50 when absent, and an error naming it when it is not a
// whole number from 1 to maxPerPage.
func perPageParam(s string) (int, error) {
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > maxPerPage {
		return 0, apperr.FieldErrors{"per_page": apperr.Msg("api.error.per_page", "max", maxPerPage)}.Err()
	}
	return n, nil
}

// lastPage is the number of the last page of total items, perPage to a page; an empty list has one.
func lastPage(total, perPage int) int { return max(1, (total+perPage-1)/perPage) }

// onPage reads page number page of a list, perPage to a page, with read, which takes the offset
// and returns what it read and the list's total. A page past the last one is read again as the
// last, and its number is returned: an address beyond the end shows the last page and says so,
// rather than an empty page or, after an overflow, the first.
func onPage[T any](page, perPage int, read func(offset int) (T, int, error)) (T, int, error) {
	got, total, err := read((page - 1) * perPage)
	if err != nil || page <= lastPage(total, perPage) {
		return got, page, err
	}
	page = lastPage(total, perPage)
	got, _, err = read((page - 1) * perPage)
	return got, page, err
}
