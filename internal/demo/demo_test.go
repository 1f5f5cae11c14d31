package demo_test

import (
	"context"
	"testing"

	"pactum/internal/civil"
	"pactum/internal/demo"
	"pactum/internal/insight"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
)

func TestScratch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := demo.Load(ctx, db, civil.MustParse("2026-11-27"))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", s)
		for _, by := range insight.Dimensions {
			r, err := db.AgreementReport(ctx, by, 2014, 2017)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s total %+v", by, r.Total)
			for _, row := range r.Rows {
				t.Logf("  %+v", row)
			}
		}
	})
}
