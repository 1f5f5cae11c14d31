package store_test

import (
	"testing"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// newAgreement returns a signed agreement that the schema accepts, with one funder and one region.
func newAgreement(reference, agreementType, signedOn string, valueUSD money.Amount, funderID int64) *agreement.Agreement {
	a := &agreement.Agreement{
		Reference:         reference,
		Titles:            map[string]string{"en": "Agreement " + reference},
		Type:              agreementType,
		Status:            agreement.StatusSigned,
		Amount:            valueUSD,
		Currency:          "USD",
		ValueUSD:          valueUSD,
		PrimaryActionArea: "generic",
		Parties:           []agreement.Party{{PartnerID: funderID, Role: agreement.RoleFunder}},
		Regions:           agreement.EqualShares("GLO"),
	}
	if signedOn != "" {
		a.SignedOn = civil.MustParse(signedOn)
	}
	return a
}

func mustCreateAgreements(t *testing.T, db *store.DB, agreements ...*agreement.Agreement) {
	t.Helper()
	if err := db.CreateAgreements(t.Context(), agreements); err != nil {
		t.Fatalf("create agreements: %v", err)
	}
	for _, a := range agreements {
		if a.ID == 0 {
			t.Fatalf("agreement %s has no ID after CreateAgreements", a.Reference)
		}
	}
}

// readAgreement reads an agreement back and clears its timestamps after checking them.
func readAgreement(t *testing.T, db *store.DB, reference string, before, after time.Time) *agreement.Agreement {
	t.Helper()
	got, err := db.AgreementByReference(t.Context(), reference)
	if err != nil {
		t.Fatalf("agreement %s: %v", reference, err)
	}
	checkStamp(t, reference+" CreatedAt", got.CreatedAt, before, after)
	checkStamp(t, reference+" UpdatedAt", got.UpdatedAt, before, after)
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	return got
}

func TestAgreementRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		officer := mustCreateUser(t, db, newUser("regional.afr", user.RoleOfficer, true))
		ministry := newPartner("nordic-ministry", "Nordic Ministry of Foreign Affairs", "government")
		university := newPartner("sahel-university", "University of the Sahel", "academia")
		mustCreatePartners(t, db, ministry, university)

		mou := newAgreement("ITU-MOU-2014-001", "mou", "2014-05-02", 0, ministry.ID)
		mustCreateAgreements(t, db, mou)

		d := civil.MustParse
		contribution := &agreement.Agreement{
			Reference: "ITU-VC-2015-017",
			Titles: map[string]string{
				"en": "Broadband for rural schools in the Sahel",
				"fr": "Haut débit pour les écoles rurales du Sahel",
				"ar": "النطاق العريض للمدارس الريفية في منطقة الساحل",
				"ru": "Широкополосный доступ для сельских школ Сахеля",
			},
			Type:     "voluntary_contribution",
			Status:   agreement.StatusActive,
			SignedOn: d("2015-06-30"),
			StartOn:  d("2015-07-01"),
			EndOn:    d("2017-12-31"),
			Amount:   123456789, // EUR 1,234,567.89
			Currency: "EUR",
			// At the 2015 rate of 1.11: 1,370,370.3579 → USD 1,370,370.36.
			ValueUSD:          137037036,
			InKindUSD:         2500001, // USD 25,000.01
			PrimaryActionArea: "infrastructure",
			OtherActionAreas:  []string{"digital_inclusion", "capacity_building", "digital_inclusion"},
			Parties: []agreement.Party{
				{PartnerID: university.ID, Role: agreement.RoleImplementing},
				{PartnerID: ministry.ID, Role: agreement.RoleFunder},
			},
			Regions:      []agreement.RegionShare{{Region: "AFR", Share: 0.75}, {Region: "ARB", Share: 0.25}},
			Countries:    []string{"SN", "ML", "MR", "SN"},
			FrameworkID:  mou.ID,
			Initiative:   "Connect2Recover",
			OfficerID:    officer.ID,
			Office:       "AFR",
			Confidential: true,
			Notes:        "Second tranche due after the mid-term report.",
		}
		before := time.Now()
		mustCreateAgreements(t, db, contribution)
		after := time.Now()

		got := readAgreement(t, db, "ITU-VC-2015-017", before, after)
		want := &agreement.Agreement{
			ID:        contribution.ID,
			Reference: "ITU-VC-2015-017",
			Titles: map[string]string{
				"en": "Broadband for rural schools in the Sahel",
				"fr": "Haut débit pour les écoles rurales du Sahel",
				"ar": "النطاق العريض للمدارس الريفية في منطقة الساحل",
				"ru": "Широкополосный доступ для сельских школ Сахеля",
			},
			Type:              "voluntary_contribution",
			Status:            agreement.StatusActive,
			SignedOn:          civil.Date{Year: 2015, Month: time.June, Day: 30},
			StartOn:           civil.Date{Year: 2015, Month: time.July, Day: 1},
			EndOn:             civil.Date{Year: 2017, Month: time.December, Day: 31},
			Amount:            123456789,
			Currency:          "EUR",
			ValueUSD:          137037036,
			InKindUSD:         2500001,
			PrimaryActionArea: "infrastructure",
			OtherActionAreas:  []string{"capacity_building", "digital_inclusion"}, // sorted, no repeats
			Parties: []agreement.Party{ // by role: funder before implementing_partner
				{PartnerID: ministry.ID, Role: agreement.RoleFunder, PartnerKey: "nordic-ministry"},
				{PartnerID: university.ID, Role: agreement.RoleImplementing, PartnerKey: "sahel-university"},
			},
			Regions:      []agreement.RegionShare{{Region: "AFR", Share: 0.75}, {Region: "ARB", Share: 0.25}},
			Countries:    []string{"ML", "MR", "SN"},
			FrameworkID:  mou.ID,
			FrameworkRef: "ITU-MOU-2014-001",
			Initiative:   "Connect2Recover",
			OfficerID:    officer.ID,
			Office:       "AFR",
			Confidential: true,
			Notes:        "Second tranche due after the mid-term report.",
			Version:      1,
		}
		equal(t, "agreement read back", got, want)
		if s := got.Title("zh"); s != "Broadband for rural schools in the Sahel" {
			t.Errorf("Title(zh) = %q, want the English title", s)
		}

		// An amendment adds funds to the contribution and links to it.
		amendment := newAgreement("ITU-VC-2015-017-A1", "amendment", "2016-03-14", 55350000, ministry.ID)
		amendment.Amount, amendment.Currency = 50000000, "EUR" // EUR 500,000.00 at 1.107
		amendment.AmendsID = contribution.ID
		amendment.AmendmentKind = agreement.KindAddedFunds
		before = time.Now()
		mustCreateAgreements(t, db, amendment)
		gotAmendment := readAgreement(t, db, "ITU-VC-2015-017-A1", before, time.Now())
		if gotAmendment.AmendsID != contribution.ID || gotAmendment.AmendsRef != "ITU-VC-2015-017" || gotAmendment.AmendmentKind != agreement.KindAddedFunds ||
			!gotAmendment.IsAmendment() {
			t.Errorf("amendment amends %d (%q), want %d (added_funds)", gotAmendment.AmendsID, gotAmendment.AmendmentKind, contribution.ID)
		}
		if gotAmendment.Amount != 50000000 || gotAmendment.ValueUSD != 55350000 || gotAmendment.Currency != "EUR" {
			t.Errorf("amendment value = %s %s (USD %s), want EUR 500000.00 (USD 553500.00)",
				gotAmendment.Currency, gotAmendment.Amount, gotAmendment.ValueUSD)
		}

		// A draft has no dates yet: they are stored as NULL and read back as zero dates.
		draft := newAgreement("ITU-LOI-DRAFT-1", "letter_of_intent", "", 0, university.ID)
		draft.Status = agreement.StatusDraft
		mustCreateAgreements(t, db, draft)
		gotDraft, err := db.AgreementByReference(ctx, "ITU-LOI-DRAFT-1")
		if err != nil {
			t.Fatal(err)
		}
		if !gotDraft.SignedOn.IsZero() || !gotDraft.StartOn.IsZero() || !gotDraft.EndOn.IsZero() {
			t.Errorf("draft dates = %v %v %v, want none", gotDraft.SignedOn, gotDraft.StartOn, gotDraft.EndOn)
		}
		if gotDraft.AmendsID != 0 || gotDraft.FrameworkID != 0 || gotDraft.OfficerID != 0 {
			t.Errorf("draft links = amends %d, framework %d, officer %d; want none", gotDraft.AmendsID, gotDraft.FrameworkID, gotDraft.OfficerID)
		}
		mustCount(t, "agreements", db.CountAgreements, 4)
	})
}

