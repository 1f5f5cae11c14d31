package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"pactum/internal/config"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/importflow"
	"pactum/internal/store"
)

// importKinds are what pactum import reads, with what each file holds.
var importKinds = map[string]string{
	"partners":   "a partner file (docs/import.md): one partner per row, matched by key",
	"agreements": "an agreement file (docs/import.md): one agreement or amendment per row, matched by reference",
	"rates":      "a currency rates file: date, currency, usd_per_unit; a rate of the same currency and date is replaced",
}

// runImport imports a file in the format of docs/import.md: pactum import partners|agreements|rates
// FILE [--dry-run]. Whatever the kind, it lists every problem by row and column and writes nothing
// unless the whole file is valid.
func runImport(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	kind := "partners|agreements|rates"
	if len(args) > 0 && importKinds[args[0]] != "" {
		kind = args[0]
	}
	fs := flagSet(env, "import", "import "+kind+" FILE [--dry-run] [flags]")
	if what := importKinds[kind]; what != "" {
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "Usage: pactum import %s FILE [--dry-run] [flags]\n\nFILE is %s, CSV or Excel (.xlsx).\n\nFlags:\n", kind, what)
			fs.PrintDefaults()
		}
	}
	dryRun := fs.Bool("dry-run", false, "check the file and say what would change, writing nothing")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	if len(positional) != 2 || importKinds[positional[0]] == "" {
		return fmt.Errorf("%w: want 'import partners FILE', 'import agreements FILE' or 'import rates FILE'", errUsage)
	}
	path := positional[1]
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	// Imports are held to 256 MB (docs/performance.md), pages of the database read included.
	db, err := openDatabase(ctx, &cfg, newLogger(&cfg, env.Stderr), store.Options{NoMemoryMap: true})
	if err != nil {
		return err
	}
	defer db.Close()
	k, _ := importflow.ByKey(positional[0])
	return importFile(ctx, env, db, k, file, *dryRun)
}

// errProblems rolls an import back when the file has problems; they are printed.
var errProblems = errors.New("the file has problems")

// importFile imports a file of a kind through its adapter, as the import pages and jobs do, with
// all rights. The import checks every row and writes nothing when any has a problem, listing them
// all as a dry run does: the file is read once, which an agreement file of a million rows needs.
// The dry run only checks.
func importFile(ctx context.Context, env Env, db *store.DB, kind importflow.Kind, file *os.File, dryRun bool) error {
	if kind == importflow.Agreements {
		// A million rows must import in less than 256 MB (docs/performance.md), where SQLite's
		// page cache and statements take some 90 MB: the Go heap is collected when it grows by
		// half, not by as much again as it holds, which costs little of the import's time.
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	info, err := file.Stat()
	if err != nil {
		return err
	}
	show := newProgress(env.Stderr)
	in := &countingReader{r: file}
	rowsStage := "importing"
	if dryRun {
		rowsStage = "checking"
	}
	input := importflow.Input{File: filepath.Base(file.Name()), Data: in, Progress: func(p importflow.Progress) {
		if p.Stage == importflow.StageRows {
			show.bar(rowsStage, in.n.Load(), info.Size(), p.Done)
		} else {
			show.report(p.Stage, p.Done, p.Total)
		}
	}}
	var res *importflow.Result
	if dryRun {
		res, err = kind.Check(ctx, db, input)
	} else {
		res, err = kind.Import(ctx, db, input, func(res *importflow.Result) error {
			if !res.OK() {
				return errProblems
			}
			if kind == importflow.Agreements {
				show.stage("finishing")
				// What the import of the file held (its references, the rows read ahead) is
				// garbage now: give it back before the store sorts the new rows into their indexes.
				debug.FreeOSMemory()
			}
			return nil
		})
	}
	show.end()
	out := env.Stdout
	if res != nil {
		printIgnored(out, res.Ignored)
		if !res.OK() {
			return refuse(out, file.Name(), res.Problems, res.ProblemCount)
		}
	}
	switch {
	case err != nil && dryRun:
		return err
	case err != nil:
		return fmt.Errorf("nothing was imported: %w", describe(err))
	case dryRun:
		printDryRun(out, res.Created, res.Updated, res.Unchanged)
	default:
		fmt.Fprintf(out, "%d created, %d updated, %d unchanged.\n", res.Created, res.Updated, res.Unchanged)
	}
	return nil
}

func printIgnored(out io.Writer, ignored []string) {
	if len(ignored) > 0 {
		fmt.Fprintf(out, "Ignored columns: %s\n", joinQuoted(ignored))
	}
}

func printDryRun(out io.Writer, created, updated, unchanged int) {
	fmt.Fprintf(out, "Dry run, nothing written: %d would be created, %d would be updated, %d would be unchanged.\n",
		created, updated, unchanged)
}

// refuse prints the problems of a file in English, by row and column, and returns the error that
// makes the command exit with status 1.
func refuse(out io.Writer, path string, problems []importer.Problem, count int) error {
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	en := bundle.Localizer("en")
	for _, p := range problems {
		if p.Column == "" {
			fmt.Fprintf(out, "row %d: %s\n", p.Row, en.T(p.Message.Key, p.Message.Args...))
		} else {
			fmt.Fprintf(out, "row %d, column %s: %s\n", p.Row, p.Column, en.T(p.Message.Key, p.Message.Args...))
		}
	}
	if more := count - len(problems); more > 0 {
		fmt.Fprintf(out, "… and %d more problems.\n", more)
	}
	return fmt.Errorf("%s has %s; nothing was imported", path, plural(count, "problem"))
}

// countingReader counts the bytes read through it, for the progress of a long import; the
// progress is shown from another goroutine than the one that reads. It reads at an offset and
// seeks as the file does, so that a workbook is read in place, not copied into memory.
type countingReader struct {
	r *os.File
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Seek(offset int64, whence int) (int64, error) {
	return c.r.Seek(offset, whence)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinQuoted(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", n)
	}
	return s
}

// progress writes how far a long task is on one terminal line, at most twice a second and only
// once the task has run for a second, so that short imports print nothing.
type progress struct {
	w       io.Writer
	start   time.Time
	last    time.Time
	printed bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) report(stage string, done, total int) {
	now := time.Now()
	if now.Sub(p.start) < time.Second || (now.Sub(p.last) < 500*time.Millisecond && done != total) {
		return
	}
	p.last, p.printed = now, true
	if total > 0 {
		fmt.Fprintf(p.w, "\r%-10s %9d / %d", stage, done, total)
	} else {
		fmt.Fprintf(p.w, "\r%-10s %9d rows", stage, done)
	}
}

// bar shows how much of a file of size bytes is read, as a bar, with the rows done.
func (p *progress) bar(stage string, read, size int64, rows int) {
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 500*time.Millisecond || size <= 0 {
		return
	}
	p.last, p.printed = now, true
	const width = 30
	filled := int(min(read, size) * width / size)
	fmt.Fprintf(p.w, "\r%-10s [%s%s] %3d%% %9d rows", stage, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		min(read, size)*100/size, rows)
}

// stage says what a long task does once its rows are done, if the progress line is shown.
func (p *progress) stage(stage string) {
	if p.printed {
		fmt.Fprintf(p.w, "\r%-10s %-50s", stage, "")
	}
}

// end finishes the progress line, if one was written.
func (p *progress) end() {
	if p.printed {
		fmt.Fprintln(p.w)
		p.printed = false
	}
}
