package importer

import (
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/reference"
)

// AgreementColumns are the columns of an agreement file (docs/import.md) in the order of the
// template: the fifteen of the format, then the optional ones.
var AgreementColumns = []string{
	"reference", "title", "type", "partners", "signed_on", "start_on", "end_on", "status", "amount", "currency",
	"regions", "countries", "action_area", "amends", "notes",
	"amendment_kind", "title_ar", "title_es", "title_fr", "title_ru", "title_zh", "in_kind_usd", "initiative", "office",
	"officer", "confidential",
}

// AgreementRequired are the columns an agreement file must have: those no new agreement can do
// without.
var AgreementRequired = []string{"reference", "title", "type", "partners", "status", "currency", "regions", "action_area"}

// The columns by their place in AgreementColumns, for a row's table of cells and of problems.
const (
	colReference = iota
	colTitle
	colType
	colPartners
	colSignedOn
	colStartOn
	colEndOn
	colStatus
	colAmount
	colCurrency
	colRegions
	colCountries
	colActionArea
	colAmends
	colNotes
	colKind
	colTitleAR
	colTitleES
	colTitleFR
	colTitleRU
	colTitleZH
	colInKind
	colInitiative
	colOffice
	colOfficer
	colConfidential
	numAgreementColumns
)

// titleColumns are the columns of the titles in other languages than English, by language.
var titleColumns = map[string]int{"ar": colTitleAR, "es": colTitleES, "fr": colTitleFR, "ru": colTitleRU, "zh": colTitleZH}

// MaxAgreementRows is how many data rows an agreement file may have. A check keeps each row's
// reference (about forty bytes with its place in a refTable), so two million rows stay within
// a hundred megabytes.
const MaxAgreementRows = 2_000_000

// agreementBatch is how many rows are looked up, and written, together.
const agreementBatch = 1000

// AgreementLookup finds what the rows of an agreement file name. The store answers it: from the
// database for a check, from inside the import's transaction for an import, so that a row sees
// the agreements written by the rows before it.
type AgreementLookup interface {
	// AgreementsByReferences returns the stored agreements among refs, deleted ones included,
	// with their titles and lists and the reference of the agreement each amends.
	AgreementsByReferences(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error)
	// AgreementHeads returns the stored agreements among refs, deleted ones included, with what
	// a row that amends one needs of it: its ID, reference, type and deletion, and its
	// confidentiality and officer for MaySee. A file of a million rows amends a hundred thousand
	// agreements, whose titles and lists nothing reads.
	AgreementHeads(ctx context.Context, refs []string) (map[string]*agreement.Agreement, error)
	// PartnerIDs returns the ids of the partners among keys.
	PartnerIDs(ctx context.Context, keys []string) (map[string]int64, error)
	// OfficerIDs returns the ids of the accounts among usernames that may be responsible for an agreement.
	OfficerIDs(ctx context.Context, usernames []string) (map[string]int64, error)
}

// AgreementWriter is the store's import transaction: a lookup that also writes.
type AgreementWriter interface {
	AgreementLookup
	// WriteAgreements writes a batch: agreements to create, which get their IDs, and stored
	// agreements with the file's columns applied; unchanged counts the rows that change nothing.
	WriteAgreements(ctx context.Context, creates, updates []*agreement.Agreement, unchanged int) error
}

// AgreementOptions are what checking or importing an agreement file needs besides the file.
type AgreementOptions struct {
	Resolver *Resolver
	// Rates price the agreements in US dollars: at the rate of the signing date, or of Today for
	// an agreement not signed yet.
	Rates reference.RateTable
	Today civil.Date
	// Lookup answers a check; an import asks its writer.
	Lookup AgreementLookup
	// MayWrite, when set, says whether the person importing may create an agreement (stored is
	// nil) or change a stored one into row; a row they may not write is a problem.
	MayWrite func(stored, row *agreement.Agreement) bool
	// MaySee, when set, says whether the person importing may see a stored agreement. A row that
	// amends one they may not see is told what a row amending an unknown reference is told, so
	// that an import cannot probe the references of confidential agreements nor amend them. A
	// stored amendment of one they may not see keeps it when the row leaves amends empty, as their
	// export wrote it. Without MaySee an empty amends cell is empty.
	MaySee func(stored *agreement.Agreement) bool
	// Progress, when set, hears how many rows have been checked (and, importing, written).
	Progress func(rows int)
	// Keep is how many rows of each kind the result lists, for a preview.
	Keep int
}

