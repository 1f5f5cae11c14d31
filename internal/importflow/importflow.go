// Package importflow is the one flow every kind of import goes through — partners, agreements,
// currency rates, and the kinds to come — from the command line, the import pages and the
// background jobs alike: a file is read and checked as a given person (their rights), gives one
// shape of Result (rows, problems, counts, the first rows of each kind, a plan), and is written
// all or nothing. What differs per kind is a small adapter, a Kind; everything else (reading the
// upload, the preview, the confirmation, the job, the templates, the report of problems) is
// written once, by the callers of this package, against Kind and Result.
//
// The flow goes one way: the adapter loads what the check needs from the store, the importer
// reads and checks the file, and the store writes what the importer hands it; the store never
// calls back into the importer. A file is read once per step: once to preview, once to confirm,
// once to import.
package importflow

import (
	"context"
	"fmt"
	"io"
	"slices"

	"pactum/internal/importer"
	"pactum/internal/reference"
	"pactum/internal/store"
	"pactum/internal/user"
)

// Kind is what differs between the kinds of import.
type Kind interface {
	// Key names the kind: importer.KindPartners, KindAgreements or KindRates, as jobs and the
	// command name it.
	Key() string
	// Template is the empty file people fill in, or nil when the kind offers none.
	Template() *importer.Template
	// Allowed reports whether u may import files of this kind, as the import pages' routes say;
	// a job checks it again when it runs.
	Allowed(u *user.User) bool
	// Check reads and checks the file as in.User may write it, and plans its import against the
	// data as stored, writing nothing.
	Check(ctx context.Context, db *store.DB, in Input) (*Result, error)
	// Import reads and checks the file as Check does and writes it in one transaction, unless
	// accept, which sees the result before anything is committed, returns an error: then nothing
	// is written and Import returns that error with the result. in.Job, when set, is marked done
	// in the same transaction.
	Import(ctx context.Context, db *store.DB, in Input, accept func(*Result) error) (*Result, error)
}

// Input is a file to check or import and who does it.
type Input struct {
	// User is whose rights the file is checked with; nil on the command line, which may write
	// everything.
	User *user.User
	// File names the file: the key of the import's audit entry.
	File string
	// Data is the file, CSV or an Excel workbook. A workbook is read at offsets when Data is an
	// io.ReaderAt with an io.Seeker, as an *os.File or a *bytes.Reader is.
	Data io.Reader
	// Keep is how many rows of each kind the result lists, for a preview.
	Keep int
	// Progress, when set, hears how far the import is.
	Progress func(Progress)
	// Job, when set, is the claimed import job this import is; Import marks it done in its
	// transaction.
	Job *importer.Job
}

// The stages of an import as Progress tells them.
const (
	StageReading   = "reading"   // partners: the file is read; Total unknown
	StageComparing = "comparing" // partners: the rows are compared with the stored partners
	StageWriting   = "writing"   // partners: the partners are written
	StageRows      = "rows"      // agreements: rows checked, and importing, written as they go
)

// Progress is how far an import is.
type Progress struct {
	Stage       string
	Done, Total int // of the stage; Total is 0 when unknown
	// Rows counts the rows of the file done, for the page of a job.
	Rows int
}

func (in Input) progress(p Progress) {
	if in.Progress != nil {
		in.Progress(p)
	}
}

// Result is the outcome of checking or importing a file, whatever its kind.
type Result struct {
	// Ignored are the headers of columns the kind does not have, as written.
	Ignored []string
	// Rows counts the data rows (blank rows aside).
	Rows int
	// Problems lists the first importer.MaxProblems problems by row and column; ProblemCount
	// counts them all.
	Problems     []importer.Problem
	ProblemCount int
	// How many rows create, update and leave records as they are, and the first Input.Keep of each.
	Created, Updated, Unchanged             int
	CreatedRows, UpdatedRows, UnchangedRows []Entry

	// write writes the checked file in the kinds that check it whole before writing it.
	write func(ctx context.Context, db *store.DB, file string, job *importer.Job) error
}

// Entry is a row of a result: a record it creates, updates or leaves unchanged.
type Entry struct {
	// Row is the row's number as a spreadsheet numbers it; 0 when the kind does not say it.
	Row int
	// Key identifies the record: a partner's key, an agreement's reference, a rate's currency.
	Key string
	// Name is the record's name in a language, its English one when it has no other; nil for a
	// rate.
	Name func(lang string) string
	// Changed lists the columns whose values differ, for an update.
	Changed []string
	// Rate is the row's rate, for a rates file, which the preview shows with its date and value.
	Rate *reference.Rate
}

// OK reports whether the file may be imported: it has no problems.
func (r *Result) OK() bool { return r.ProblemCount == 0 }

// Changes reports whether importing the file would create or update anything.
func (r *Result) Changes() bool { return r.Created+r.Updated > 0 }

// Plan sums up what the file would do, or did ("12,3,400": created, updated, unchanged), to
// notice when it is no longer what the person confirmed.
func (r *Result) Plan() string { return fmt.Sprintf("%d,%d,%d", r.Created, r.Updated, r.Unchanged) }

// Kinds are the kinds of import, in the order the command lists them.
var Kinds = []Kind{Partners, Agreements, Rates}

// ByKey returns the kind named key.
func ByKey(key string) (Kind, bool) {
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.Key() == key })
	if i < 0 {
		return nil, false
	}
	return Kinds[i], true
}

// importChecked is Import for the kinds whose check holds the whole plan in memory (partners,
// rates: files of at most a few hundred thousand rows): check, accept, write.
func importChecked(ctx context.Context, k Kind, db *store.DB, in Input, accept func(*Result) error) (*Result, error) {
	res, err := k.Check(ctx, db, in)
	if err != nil {
		return nil, err
	}
	if err := accept(res); err != nil {
		return res, err
	}
	if !res.OK() {
		return res, errProblems(k, in)
	}
	if !res.Changes() && in.Job == nil {
		return res, nil // nothing to write, nor a job to mark done
	}
	return res, res.write(ctx, db, in.File, in.Job)
}

// errProblems stops the import of a file that has problems when accept let it through.
func errProblems(k Kind, in Input) error {
	return fmt.Errorf("import %s %s: the file has problems", k.Key(), in.File)
}

// mayChange reports whether u may import partners or agreements: the roles that change them.
func mayChange(u *user.User) bool {
	return u != nil && u.CanSignIn() && (u.Role == user.RoleAdmin || u.Role == user.RoleOfficer || u.Role == user.RoleRegionalOfficer)
}
