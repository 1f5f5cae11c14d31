package store_test

import (
	"context"
	"os"
	"testing"

	"pactum/internal/civil"
	"pactum/internal/demo"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

// TestMain drops the template databases the tests copy theirs from (storetest.Main).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// demoData is the demo dataset of 2026-11-27, loaded once per test binary and copied into each
// test's database (storetest.Template): loading it takes seconds.
var demoData = &storetest.Template{Name: "demo", Load: func(ctx context.Context, db *store.DB) error {
	_, err := demo.Load(ctx, db, civil.MustParse("2026-11-27"))
	return err
}}
