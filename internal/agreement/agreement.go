// Package agreement holds partnership agreements and their amendments: who signed what, when,
// for how much, and for which regions and action areas.
package agreement

import (
	"math"
	"slices"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/money"
	"pactum/internal/reference"
	"pactum/internal/user"
)

// Statuses of an agreement through its life.
const (
	StatusDraft       = "draft"
	StatusNegotiation = "negotiation"
	StatusSigned      = "signed"
	StatusActive      = "active"
	StatusExpired     = "expired"
	StatusTerminated  = "terminated"
)

// Statuses lists the agreement statuses in life order.
var Statuses = []string{StatusDraft, StatusNegotiation, StatusSigned, StatusActive, StatusExpired, StatusTerminated}

// Roles of a party to an agreement.
const (
	RoleFunder       = "funder"
	RoleImplementing = "implementing_partner"
	RoleCoSignatory  = "co_signatory"
)

// Roles lists the party roles.
var Roles = []string{RoleFunder, RoleImplementing, RoleCoSignatory}

// Kinds of amendment.
const (
	KindAddedFunds     = "added_funds"
	KindNoCostExt      = "no_cost_extension"
	KindScope          = "change_of_scope"
	KindAdministrative = "administrative_correction"
)

// AmendmentKinds lists the kinds of amendment.
var AmendmentKinds = []string{KindAddedFunds, KindNoCostExt, KindScope, KindAdministrative}

// OfficeHQ is the office of agreements kept at headquarters; the others are kept by a regional
// office, named by its region's code.
const OfficeHQ = "HQ"

// Party is a partner that signed an agreement, in a role.
type Party struct {
	PartnerID  int64
	Role       string
	PartnerKey string // filled when read from the store, for links and exports; not written
}

// RegionShare is the part of an agreement that benefits a region; an agreement's shares sum to 1.
type RegionShare struct {
	Region string
	Share  float64
}

// EqualShares splits an agreement equally between regions, the default when none are given.
func EqualShares(regions ...string) []RegionShare {
	shares := make([]RegionShare, len(regions))
	for i, r := range regions {
		shares[i] = RegionShare{Region: r, Share: 1 / float64(len(regions))}
	}
	return shares
}

// Agreement is a signed (or planned) agreement with one or more partners. An amendment is an
// Agreement of type "amendment" that names the agreement it amends; its Amount is what it adds.
type Agreement struct {
	ID        int64
	Reference string
	// Titles by language; English ("en") is required and is the fallback.
	Titles            map[string]string
	Type              string
	Status            string
	SignedOn          civil.Date
	StartOn           civil.Date
	EndOn             civil.Date
	Amount            money.Amount // in Currency
	Currency          string
	ValueUSD          money.Amount // Amount at the rate of the signing date
	InKindUSD         money.Amount
	PrimaryActionArea string
	OtherActionAreas  []string
	Parties           []Party
	Regions           []RegionShare
	Countries         []string
	AmendsID          int64
	AmendsRef         string // the reference of AmendsID, filled when read from the store
	AmendmentKind     string
	FrameworkID       int64  // the memorandum of understanding this agreement falls under
	FrameworkRef      string // its reference, filled when read from the store
	Initiative        string
	OfficerID         int64
	Office            string // "HQ" or a region code
	Confidential      bool
	Notes             string
	Version           int
	CreatedAt         time.Time
	UpdatedAt         time.Time
	DeletedAt         time.Time // zero while the agreement is live; a deleted one can be restored
	DeletedBy         string    // who deleted it
}

// Deleted reports whether the agreement was deleted (and can be restored by an administrator).
func (a *Agreement) Deleted() bool { return !a.DeletedAt.IsZero() }

// VisibleTo reports whether a reader sees the agreement's details: a confidential agreement only
// shows to administrators (all) and to its responsible officer.
func (a *Agreement) VisibleTo(readerID int64, all bool) bool {
	return !a.Confidential || all || (readerID != 0 && a.OfficerID == readerID)
}

// CanSee reports whether u sees a's details (VisibleTo). Everything that shows an agreement or a
// link to one — a page, the API, a form, an import — asks it, so that an agreement hidden from u
// is to u as one that does not exist.
func CanSee(u *user.User, a *Agreement) bool {
	return u != nil && a.VisibleTo(u.ID, u.Role == user.RoleAdmin)
}

// Title returns the title in lang, or in English when it has none in lang.
func (a *Agreement) Title(lang string) string {
	if t := a.Titles[lang]; t != "" {
		return t
	}
	return a.Titles["en"]
}

// IsAmendment reports whether the agreement amends another.
func (a *Agreement) IsAmendment() bool { return a.Type == reference.AgreementTypeAmendment }

// Codes answers whether a code belongs to a reference list.
type Codes interface {
	Has(list, code string) bool
}

// Limits of an agreement's texts, in characters (apperr.Text); the reference's is
// MaxReferenceLength.
const (
	MaxTitleLength      = 300    // a title in any language
	MaxInitiativeLength = 300    // the initiative it serves
	MaxNotesLength      = 20_000 // the notes
	MaxNoteLength       = 500    // the note of an instalment or a report owed
)

// shareTolerance absorbs the rounding of shares such as thirds.
const shareTolerance = 1e-6