// Thirds do not add up exactly in binary; both databases must give back the shares that were stored.
func TestAgreementThirdsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		funder := newPartner("three-regions-fund", "Three Regions Fund", "multilateral")
		mustCreatePartners(t, db, funder)
		a := newAgreement("ITU-3R-1", "cooperation", "2016-01-01", 100, funder.ID)
		a.Regions = agreement.EqualShares("AMS", "ASP", "CIS")
		mustCreateAgreements(t, db, a)
		got, err := db.AgreementByReference(t.Context(), "ITU-3R-1")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "region shares", got.Regions, agreement.EqualShares("AMS", "ASP", "CIS"))
	})
}

func TestCreateAgreementsRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		funder := newPartner("steady-funder", "Steady Funder", "development_bank")
		mustCreatePartners(t, db, funder)
		original := newAgreement("ITU-COOP-2016-001", "cooperation", "2016-05-01", 100000, funder.ID)
		mustCreateAgreements(t, db, original)

		t.Run("duplicate reference", func(t *testing.T) {
			fresh := newAgreement("ITU-COOP-2016-002", "cooperation", "2016-06-01", 500, funder.ID)
			dup := newAgreement("ITU-COOP-2016-001", "sponsorship", "2016-07-01", 700, funder.ID)
			wantCode(t, db.CreateAgreements(ctx, []*agreement.Agreement{fresh, dup}), apperr.Conflict)
			// All or nothing: the first of the batch is not kept either.
			_, err := db.AgreementByReference(ctx, "ITU-COOP-2016-002")
			wantCode(t, err, apperr.NotFound)
			mustCount(t, "agreements", db.CountAgreements, 1)
		})

		t.Run("amendment without the agreement it amends", func(t *testing.T) {
			orphan := newAgreement("ITU-AMD-ORPHAN", "amendment", "2016-08-01", 100, funder.ID)
			orphan.AmendmentKind = agreement.KindAddedFunds
			if err := db.CreateAgreements(ctx, []*agreement.Agreement{orphan}); err == nil {
				t.Fatal("an amendment without amends_id was stored, want the CHECK constraint to refuse it")
			}
			_, err := db.AgreementByReference(ctx, "ITU-AMD-ORPHAN")
			wantCode(t, err, apperr.NotFound)
		})

		t.Run("agreement that is no amendment but names one", func(t *testing.T) {
			odd := newAgreement("ITU-COOP-ODD", "cooperation", "2016-08-01", 100, funder.ID)
			odd.AmendsID = original.ID
			if err := db.CreateAgreements(ctx, []*agreement.Agreement{odd}); err == nil {
				t.Fatal("a cooperation agreement with amends_id was stored, want the CHECK constraint to refuse it")
			}
			mustCount(t, "agreements", db.CountAgreements, 1)
		})

		t.Run("unknown reference", func(t *testing.T) {
			_, err := db.AgreementByReference(ctx, "ITU-NOPE")
			wantCode(t, err, apperr.NotFound)
		})
	})
}
