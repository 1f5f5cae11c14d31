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
// migrations, the shipped reference data, and (with --demo, into an empty database) the demo
// dataset.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger, opts store.Options) (*store.DB, error) {
	db, err := store.OpenWith(ctx, cfg.DataDir, cfg.DatabaseURL, opts)
	if err != nil {
		return nil, err
	}
	if err := prepareDatabase(ctx, db, cfg, log); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func prepareDatabase(ctx context.Context, db *store.DB, cfg *config.Config, log *slog.Logger) error {
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	for _, m := range applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	if err := db.LoadReferenceDefaults(ctx); err != nil {
		return err
	}
	if n, err := db.ReindexPartners(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("partners indexed for search", "partners", n)
	}
	if n, err := db.ReindexAgreements(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("agreements indexed for search", "agreements", n)
	}
	if !cfg.Demo {
		return nil
	}
	partners, err := db.CountPartners(ctx)
	if err != nil {
		return err
	}
	agreements, err := db.CountAgreements(ctx)
	if err != nil {
		return err
	}
	if partners > 0 || agreements > 0 {
		return nil
	}
	start := time.Now()
	summary, err := demo.Load(ctx, db, civil.Of(time.Now()))
	if err != nil {
		return fmt.Errorf("load demo dataset: %w", err)
	}
	log.Info("demo dataset loaded", "partners", summary.Partners, "agreements", summary.Agreements,
		"amendments", summary.Amendments, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}
