package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/civil"
	"pactum/internal/demo"
	"pactum/internal/i18n"
	"pactum/internal/insight"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/user"
)

// benchServer opens the benchmark dataset: the data folder in PACTUM_BENCH_DATA (made with
// `pactum generate --partners 100000 --agreements 1000000`), or else a small generated one.
func benchServer(b *testing.B) (http.Handler, *http.Cookie, *store.DB) {
	b.Helper()
	ctx := context.Background()
	dir := os.Getenv("PACTUM_BENCH_DATA")
	generate := dir == ""
	if generate {
		dir = b.TempDir()
	}
	db, err := store.Open(ctx, dir, "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := db.LoadReferenceDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	if generate {
		if err := demo.Generate(ctx, db, 5000, 50000, civil.Of(time.Now()), nil); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ReindexPartners(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ReindexAgreements(ctx); err != nil {
		b.Fatal(err)
	}
	if err := db.LoadAgreementCodes(ctx); err != nil {
		b.Fatal(err)
	}
	u, err := db.UserByUsername(ctx, "bench")
	if err != nil {
		u = &user.User{Username: "bench", Role: user.RoleOfficer, Active: true, PasswordHash: "x"}
		if err := db.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	secret, _ := user.NewSecret("")
	if err := db.CreateSession(ctx, user.HashSecret(secret), u.ID); err != nil {
		b.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(db, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{BaseURL: "http://bench"})
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler(), &http.Cookie{Name: sessionCookie, Value: secret}, db
}

func benchGet(b *testing.B, h http.Handler, cookie *http.Cookie, path string) {
	b.Helper()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", path, rec.Code)
		}
	}
}

// BenchmarkPartnerListSearchAndTwoFacets is the partner list filtered by a search word and two
// facets, rendered as the page a user gets: a word as rare as a name (kestrel, about 2% of the
// generated partners), a common one (digital, in about a fifth of them), and a Chinese one.
func BenchmarkPartnerListSearchAndTwoFacets(b *testing.B) {
	h, cookie, _ := benchServer(b)
	for _, word := range []string{"kestrel", "digital", "数字"} {
		b.Run(word, func(b *testing.B) {
			benchGet(b, h, cookie, "/partners?q="+url.QueryEscape(word)+"&type=private&region=AFR")
		})
	}
}

// BenchmarkPartnerListUnfiltered is the first page of the whole list, sorted by name.
func BenchmarkPartnerListUnfiltered(b *testing.B) {
	h, cookie, _ := benchServer(b)
	benchGet(b, h, cookie, "/partners")
}

// BenchmarkPartnerProfile is the profile page of the partner with the most agreements.
func BenchmarkPartnerProfile(b *testing.B) {
	h, cookie, db := benchServer(b)
	page, err := db.ListPartners(context.Background(), partner.Filter{Sort: partner.SortAgreements, Limit: 1})
	if err != nil || len(page.Items) == 0 {
		b.Fatal(err)
	}
	benchGet(b, h, cookie, "/partners/"+page.Items[0].Key)
}

// BenchmarkAgreementListSearchAndTwoFacets is the registry filtered by a search word and two
// facets, as the page a user gets: a partner's name (kestrel), a word of many titles (digital),
// a Chinese word, and an agreement's reference.
func BenchmarkAgreementListSearchAndTwoFacets(b *testing.B) {
	h, cookie, _ := benchServer(b)
	for _, word := range []string{"kestrel", "digital", "数字", "2016"} {
		b.Run(word, func(b *testing.B) {
			benchGet(b, h, cookie, "/agreements?q="+url.QueryEscape(word)+"&type=voluntary_contribution&region=AFR")
		})
	}
}

// BenchmarkAgreementListUnfiltered is the first page of the whole registry, newest first.
func BenchmarkAgreementListUnfiltered(b *testing.B) {
	h, cookie, _ := benchServer(b)
	benchGet(b, h, cookie, "/agreements")
}

// BenchmarkAgreementPage is the page of the agreement with the highest value: its parties,
// amendments, payment schedule, obligations and documents.
func BenchmarkAgreementPage(b *testing.B) {
	h, cookie, db := benchServer(b)
	page, err := db.ListAgreements(context.Background(), agreement.Filter{Sort: agreement.SortValue, Limit: 1, AllConfidential: true})
	if err != nil || len(page.Items) == 0 {
		b.Fatal(err)
	}
	benchGet(b, h, cookie, agreementURL(page.Items[0].Reference))
}

// BenchmarkDashboard is the insights dashboard for the last four full years: every panel, as
// the page a user gets; unfiltered, then with a region and then a partner type.
func BenchmarkDashboard(b *testing.B) {
	h, cookie, _ := benchServer(b)
	for _, filter := range []string{"", "region=AFR", "partner_type=private", "action_area=ict_applications", "type=mou",
		"office=ASP", "region=AFR&action_area=ict_applications"} {
		name := filter
		if name == "" {
			name = "unfiltered"
		}
		b.Run(name, func(b *testing.B) { benchGet(b, h, cookie, "/insights?"+filter) })
	}
}

// BenchmarkDashboardPanels times the store calls behind the dashboard's panels one by one, for
// the last four full years unfiltered, with a region and with a partner type, to show where the
// page's time goes.
func BenchmarkDashboardPanels(b *testing.B) {
	_, _, db := benchServer(b)
	ctx := context.Background()
	from, to := defaultPeriod()
	for name, f := range map[string]insight.Filter{"unfiltered": {}, "region": {Region: "AFR"}, "partner_type": {PartnerType: "private"},
		"action_area": {ActionArea: "ict_applications"}, "region_and_type": {Region: "AFR", Type: "mou"}} {
		calls := map[string]func() error{
			"years": func() error {
				_, err := db.FilteredAgreementReport(ctx, insight.ByYear, from, to, f)
				return err
			},
			"regions": func() error {
				_, err := db.FilteredAgreementReport(ctx, insight.ByRegion, from, to, f)
				return err
			},
			"money": func() error { _, err := db.MoneyByYear(ctx, from, to, f); return err },
			"partner_types": func() error {
				_, err := db.PartnersByType(ctx, from, to, f)
				return err
			},
			"top_partners": func() error {
				_, err := db.TopPartners(ctx, from, to, f, topPartnersShown)
				return err
			},
			"alerts": func() error {
				_, err := db.DashboardAlerts(ctx, civil.Of(time.Now()), agreement.Filter{Lang: "en", ReaderID: 1}, f, startAlerts)
				return err
			},
		}
		for panel, call := range calls {
			b.Run(name+"/"+panel, func(b *testing.B) {
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkStatusAnalysis is the status analysis page of the last four full years.
func BenchmarkStatusAnalysis(b *testing.B) {
	h, cookie, _ := benchServer(b)
	benchGet(b, h, cookie, "/insights/status")
}

// BenchmarkReportAPI is GET /api/v1/reports/agreements of the last four full years, by each
// dimension, with a bearer token.
func BenchmarkReportAPI(b *testing.B) {
	h, _, db := benchServer(b)
	ctx := context.Background()
	u, err := db.UserByUsername(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	token, _ := user.NewSecret(user.APITokenPrefix)
	if err := db.CreateAPIToken(ctx, &user.APIToken{UserID: u.ID, Name: "bench"}, user.HashSecret(token)); err != nil {
		b.Fatal(err)
	}
	for _, by := range insight.Dimensions {
		b.Run(string(by), func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/api/v1/reports/agreements?by="+string(by), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("report by %s: status %d", by, rec.Code)
				}
			}
		})
	}
}