// Validate checks the rules every saved agreement keeps, returning field errors by form field.
func (a *Agreement) Validate(codes Codes) error {
	errs := apperr.FieldErrors{}
	switch {
	case strings.TrimSpace(a.Reference) == "":
		errs.Add("reference", "error.required")
	case len(a.Reference) > MaxReferenceLength:
		errs.Add("reference", "error.too_long", "count", MaxReferenceLength)
	case !ValidReference(a.Reference):
		errs.Add("reference", "agreement.error.reference_format")
	}
	if strings.TrimSpace(a.Titles["en"]) == "" {
		errs.Add("title_en", "error.required")
	}
	for lang, t := range a.Titles {
		errs.Line("title_"+lang, t, MaxTitleLength)
	}
	errs.Line("initiative", a.Initiative, MaxInitiativeLength)
	errs.Lines("notes", a.Notes, MaxNotesLength)
	if !codes.Has(reference.ListAgreementType, a.Type) {
		errs.Add("type", "error.choose")
	}
	validStatus := false
	for _, s := range Statuses {
		validStatus = validStatus || s == a.Status
	}
	if !validStatus {
		errs.Add("status", "error.choose")
	}
	if a.Status != StatusDraft && a.Status != StatusNegotiation && a.SignedOn.IsZero() {
		errs.Add("signed_on", "agreement.error.signed_on_required")
	}
	if !a.StartOn.IsZero() && !a.EndOn.IsZero() && a.EndOn.Before(a.StartOn) {
		errs.Add("end_on", "agreement.error.end_before_start")
	}
	if a.Amount < 0 {
		errs.Add("amount", "error.negative")
	}
	if !codes.Has(reference.ListCurrency, a.Currency) {
		errs.Add("currency", "error.choose")
	}
	if !codes.Has(reference.ListActionArea, a.PrimaryActionArea) {
		errs.Add("action_area", "error.choose")
	}
	for _, area := range a.OtherActionAreas {
		if !codes.Has(reference.ListActionArea, area) {
			errs.Add("other_action_areas", "error.unknown_code", "code", area)
		}
	}
	if a.Office != "" && a.Office != OfficeHQ && !codes.Has(reference.ListRegion, a.Office) {
		errs.Add("office", "error.choose")
	}
	if len(a.Parties) == 0 {
		errs.Add("parties", "agreement.error.no_party")
	}
	for _, p := range a.Parties {
		if p.Role != RoleFunder && p.Role != RoleImplementing && p.Role != RoleCoSignatory {
			errs.Add("parties", "error.choose")
		}
	}
	validateShares(errs, codes, a.Regions)
	for _, c := range a.Countries {
		if !codes.Has(reference.ListCountry, c) {
			errs.Add("countries", "error.unknown_code", "code", c)
			break
		}
	}
	if a.IsAmendment() != (a.AmendsID != 0) {
		errs.Add("amends", "agreement.error.amends")
	}
	if (a.IsAmendment() && a.AmendmentKind == "") || (a.AmendmentKind != "" && !slices.Contains(AmendmentKinds, a.AmendmentKind)) {
		errs.Add("amendment_kind", "error.choose")
	}
	return errs.Err()
}

func validateShares(errs apperr.FieldErrors, codes Codes, shares []RegionShare) {
	if len(shares) == 0 {
		errs.Add("regions", "agreement.error.no_region")
		return
	}
	sum := 0.0
	seen := map[string]bool{}
	for _, s := range shares {
		if !codes.Has(reference.ListRegion, s.Region) || seen[s.Region] {
			errs.Add("regions", "error.unknown_code", "code", s.Region)
			return
		}
		seen[s.Region] = true
		if s.Share <= 0 || s.Share > 1 {
			errs.Add("regions", "agreement.error.shares")
			return
		}
		sum += s.Share
	}
	if math.Abs(sum-1) > shareTolerance {
		errs.Add("regions", "agreement.error.shares")
	}
}

// Rates gives the value of a currency in US dollars on a day.
type Rates interface {
	USDPerUnit(currency string, day civil.Date) (float64, bool)
}

// PriceInUSD sets ValueUSD from Amount at the rate of the signing date, or of today for an
// agreement not signed yet. It refuses, on the currency field, a currency with no rate that day.
func (a *Agreement) PriceInUSD(rates Rates, today civil.Date) error {
	day := a.SignedOn
	if day.IsZero() {
		day = today
	}
	rate, ok := rates.USDPerUnit(a.Currency, day)
	if !ok {
		return apperr.FieldErrors{"currency": apperr.Msg("agreement.error.no_rate", "currency", a.Currency, "date", day.String())}.Err()
	}
	a.ValueUSD = a.Amount.Convert(rate)
	return nil
}

// CanEdit reports whether u may change a: administrators and partnership officers always;
// regional officers when it is managed in their region or benefits it. The form and the import
// (a page's or a background job's) both ask it.
func CanEdit(u *user.User, a *Agreement) bool {
	switch {
	case u == nil:
		return false
	case u.Role == user.RoleAdmin || u.Role == user.RoleOfficer:
		return true
	case u.Role == user.RoleRegionalOfficer:
		if u.Region == "" {
			return false
		}
		return a.Office == u.Region || slices.ContainsFunc(a.Regions, func(r RegionShare) bool { return r.Region == u.Region })
	}
	return false
}

// PaymentPlan is the payment schedule and the obligations of one agreement, for loading many at once.
type PaymentPlan struct {
	AgreementID int64
	Instalments []Instalment
	Obligations []Obligation
}

// Reminder is what one officer is told in a day's e-mail: reports that became overdue
// (or were last reminded of a week ago) and agreements that came within EndingWithin days of
// their end.
type Reminder struct {
	UserID int64
	Alerts []Alert
}
