package interaction

import (
	"errors"
	"strings"
	"testing"

	"pactum/internal/apperr"
	"pactum/internal/civil"
)

// Every text of an interaction and its follow-ups has a length and takes no control character
// (apperr.Text); the summary and outcome take lines.
func TestTextLimits(t *testing.T) {
	in := Interaction{Type: TypeBilateral, OccurredOn: civil.MustParse("2024-05-06"), PartnerIDs: []int64{1},
		Subject: strings.Repeat("x", MaxSubjectLength+1), Place: "Geneva\nSwitzerland", Event: "WSIS\x00",
		Summary: "From: a\r\nTo: b\r\n\r\n\tText", Outcome: strings.Repeat("x", MaxTextLength+1), ConceptRef: "C\x7f",
		SponsorshipRef: strings.Repeat("S", MaxReferenceLength+1), EmailMessageID: "<id\xff@example.org>"}
	want := map[string]string{"subject": "error.too_long", "place": "error.bad_text", "event": "error.bad_text",
		"outcome": "error.too_long", "concept": "error.bad_text", "sponsorship": "error.too_long", "email_message_id": "error.bad_text"}
	var e *apperr.Error
	if !errors.As(in.Validate(), &e) {
		t.Fatalf("the interaction is accepted")
	}
	for field, key := range want {
		if e.Fields[field].Key != key {
			t.Errorf("%s: %q, want %q", field, e.Fields[field].Key, key)
		}
	}
	if len(e.Fields) != len(want) {
		t.Errorf("fields in error %v, want those of %v (the summary's lines are fine)", e.Fields, want)
	}
	f := FollowUp{Description: strings.Repeat("x", MaxDescriptionLength+1), AssigneeID: 1, DueOn: civil.MustParse("2024-06-01"), Status: StatusOpen}
	if !errors.As(f.Validate(), &e) || e.Fields["followup_description"].Key != "error.too_long" {
		t.Errorf("follow-up: %v", f.Validate())
	}
}