// AgreementEntry is a row of the result: the agreement it creates, updates or leaves unchanged.
type AgreementEntry struct {
	Row              int
	Reference, Title string // the English title
	Changed          []string
}

// AgreementResult is the outcome of checking or importing an agreement file.
type AgreementResult struct {
	// Columns are the agreement columns the file has, in the order of AgreementColumns; Ignored
	// are the other headers, as written.
	Columns []string
	Ignored []string
	// Rows counts the data rows (blank rows aside).
	Rows int
	// Problems lists the first MaxProblems problems by row and column; ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int
	// How many rows create, update and leave agreements as they are, and the first Keep of each.
	Created, Updated, Unchanged             int
	CreatedRows, UpdatedRows, UnchangedRows []AgreementEntry
}

// OK reports whether the file may be imported: it has no problems.
func (r *AgreementResult) OK() bool { return r.ProblemCount == 0 }

// CheckAgreements reads an agreement file, checks every row against the stored agreements,
// partners and accounts, and counts what an import would create, update and leave unchanged. It
// writes nothing. A file that cannot be read is a problem like any other; the error is for the
// lookups.
func CheckAgreements(ctx context.Context, r io.Reader, opts AgreementOptions) (*AgreementResult, error) {
	return runAgreements(ctx, r, opts, opts.Lookup, nil)
}

// ImportAgreements checks an agreement file as CheckAgreements does and writes its rows through
// w, batch by batch, as long as no problem is found. It goes on checking after a problem, writing
// no more, so that the result lists every problem; the caller then rolls the transaction back,
// and nothing of the file is kept. An amendment that comes before the agreement it amends waits
// in memory until that agreement is written.
func ImportAgreements(ctx context.Context, r io.Reader, opts AgreementOptions, w AgreementWriter) (*AgreementResult, error) {
	return runAgreements(ctx, r, opts, w, w)
}

// agreementRun is one check or import of a file. The file is read and its rows parsed in one
// goroutine (reader), while the caller's goroutine looks rows up and writes them (writer), so that
// a large import keeps both processors busy.
type agreementRun struct {
	opts   AgreementOptions
	lookup AgreementLookup
	writer AgreementWriter // nil for a check
	res    *AgreementResult
	probs  problemList
	// Read by both goroutines once the header is read; written by the reader before it sends
	// its first batch.
	cells [numAgreementColumns]int // cell index of each column, -1 when the file lacks it
	// The writer's.
	partners map[string]int64 // partner key → id, 0 when there is none
	officers map[string]int64 // user name → id, 0 when there is none
	edges    []amendsEdge
	pending  []*agreementRow
	failed   bool // a problem was found: nothing more is written
	done     int  // rows looked up
}

// amendsEdge is an amendment row and the reference it amends, kept to check, once the whole file
// is read, that the amended agreement is in Pactum or in the file and is no amendment itself.
type amendsEdge struct {
	row             int
	target          string
	stored, amended bool // the target is stored; it is stored as an amendment
}

// rowBatch is what the reader hands the writer: parsed rows and the problems found parsing them.
type rowBatch struct {
	rows     []*agreementRow
	problems []Problem
}

func runAgreements(ctx context.Context, r io.Reader, opts AgreementOptions, lookup AgreementLookup, w AgreementWriter) (*AgreementResult, error) {
	run := &agreementRun{opts: opts, lookup: lookup, writer: w, res: &AgreementResult{},
		partners: map[string]int64{}, officers: map[string]int64{}}
	for i := range run.cells {
		run.cells[i] = -1
	}
	run.probs.order = run.byPlace
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reader := newAgreementReader(run)
	batches := make(chan *rowBatch, 2)
	var readErr error
	go func() {
		defer close(batches)
		readErr = reader.read(ctx, r, batches)
	}()
	var err error
	for b := range batches {
		if err != nil {
			continue // drain, so that the reader ends
		}
		if err = run.batch(ctx, b); err != nil {
			cancel()
		}
	}
	if err == nil {
		err = readErr
	}
	if err != nil {
		return nil, err
	}
	res := run.res
	res.Columns, res.Ignored, res.Rows = reader.columns, reader.ignored, reader.rows
	for _, p := range reader.fileProblems {
		run.problem(p)
	}
	run.checkAmends(reader.refs)
	if w != nil && !run.failed {
		if err := run.writePending(ctx); err != nil {
			return nil, err
		}
	}
	res.Problems, res.ProblemCount = run.probs.sorted(), run.probs.count
	return res, nil
}

