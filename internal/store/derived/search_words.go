package derived

import (
	"context"
	"fmt"
	"unicode/utf8"

	"pactum/internal/search"
	"pactum/internal/store/sqldb"
)

// Prefixes shorter than shortestExpandedPrefix keep FTS5's prefix indexes (prefix = '2 3' in
// migration 0007), which hold their merged lists ready.
const shortestExpandedPrefix = 4

// mostExpandedWords is how many words of the index a searched prefix may stand for and still be
// searched as those words; a prefix of more keeps FTS5's own expansion.
const mostExpandedWords = 8

// ExactWords replaces each word that terms search as a prefix by the words of the table's index
// that begin with it, when there are few. FTS5 answers a prefix by merging the lists of all its
// words into a new one at every query that names it, and ranks by reading them all again: for a
// word of a fifth of the registry ("digital", with "digitales") that is a third of the search.
// An OR of the words reads their lists as they are stored, skipping what the other terms rule
// out. A prefix that no word begins with stays as it is and matches nothing.
func ExactWords(ctx context.Context, db *sqldb.DB, table string, terms []search.Term) ([]search.Term, error) {
	query := db.Dialect().WordsStartingWith(table)
	if query == "" {
		return terms, nil
	}
	out := make([]search.Term, len(terms))
	for i, t := range terms {
		out[i] = t
		if !t.Prefix || utf8.RuneCountInString(t.Words[0]) < shortestExpandedPrefix {
			continue
		}
		words, err := sqldb.QueryStrings(ctx, db, query, t.Words[0], t.Words[0]+string(utf8.MaxRune), mostExpandedWords+1)
		if err != nil {
			return nil, fmt.Errorf("words starting with %q: %w", t.Words[0], err)
		}
		if len(words) > 0 && len(words) <= mostExpandedWords {
			out[i] = search.Term{Any: words}
		}
	}
	return out, nil
}
