package audit

import (
	"fmt"
	"slices"
	"strings"

	"pactum/internal/reference"
)

// Kinds are the kinds of record the trail names (Entry.Entity). The audit page shows each by its
// label audit.kind.<kind> in the reader's language; the store refuses to record a kind that is not
// here, so that none reaches the page without a label.
var Kinds = append([]string{
	"agreement", "agreement_import", "agreement_import_file", "api_token", "contact", "currency_rate",
	"currency_rate_import", "currency_rate_import_file", "due_diligence", "follow_up", "interaction",
	"partner", "partner_import", "partner_import_file", "recognition", "user",
}, referenceKinds()...)

// referenceKinds are the kinds of the reference lists administrators edit: reference_ and the list.
func referenceKinds() []string {
	kinds := make([]string, len(reference.EditableLists))
	for i, list := range reference.EditableLists {
		kinds[i] = "reference_" + list
	}
	return kinds
}

// Fields are the names of the fields entries record (the keys of Changes), each shown by its label
// audit.field.<name>; the store refuses any other. A field kept in each language is listed in
// TextFields instead, and a field that means something else in one kind also in KindFields.
var Fields = []string{
	// people and accounts
	"active", "display_name", "email", "email_verified_at", "expires_at", "language", "locked", "organisation",
	"owner", "password", "phone", "primary", "region", "role",
	// partners
	"countries", "financing_mechanisms", "financing_types", "membership", "merged_from",
	"merged_into", "name", "owner_id", "parent_id", "tags", "title", "website",
	// due diligence, interactions, follow-ups and recognitions
	"agreement_id", "assignee_id", "awarded_on", "concept", "contacts", "description", "document", "event",
	"occurred_on", "outcome", "partners", "place", "recheck_on", "reviewed_on", "reviewer_id", "risk_rating",
	"sponsorship", "staff", "subject", "summary",
	// agreements, their instalments and obligations
	"action_area", "action_areas", "amendment_kind", "amends_id", "amount", "confidential", "country",
	"currency", "deleted", "due_on", "end_on", "framework_id", "in_kind_usd", "initiative", "kind", "note",
	"notes", "office", "officer_id", "other_action_areas", "parties", "received", "received_on", "regions",
	"signed_on", "start_on", "status", "submitted_on", "type", "value_usd",
	// reference lists and rates
	"detail", "usd_per_unit",
	// imports
	"created", "created_keys", "created_refs", "unchanged", "updated", "updated_keys", "updated_refs",
}

// KindFields are the fields that mean something else in one kind of record than elsewhere (a
// contact's title is a function, a recognition's the name of an award), labelled
// audit.field.<kind>.<field> there.
var KindFields = map[string][]string{"contact": {"name", "title"}}

// TextFields are fields kept in each language, recorded as the field, an underscore and the
// language (name_fr). Their label audit.field.<field>_in names the language.
var TextFields = []string{"acronym", "label", "mandate", "name", "strategy", "title"}

// FieldLanguage splits a field kept in each language into the field and the language (name_fr:
// name, fr); ok is false for any other field.
func FieldLanguage(field string) (name, lang string, ok bool) {
	i := strings.LastIndexByte(field, '_')
	if i < 0 || !slices.Contains(TextFields, field[:i]) || !reference.IsLanguage(field[i+1:]) {
		return "", "", false
	}
	return field[:i], field[i+1:], true
}

// Check refuses an entry whose kind or fields are not listed above: a programming error, which
// the tests of the change that records it catch before it reaches the audit page unlabelled.
func Check(entity string, changes Changes) error {
	if !slices.Contains(Kinds, entity) {
		return fmt.Errorf("audit: kind of record %q is not in audit.Kinds (list it and give it a label)", entity)
	}
	for field := range changes {
		if _, _, ok := FieldLanguage(field); !ok && !slices.Contains(Fields, field) {
			return fmt.Errorf("audit: field %q of %s is not in audit.Fields (list it and give it a label)", field, entity)
		}
	}
	return nil
}