// byPlace orders problems by row, then by their column's place in the file.
func (run *agreementRun) byPlace(a, b Problem) int {
	if a.Row != b.Row {
		return a.Row - b.Row
	}
	return run.place(a.Column) - run.place(b.Column)
}

func (run *agreementRun) place(column string) int {
	if i := slices.Index(AgreementColumns, column); i >= 0 {
		return run.cells[i]
	}
	return -1
}

func (run *agreementRun) problem(p Problem) {
	run.failed = true
	run.probs.add(p)
}

// has reports whether the file has a column.
func (run *agreementRun) has(col int) bool { return run.cells[col] >= 0 }

// batch looks up what a batch of rows names, settles each row and, importing, writes them.
func (run *agreementRun) batch(ctx context.Context, b *rowBatch) error {
	for _, p := range b.problems {
		run.problem(p)
	}
	waiting := run.pending
	run.pending = nil
	refs := make([]string, 0, len(b.rows))
	var targets []string // the references amended
	keys, usernames := unknownNames{known: run.partners}, unknownNames{known: run.officers}
	for _, r := range b.rows {
		refs = append(refs, r.a.Reference)
		if r.amends != "" {
			targets = append(targets, r.amends)
		}
		for _, p := range r.parties {
			keys.add(p.key)
		}
		usernames.add(r.officer)
	}
	for _, r := range waiting {
		targets = append(targets, r.amends)
	}
	existing, err := run.lookup.AgreementsByReferences(ctx, refs)
	if err != nil {
		return err
	}
	if run.opts.MaySee != nil {
		// What the stored amendments of rows that leave amends empty amend: it may be hidden (resolve).
		for _, r := range b.rows {
			if stored := existing[r.a.Reference]; stored != nil && r.amends == "" && stored.AmendsRef != "" {
				targets = append(targets, stored.AmendsRef)
			}
		}
	}
	amended, err := run.lookup.AgreementHeads(ctx, targets)
	if err != nil {
		return err
	}
	hidden := map[string]bool{} // the references among targets that the importer may not see
	if run.opts.MaySee != nil {
		maps.DeleteFunc(amended, func(ref string, a *agreement.Agreement) bool {
			hidden[ref] = !run.opts.MaySee(a)
			return hidden[ref]
		})
	}
	if err := keys.lookUp(ctx, run.lookup.PartnerIDs); err != nil {
		return err
	}
	if err := usernames.lookUp(ctx, run.lookup.OfficerIDs); err != nil {
		return err
	}
	var creates, updates []*agreement.Agreement
	unchanged := 0
	res := run.res
	collect := func(r *agreementRow) {
		a, kind, changed := run.plan(r)
		entry := AgreementEntry{Row: r.num, Changed: changed}
		keep := func(list *[]AgreementEntry) {
			if len(*list) < run.opts.Keep {
				entry.Reference, entry.Title = strings.Clone(r.a.Reference), strings.Clone(a.Titles["en"])
				*list = append(*list, entry)
			}
		}
		switch kind {
		case planCreate:
			res.Created++
			keep(&res.CreatedRows)
			creates = append(creates, a)
		case planUpdate:
			res.Updated++
			keep(&res.UpdatedRows)
			updates = append(updates, a)
		case planUnchanged:
			res.Unchanged++
			keep(&res.UnchangedRows)
			unchanged++
		}
	}
	// Amendments that waited for the agreement they amend, which the previous batches wrote.
	for _, r := range waiting {
		if target := amended[r.amends]; target != nil {
			r.a.AmendsID = target.ID
			collect(r)
		} else {
			run.pending = append(run.pending, r)
		}
	}
	for _, r := range b.rows {
		if run.resolve(r, existing, amended, hidden) {
			collect(r)
		}
	}
	run.done += len(b.rows)
	if run.writer != nil && !run.failed && len(creates)+len(updates)+unchanged > 0 {
		if err := run.writer.WriteAgreements(ctx, creates, updates, unchanged); err != nil {
			return err
		}
	}
	if run.opts.Progress != nil {
		run.opts.Progress(run.done)
	}
	return nil
}

