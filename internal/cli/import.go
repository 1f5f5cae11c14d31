package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"pactum/internal/config"
	"pactum/internal/i18n"
	"pactum/internal/importer"
	"pactum/internal/store"
)

// runImport imports a partner file (docs/import.md): pactum import partners FILE [--dry-run].
func runImport(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "import", "import partners FILE [--dry-run] [flags]")
	dryRun := fs.Bool("dry-run", false, "check the file and say what would change, writing nothing")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	if len(positional) != 2 || positional[0] != "partners" {
		return fmt.Errorf("%w: want 'import partners FILE'", errUsage)
	}
	path := positional[1]
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	en := bundle.Localizer("en")
	// An import into an empty database is the real data arriving: no demo dataset first.
	cfg.Demo = false
	db, err := openDatabase(ctx, &cfg, newLogger(&cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := importer.LoadResolver(ctx, db)
	if err != nil {
		return err
	}

	show := newProgress(env.Stderr)
	res, err := importer.CheckPartners(ctx, file, importer.Options{Resolver: rs, Existing: db.PartnersByKeys,
		Progress: func(stage string, done, total int) {
			show.report(map[string]string{"read": "reading", "plan": "comparing"}[stage], done, total)
		}})
	show.end()
	if err != nil {
		return err
	}
	out := env.Stdout
	if len(res.Ignored) > 0 {
		fmt.Fprintf(out, "Ignored columns: %s\n", joinQuoted(res.Ignored))
	}
	if !res.OK() {
		for _, p := range res.Problems {
			if p.Column == "" {
				fmt.Fprintf(out, "row %d: %s\n", p.Row, en.T(p.Message.Key, p.Message.Args...))
			} else {
				fmt.Fprintf(out, "row %d, column %s: %s\n", p.Row, p.Column, en.T(p.Message.Key, p.Message.Args...))
			}
		}
		if more := res.ProblemCount - len(res.Problems); more > 0 {
			fmt.Fprintf(out, "… and %d more problems.\n", more)
		}
		return fmt.Errorf("%s has %s; nothing was imported", path, plural(res.ProblemCount, "problem"))
	}
	creates, updates := res.Changes()
	if *dryRun {
		fmt.Fprintf(out, "Dry run, nothing written: %d would be created, %d would be updated, %d would be unchanged.\n",
			len(creates), len(updates), len(res.Unchanged))
		return nil
	}
	if len(creates)+len(updates) > 0 {
		err = db.ApplyPartnerImport(ctx, store.PartnerImport{File: filepath.Base(path), Creates: creates, Updates: updates,
			Unchanged: len(res.Unchanged), Progress: func(done, total int) { show.report("writing", done, total) }})
		show.end()
		if err != nil {
			return fmt.Errorf("nothing was imported: %w", describe(err))
		}
	}
	fmt.Fprintf(out, "%d created, %d updated, %d unchanged.\n", len(creates), len(updates), len(res.Unchanged))
	return nil
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

// end finishes the progress line, if one was written.
func (p *progress) end() {
	if p.printed {
		fmt.Fprintln(p.w)
		p.printed = false
	}
}
