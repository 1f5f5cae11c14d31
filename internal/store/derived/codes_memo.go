package derived

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"pactum/internal/agreement"
	"pactum/internal/store/sqldb"
)

// CodesMemo is a server's copy of agreement_codes in memory, for counting the facets of a
// registry search. Read from the table, the codes of the tens of thousands of agreements a common
// word selects take a b-tree seek each, a microsecond, and most of a search's time; here they are
// an index into a slice. The copy is of one generation of the table (agreement_codes_generation,
// raised by every transaction that writes it), and it is used only by a search that reads the
// same generation in its own snapshot; otherwise the search reads the table, and the copy is
// made again beside it. So the copy never answers for a table that has changed, and a server
// keeps no state that another could miss.
type CodesMemo struct {
	db      *sqldb.DB
	ctx     context.Context // ends when the database closes, and with it a load
	stop    context.CancelFunc
	loader  sync.WaitGroup
	mu      sync.Mutex
	table   *codesTable // nil until a load ends
	loading bool
}

// NewCodesMemo returns an empty memo of the database.
func NewCodesMemo(db *sqldb.DB) *CodesMemo {
	ctx, stop := context.WithCancel(context.Background())
	return &CodesMemo{db: db, ctx: ctx, stop: stop}
}

// close stops a load under way and waits for it.
// Close stops the copying in the background.
func (m *CodesMemo) Close() {
	m.stop()
	m.loader.Wait()
}

// tableOf returns the copy if it is of generation, or else nil, having started a new copy if
// none is being made.
func (m *CodesMemo) tableOf(generation int64) *codesTable {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.table != nil && m.table.generation == generation {
		return m.table
	}
	if m.table == nil || m.table.generation < generation {
		m.startLoad()
	}
	return nil
}

// startLoad starts making a new copy unless one is being made; the caller holds mu.
func (m *CodesMemo) startLoad() {
	if !m.loading {
		m.loading = true
		m.loader.Go(func() {
			table, err := loadCodesTable(m.ctx, m.db)
			if err != nil && !errors.Is(err, context.Canceled) {
				slog.Error("copy agreement codes into memory", "err", err)
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			m.loading = false
			if table != nil {
				m.keep(table)
			}
		})
	}
}

// copyInBackground starts making a new copy unless one is being made.
func (m *CodesMemo) copyInBackground() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.startLoad()
}

// load makes the copy now and waits for it (a benchmark, a test).
func (m *CodesMemo) load(ctx context.Context) error {
	table, err := loadCodesTable(ctx, m.db)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keep(table)
	return nil
}

// keep makes table the copy unless the copy is of a later generation; the caller holds mu.
func (m *CodesMemo) keep(table *codesTable) {
	if m.table == nil || table.generation > m.table.generation {
		m.table = table
	}
}

// codesGeneration reads the generation of agreement_codes in tx's snapshot.
func codesGeneration(ctx context.Context, tx *sql.Tx) (int64, error) {
	var generation int64
	if err := tx.QueryRowContext(ctx, "SELECT generation FROM agreement_codes_generation").Scan(&generation); err != nil {
		return 0, fmt.Errorf("read the generation of agreement codes: %w", err)
	}
	return generation, nil
}

// codesTable is agreement_codes as of one generation: for each agreement id, a row of width
// numbers, one per field of CodeFields, each the place of the field's text in values[field].
// Place 0 stands for no such field (a row written before the field existed), and a row whose
// first number is 0 for an id without a row.
type codesTable struct {
	generation int64
	width      int
	rows       []uint32
	values     [][]string
}

// row returns the numbers of an agreement's fields, or nil when it has no row.
func (t *codesTable) row(id int64) []uint32 {
	if id < 0 || id >= int64(len(t.rows)/t.width) {
		return nil
	}
	r := t.rows[int(id)*t.width : int(id+1)*t.width]
	if r[0] == 0 {
		return nil
	}
	return r
}