// unknownNames gathers the names of a batch not looked up before.
type unknownNames struct {
	known map[string]int64 // name → id, 0 when it names nothing
	names []string
	seen  map[string]bool
}

func (u *unknownNames) add(name string) {
	if _, ok := u.known[name]; ok || name == "" || u.seen[name] {
		return
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	u.seen[name] = true
	u.names = append(u.names, name)
}

// lookUp asks find for the names and notes the answers in known.
func (u *unknownNames) lookUp(ctx context.Context, find func(context.Context, []string) (map[string]int64, error)) error {
	if len(u.names) == 0 {
		return nil
	}
	found, err := find(ctx, u.names)
	if err != nil {
		return err
	}
	for _, n := range u.names {
		u.known[strings.Clone(n)] = found[n]
	}
	return nil
}

// resolve fills in what a row names — its parties, officer, the stored agreement it updates
// (among existing) and the agreement it amends (among amended; hidden are those the importer may
// not see) — and reports whether it can be planned now. Importing, an amendment of an agreement
// not written yet waits for it.
func (run *agreementRun) resolve(r *agreementRow, existing, amended map[string]*agreement.Agreement, hidden map[string]bool) bool {
	report := func(col int, key string, args ...any) { run.rowProblem(r, col, key, args...) }
	for _, p := range r.parties {
		id := run.partners[p.key]
		if id == 0 {
			report(colPartners, "import.error.partner", "key", p.key)
			continue
		}
		r.a.Parties = append(r.a.Parties, agreement.Party{PartnerID: id, Role: p.role, PartnerKey: p.key})
	}
	if r.officer != "" {
		if r.a.OfficerID = run.officers[r.officer]; r.a.OfficerID == 0 {
			report(colOfficer, "import.error.officer", "value", r.officer)
		}
	}
	r.stored = existing[r.a.Reference]
	if r.stored != nil && r.stored.Deleted() {
		report(colReference, "import.error.deleted", "reference", r.a.Reference)
	}
	if r.amends == "" {
		// The importer's export of a stored amendment leaves amends empty when they may not see
		// the agreement it amends: such a row leaves the link as it is (merge).
		r.keepAmends = r.stored != nil && hidden[r.stored.AmendsRef]
		return true
	}
	target := amended[r.amends]
	if r.a.IsAmendment() {
		run.edges = append(run.edges, amendsEdge{row: r.num, target: strings.Clone(r.amends), stored: target != nil,
			amended: target != nil && target.IsAmendment()})
	}
	switch {
	case target != nil && target.Deleted():
		report(colAmends, "import.error.deleted", "reference", r.amends)
	case target != nil:
		r.a.AmendsID = target.ID
		return true
	}
	// Amended by a row not written yet (or by none: checkAmends says so). The plan sees a
	// placeholder that no stored agreement amends.
	r.a.AmendsID = -1
	if run.writer != nil && !run.failed && r.bad == 0 && r.a.IsAmendment() {
		run.plan(r) // for its problems, now
		if r.bad == 0 {
			r.a.AmendsID = 0
			r.amends = strings.Clone(r.amends)
			r.detach()
			run.pending = append(run.pending, r)
		}
		return false
	}
	return true
}

// checkAmends checks, once the whole file is read, that every amendment amends an agreement in
// Pactum or in the file, and one that is not an amendment itself (as the file leaves it).
func (run *agreementRun) checkAmends(refs *refTable) {
	for _, e := range run.edges {
		entry, inFile := refs.get(e.target)
		switch {
		case inFile && entry&1 == 1, !inFile && e.amended:
			run.problem(Problem{Row: e.row, Column: "amends", Message: apperr.Msg("import.error.amends_amendment", "reference", e.target)})
		case !inFile && !e.stored:
			run.problem(Problem{Row: e.row, Column: "amends", Message: apperr.Msg("import.error.amends_unknown", "reference", e.target)})
		}
	}
	run.edges = nil
}

// writePending writes the amendments still waiting once the file is read: the agreements they
// amend came later in the file, and the last batch wrote them.
func (run *agreementRun) writePending(ctx context.Context) error {
	for len(run.pending) > 0 {
		before := len(run.pending)
		if err := run.batch(ctx, &rowBatch{}); err != nil {
			return err
		}
		if len(run.pending) == before {
			return errors.New("import agreements: amendments wait for agreements the file does not write")
		}
	}
	return nil
}
