package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/store"
	"pactum/internal/store/storetest"
	"pactum/internal/user"
)

// A regional officer records and changes interactions, and their follow-ups, only with a partner
// of their region, the rule of partners and agreements; a follow-up assigned to them they may
// close whatever its partner. Officers and administrators change any.
func TestRegionalOfficersEditInteractionsOfTheirRegionOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		app := newTestApp(t, db)
		ctx := context.Background()
		afr := &partner.Partner{Key: "savanna-fund", Type: "foundation", Membership: "none", Status: partner.StatusActive,
			Regions: []string{"AFR"}, Texts: map[string]partner.Text{"en": {Name: "Savanna Fund"}}}
		eur := &partner.Partner{Key: "alpine-fund", Type: "foundation", Membership: "none", Status: partner.StatusActive,
			Regions: []string{"EUR"}, Texts: map[string]partner.Text{"en": {Name: "Alpine Fund"}}}
		if err := db.CreatePartners(ctx, []*partner.Partner{afr, eur}); err != nil {
			t.Fatal(err)
		}
		regional, _ := db.UserByUsername(ctx, string(user.RoleRegionalOfficer))
		officer, _ := db.UserByUsername(ctx, string(user.RoleOfficer))
		record := func(partnerID, assignee int64) (int64, int64) {
			t.Helper()
			in := &interaction.Interaction{Type: interaction.TypeCall, OccurredOn: civil.MustParse("2026-11-20"), Subject: "Call",
				PartnerIDs: []int64{partnerID}, CreatedBy: officer.ID,
				FollowUps: []interaction.FollowUp{{Description: "Write back", AssigneeID: assignee, DueOn: civil.MustParse("2026-12-01"), Status: interaction.StatusOpen}}}
			if err := db.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
			stored, err := db.InteractionByID(ctx, in.ID)
			if err != nil || len(stored.FollowUps) != 1 {
				t.Fatalf("stored interaction: %+v, %v", stored, err)
			}
			return in.ID, stored.FollowUps[0].ID
		}
		ownID, _ := record(afr.ID, officer.ID)
		otherID, otherFollowUp := record(eur.ID, officer.ID)
		_, assignedFollowUp := record(eur.ID, regional.ID)

		c := app.sessionClient(user.RoleRegionalOfficer)
		edit := url.Values{"type": {"conference_call"}, "occurred_on": {"2026-11-20"}, "subject": {"Changed"}, "partners": {"alpine-fund"}, "version": {"1"}}
		status := func(c *http.Client, method, path string, form url.Values) int {
			t.Helper()
			if method == http.MethodGet {
				resp, _ := app.get(c, path)
				return resp.StatusCode
			}
			return app.post(c, path, form).StatusCode
		}
		for _, tt := range []struct {
			method, path string
			form         url.Values
			want         int
		}{
			{http.MethodGet, fmt.Sprintf("/interactions/%d/edit", otherID), nil, http.StatusForbidden},
			{http.MethodPost, fmt.Sprintf("/interactions/%d", otherID), edit, http.StatusForbidden},
			{http.MethodPost, fmt.Sprintf("/interactions/%d/follow-ups", otherID), url.Values{"followup_description": {"More"}, "followup_assignee": {fmt.Sprint(regional.ID)}, "followup_due_on": {"2026-12-24"}}, http.StatusForbidden},
			{http.MethodPost, fmt.Sprintf("/follow-ups/%d", otherFollowUp), url.Values{"status": {"done"}, "version": {"1"}, "back": {"/follow-ups"}}, http.StatusForbidden},
			{http.MethodGet, fmt.Sprintf("/interactions/%d/edit", ownID), nil, http.StatusOK},
			{http.MethodPost, fmt.Sprintf("/follow-ups/%d", assignedFollowUp), url.Values{"status": {"done"}, "version": {"1"}, "back": {"/follow-ups"}}, http.StatusSeeOther},
		} {
			if got := status(c, tt.method, tt.path, tt.form); got != tt.want {
				t.Errorf("regional officer %s %s: %d, want %d", tt.method, tt.path, got, tt.want)
			}
		}
		if _, page := app.get(c, fmt.Sprintf("/interactions/%d", otherID)); strings.Contains(page, fmt.Sprintf("/interactions/%d/edit", otherID)) {
			t.Error("the page of another region's interaction offers the regional officer to edit it")
		}
		// Moving their own interaction to another region's partner, or recording one there, is refused.
		for _, path := range []string{fmt.Sprintf("/interactions/%d", ownID), "/interactions"} {
			resp, body := app.postBody(c, path, edit)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "partners of their own region") || !strings.Contains(body, `value="Changed"`) {
				t.Errorf("regional officer POST %s with another region's partner: %d", path, resp.StatusCode)
			}
		}
		if stored, _ := db.InteractionByID(ctx, otherID); stored.Subject != "Call" {
			t.Errorf("another region's interaction was changed: %q", stored.Subject)
		}
		// An officer changes any interaction.
		if got := status(app.sessionClient(user.RoleOfficer), http.MethodPost, fmt.Sprintf("/interactions/%d", otherID), edit); got != http.StatusSeeOther {
			t.Errorf("officer saves another region's interaction: %d", got)
		}
	})
}
