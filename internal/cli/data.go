package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"pactum/internal/civil"
	"pactum/internal/config"
	"pactum/internal/demo"
	"pactum/internal/store"
)

// openDatabase opens the configured database with opts and brings it up to date: pending
// migrations and the shipped reference data. It never loads the demo dataset: only serve does,
// into the database its own start creates.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger, opts store.Options) (*store.DB, error) {
	db, err := store.OpenWith(ctx, cfg.DataDir, cfg.DatabaseURL, opts)
	if err != nil {
		return nil, err
	}
	if _, err := prepareDatabase(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// prepareDatabase applies pending migrations, loads the shipped reference data and indexes what
// is not indexed yet. It reports whether this call created the database (applied its first
// migration): on PostgreSQL the migration lock makes that true for one of several app servers
// starting together.
func prepareDatabase(ctx context.Context, db *store.DB, log *slog.Logger) (created bool, err error) {
	applied, err := db.Migrate(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	created = len(applied) > 0 && applied[0].Version == 1
	if err := db.LoadReferenceDefaults(ctx); err != nil {
		return created, err
	}
	if n, err := db.ReindexPartners(ctx); err != nil {
		return created, err
	} else if n > 0 {
		log.Info("partners indexed for search", "partners", n)
	}
	if n, err := db.ReindexAgreements(ctx); err != nil {
		return created, err
	} else if n > 0 {
		log.Info("agreements indexed for search", "agreements", n)
	}
	return created, nil
}

// loadDemo fills the database that serve has just created with the demo dataset.
func loadDemo(ctx context.Context, db *store.DB, log *slog.Logger) error {
	start := time.Now()
	summary, err := demo.Load(ctx, db, civil.Of(time.Now()))
	if err != nil {
		return fmt.Errorf("load demo dataset: %w", err)
	}
	log.Info("demo dataset loaded", "partners", summary.Partners, "agreements", summary.Agreements,
		"amendments", summary.Amendments, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}
