// Package interaction holds the relationship log: the meetings, calls, e-mails and missions
// through which the bureau cultivates its partners, and the follow-ups they lead to.
package interaction

import (
	"slices"
	"strings"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/user"
)

// Types of interaction, as the report lists the ways relationships are cultivated.
const (
	TypeBilateral   = "bilateral_meeting"
	TypeBureauEvent = "bureau_event"
	TypeExternal    = "external_event"
	TypeCall        = "conference_call"
	TypeEmail       = "email"
	TypeMission     = "mission"
)

// Types lists the interaction types.
var Types = []string{TypeBilateral, TypeBureauEvent, TypeExternal, TypeCall, TypeEmail, TypeMission}

// Limits of an interaction's texts, in characters (apperr.Text).
const (
	MaxSubjectLength     = 300    // the subject, the place and the event
	MaxTextLength        = 20_000 // the summary and the outcome
	MaxReferenceLength   = 64     // the concept project's and the sponsorship's references
	MaxMessageIDLength   = 998    // an imported e-mail's Message-ID: the longest header line (RFC 5322)
	MaxDescriptionLength = 500    // what a follow-up asks
)

// Interaction is one contact with one or more partners.
type Interaction struct {
	ID             int64
	Type           string
	OccurredOn     civil.Date
	Subject        string
	Place          string
	Event          string
	Summary        string
	Outcome        string
	PartnerIDs     []int64
	ContactIDs     []int64
	StaffIDs       []int64
	AgreementID    int64  // the agreement it concerns, 0 for none
	ConceptRef     string // the concept project it concerns, "" for none
	SponsorshipRef string // the sponsorship it concerns, "" for none
	EmailMessageID string // for an imported e-mail, its Message-ID, so it is not imported twice
	CreatedBy      int64
	FollowUps      []FollowUp
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Validate checks an interaction before it is saved.
func (i *Interaction) Validate() error {
	errs := apperr.FieldErrors{}
	valid := false
	for _, t := range Types {
		valid = valid || t == i.Type
	}
	if !valid {
		errs.Add("type", "error.choose")
	}
	if i.OccurredOn.IsZero() {
		errs.Add("occurred_on", "error.date")
	}
	if strings.TrimSpace(i.Subject) == "" {
		errs.Add("subject", "error.required")
	}
	errs.Line("subject", i.Subject, MaxSubjectLength)
	errs.Line("place", i.Place, MaxSubjectLength)
	errs.Line("event", i.Event, MaxSubjectLength)
	errs.Lines("summary", i.Summary, MaxTextLength)
	errs.Lines("outcome", i.Outcome, MaxTextLength)
	errs.Line("concept", i.ConceptRef, MaxReferenceLength)
	errs.Line("sponsorship", i.SponsorshipRef, MaxReferenceLength)
	errs.Line("email_message_id", i.EmailMessageID, MaxMessageIDLength)
	if len(i.PartnerIDs) == 0 {
		errs.Add("partners", "interaction.error.no_partner")
	}
	return errs.Err()
}

// Line is an interaction as a partner's profile and timeline show it.
type Line struct {
	ID         int64
	Type       string
	OccurredOn civil.Date
	Subject    string
	Outcome    string
	OpenFollow int // open follow-ups
}

// CanEdit reports whether u may record or change an interaction with the partners partnerIDs,
// and its follow-ups: administrators and partnership officers always; regional officers when one
// of its partners is theirs to edit (mayEditPartner, which asks partner.CanEdit), the rule of the
// partners and agreements themselves.
func CanEdit(u *user.User, partnerIDs []int64, mayEditPartner func(id int64) bool) bool {
	switch {
	case u == nil:
		return false
	case u.Role == user.RoleAdmin || u.Role == user.RoleOfficer:
		return true
	case u.Role == user.RoleRegionalOfficer:
		return slices.ContainsFunc(partnerIDs, mayEditPartner)
	}
	return false
}

// Follow-up statuses.
const (
	StatusOpen      = "open"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
)

// FollowUpStatuses lists the statuses.
var FollowUpStatuses = []string{StatusOpen, StatusDone, StatusCancelled}

// FollowUp is something someone must do after an interaction, by a date.
type FollowUp struct {
	ID            int64
	InteractionID int64
	Description   string
	AssigneeID    int64
	DueOn         civil.Date
	Status        string
	DoneAt        time.Time
	Version       int
	// Read with the follow-up, for lists: the interaction's subject and partners.
	Subject      string
	AssigneeName string
	PartnerKeys  []string
	PartnerNames []string
}

// Overdue reports whether the follow-up is still open after its due date.
func (f *FollowUp) Overdue(today civil.Date) bool {
	return f.Status == StatusOpen && f.DueOn.Before(today)
}

// Validate checks a follow-up before it is saved.
func (f *FollowUp) Validate() error {
	errs := apperr.FieldErrors{}
	if strings.TrimSpace(f.Description) == "" {
		errs.Add("followup_description", "error.required")
	}
	errs.Line("followup_description", f.Description, MaxDescriptionLength)
	if f.AssigneeID == 0 {
		errs.Add("followup_assignee", "error.choose")
	}
	if f.DueOn.IsZero() {
		errs.Add("followup_due_on", "error.date")
	}
	if f.Status != StatusOpen && f.Status != StatusDone && f.Status != StatusCancelled {
		errs.Add("followup_status", "error.choose")
	}
	return errs.Err()
}

// Reminder is what a daily reminder tells one assignee.
type Reminder struct {
	UserID    int64
	FollowUps []FollowUp
}

// AddressMatch is a partner recognised from e-mail addresses, with the contacts whose address
// appeared.
type AddressMatch struct {
	PartnerKey string
	ContactIDs []int64
}