// place returns the place of text among the values of a field, or 0 when no row has it there.
func (t *codesTable) place(field int, text string) uint32 {
	for i, v := range t.values[field][1:] {
		if v == text {
			return uint32(i + 1)
		}
	}
	return 0
}

// loadCodesTable reads agreement_codes and its generation in one snapshot.
func loadCodesTable(ctx context.Context, db *sqldb.DB) (*codesTable, error) {
	tx, err := db.Read().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	generation, err := codesGeneration(ctx, tx)
	if err != nil {
		return nil, err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(agreement_id), 0) FROM agreement_codes").Scan(&last); err != nil {
		return nil, fmt.Errorf("read last agreement: %w", err)
	}
	t := &codesTable{generation: generation, width: len(CodeFields), rows: make([]uint32, (last+1)*int64(len(CodeFields))),
		values: make([][]string, len(CodeFields))}
	places := make([]map[string]uint32, t.width)
	for i := range places {
		places[i] = map[string]uint32{}
		t.values[i] = []string{""}
	}
	rows, err := tx.QueryContext(ctx, "SELECT agreement_id, codes FROM agreement_codes")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fields []string
	for rows.Next() {
		var id int64
		var codes string
		if err := rows.Scan(&id, &codes); err != nil {
			return nil, err
		}
		if id < 0 || id > last {
			return nil, fmt.Errorf("agreement id %d outside 0 to %d", id, last)
		}
		fields = AppendFields(fields[:0], codes)
		row := t.rows[int(id)*t.width : int(id+1)*t.width]
		for i, text := range fields[:min(len(fields), t.width)] {
			place, ok := places[i][text]
			if !ok {
				text = strings.Clone(text) // not the whole row's text
				place = uint32(len(t.values[i]))
				places[i][text] = place
				t.values[i] = append(t.values[i], text)
			}
			row[i] = place
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// CopyInBackground starts copying the registry's facet codes into memory, so that the first
// searches of a server that starts need not read them from the table. A nil memo (the database
// keeps no copy: PostgreSQL) does nothing.
func (m *CodesMemo) CopyInBackground() {
	if m != nil {
		m.copyInBackground()
	}
}

// Load copies the registry's facet codes into memory now, so that the first searches need not
// wait for it. A nil memo does nothing.
func (m *CodesMemo) Load(ctx context.Context) error {
	if m == nil {
		return nil
	}
	if err := m.load(ctx); err != nil {
		return fmt.Errorf("copy agreement codes into memory: %w", err)
	}
	return nil
}

// CountMatches adds to tally the codes of facets among the agreements the query match (taking
// args, selecting an id column) selects, as the registry counts rows of agreement_codes, from the
// copy in memory; it tells whether it could (the copy is of the generation the search reads). A
// nil memo cannot.
func (m *CodesMemo) CountMatches(ctx context.Context, f *agreement.Filter, match string, args []any, facets []string,
	choice *FacetChoice, tally []map[string]int) (bool, error) {
	if m == nil {
		return false, nil
	}
	tx, generation, err := m.snapshot(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	table := m.tableOf(generation)
	if table == nil {
		return false, nil
	}
	// The ids come as one text, "1,5,9": tens of thousands of rows through database/sql would
	// take longer than the search itself.
	var ids sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT group_concat(id) FROM ("+match+") m", args...).Scan(&ids); err != nil {
		return false, err
	}
	c := newMemoCounter(table, f, facets, choice)
	if ids.String != "" {
		for text := range strings.SplitSeq(ids.String, ",") {
			id, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return false, fmt.Errorf("agreement id %q: %w", text, err)
			}
			if row := table.row(id); row != nil {
				c.count(row)
			}
		}
	}
	c.addTo(tally)
	return true, nil
}

// memoCounter counts rows of a codesTable by the rules of agreementFacetCounts' counter, on the
// places of the fields' texts: a text's codes are split once, at the end, not once per row.
type memoCounter struct {
	table     *codesTable
	positions []int   // of each counted facet in a row
	counts    [][]int // for each counted facet, the rows counted by place of its text
	// the place of "yes" in the confidential field (0 when the reader sees every confidential
	// agreement, or none is), and of the reader among the officers (0 for none)
	yes, reader  uint32
	confidential int
	choice       *FacetChoice
	verdicts     [][]int8 // for each chosen facet, by place: 0 not known yet, 1 admitted, -1 refused
	countedIn    []int    // for each counted facet, its place among the chosen ones, or -1
}

func newMemoCounter(t *codesTable, f *agreement.Filter, facets []string, choice *FacetChoice) *memoCounter {
	c := &memoCounter{table: t, confidential: CodeField(agreement.FacetConfidential), choice: choice}
	if !f.AllConfidential {
		c.yes = t.place(c.confidential, "yes")
		c.reader = t.place(OfficerField, strconv.FormatInt(f.ReaderID, 10))
	}
	for _, facet := range facets {
		pos := CodeField(facet)
		c.positions = append(c.positions, pos)
		n := 0
		if pos >= 0 && pos < t.width {
			n = len(t.values[pos])
		}
		c.counts = append(c.counts, make([]int, n))
		chosen := -1
		if choice != nil {
			chosen = slices.Index(choice.facets, facet)
		}
		c.countedIn = append(c.countedIn, chosen)
	}
	if choice != nil {
		for _, pos := range choice.positions {
			n := 0
			if pos >= 0 && pos < t.width {
				n = len(t.values[pos])
			}
			c.verdicts = append(c.verdicts, make([]int8, n))
		}
	}
	return c
}

// count counts one row: not at all if it is a confidential agreement the reader does not see or
// several chosen facets refuse it, only in the refusing facet if one does, else in every facet.
func (c *memoCounter) count(row []uint32) {
	if c.yes != 0 && row[c.confidential] == c.yes && (row[OfficerField] == 0 || row[OfficerField] != c.reader) {
		return
	}
	refusing := -1
	if c.choice != nil {
		for i, pos := range c.choice.positions {
			if !c.admits(i, pos, row) {
				if refusing >= 0 {
					return
				}
				refusing = i
			}
		}
	}
	for i, pos := range c.positions {
		if pos >= 0 && pos < c.table.width && row[pos] != 0 && (refusing < 0 || c.countedIn[i] == refusing) {
			c.counts[i][row[pos]]++
		}
	}
}

// admits tells whether the i-th chosen facet, at pos in a row, admits the row: whether any code
// of its text is chosen.
func (c *memoCounter) admits(i, pos int, row []uint32) bool {
	if pos < 0 || pos >= c.table.width || row[pos] == 0 {
		return false
	}
	place := row[pos]
	if c.verdicts[i][place] == 0 {
		c.verdicts[i][place] = -1
		codes := []string{c.table.values[pos][place]}
		if c.choice.lists[i] {
			codes = SplitList(codes[0])
		}
		for _, code := range codes {
			if c.choice.admitsCode(i, code) {
				c.verdicts[i][place] = 1
				break
			}
		}
	}
	return c.verdicts[i][place] == 1
}

// addTo adds the counts into tally, by code.
func (c *memoCounter) addTo(tally []map[string]int) {
	for i, pos := range c.positions {
		for place, n := range c.counts[i] {
			if n > 0 {
				for _, code := range SplitList(c.table.values[pos][place]) {
					tally[i][code] += n
				}
			}
		}
	}
}

// Current tells whether the copy is in memory and of the generation the database holds: what a
// search would count from. A nil memo has none.
func (m *CodesMemo) Current(ctx context.Context) (bool, error) {
	if m == nil {
		return false, nil
	}
	tx, generation, err := m.snapshot(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.table != nil && m.table.generation == generation, nil
}

// snapshot begins a read-only transaction and reads the generation of agreement_codes it sees;
// the caller rolls the transaction back.
func (m *CodesMemo) snapshot(ctx context.Context) (*sql.Tx, int64, error) {
	tx, err := m.db.Read().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, err
	}
	generation, err := codesGeneration(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, 0, err
	}
	return tx, generation, nil
}
