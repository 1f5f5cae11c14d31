package partner

import (
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
)

// Due-diligence statuses, as offices of the UN system record them for companies and foundations.
const (
	DDNotStarted            = "not_started"
	DDInProgress            = "in_progress"
	DDCleared               = "cleared"
	DDClearedWithConditions = "cleared_with_conditions"
	DDNotCleared            = "not_cleared"
	DDNone                  = "none" // no record: a filter value, not a status
)

// DDStatuses lists the statuses in the order of the review.
var DDStatuses = []string{DDNotStarted, DDInProgress, DDCleared, DDClearedWithConditions, DDNotCleared}

// RiskRatings lists the risk ratings; "" is not rated.
var RiskRatings = []string{"low", "medium", "high"}

// DueDiligence is the record of the review of a partner.
type DueDiligence struct {
	PartnerID  int64
	Status     string
	RiskRating string
	ReviewerID int64
	ReviewedOn civil.Date
	RecheckOn  civil.Date
	Notes      string
	Version    int
	UpdatedAt  time.Time
}

// Validate checks a due-diligence record.
func (d *DueDiligence) Validate() error {
	errs := apperr.FieldErrors{}
	valid := false
	for _, s := range DDStatuses {
		valid = valid || s == d.Status
	}
	if !valid {
		errs.Add("dd_status", "error.choose")
	}
	if d.RiskRating != "" && d.RiskRating != "low" && d.RiskRating != "medium" && d.RiskRating != "high" {
		errs.Add("risk_rating", "error.choose")
	}
	errs.Lines("notes", d.Notes, MaxTextLength)
	if !d.ReviewedOn.IsZero() && !d.RecheckOn.IsZero() && d.RecheckOn.Before(d.ReviewedOn) {
		errs.Add("recheck_on", "partner.dd.error.recheck_before_review")
	}
	return errs.Err()
}

// Concern is why a party's due diligence should stop someone signing with it: "" when there is none.
type Concern string

// The concerns an agreement form warns about.
const (
	ConcernMissing Concern = "missing" // no record, or the review has not concluded
	ConcernRefused Concern = "refused" // not cleared
	ConcernExpired Concern = "expired" // the re-check date has passed
)

// ConcernOn returns what is wrong with the due diligence d (nil: no record) on day. Governments,
// multilateral bodies and UN agencies are not reviewed; callers decide which partners need it.
func ConcernOn(d *DueDiligence, day civil.Date) Concern {
	switch {
	case d == nil || d.Status == DDNotStarted || d.Status == DDInProgress:
		return ConcernMissing
	case d.Status == DDNotCleared:
		return ConcernRefused
	case !d.RecheckOn.IsZero() && d.RecheckOn.Before(day):
		return ConcernExpired
	}
	return ""
}

// NeedsDueDiligence reports whether partners of a type are reviewed before agreements: companies
// and foundations, as in the offices of the UN system.
func NeedsDueDiligence(partnerType string) bool {
	return partnerType == "private" || partnerType == "foundation"
}
