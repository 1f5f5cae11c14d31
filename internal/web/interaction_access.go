package web

import (
	"net/http"

	"pactum/internal/apperr"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/user"
)

// mayEditInteraction reports whether the signed-in user may record or change an interaction with
// the partners partnerIDs (interaction.CanEdit): a regional officer only with a partner of their
// region, as for the partners themselves.
func (s *Server) mayEditInteraction(r *http.Request, partnerIDs []int64) (bool, error) {
	u := currentUser(r)
	if u == nil || u.Role != user.RoleRegionalOfficer {
		return interaction.CanEdit(u, partnerIDs, nil), nil
	}
	ctx := r.Context()
	regions, err := s.db.CountryRegions(ctx)
	if err != nil {
		return false, err
	}
	editable := map[int64]bool{}
	for _, id := range partnerIDs {
		p, err := s.db.PartnerByID(ctx, id)
		if err != nil {
			return false, err
		}
		editable[id] = partner.CanEdit(u, p, func(c string) string { return regions[c] })
	}
	return interaction.CanEdit(u, partnerIDs, func(id int64) bool { return editable[id] }), nil
}

// editableInteraction loads the interaction of the request's {id} for a change: 404 when there is
// none, 403 when the user may not change it (ok is false then, the answer given).
func (s *Server) editableInteraction(w http.ResponseWriter, r *http.Request, id int64) (*interaction.Interaction, bool) {
	in, err := s.db.InteractionByID(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	may, err := s.mayEditInteraction(r, in.PartnerIDs)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if !may {
		s.renderError(w, r, http.StatusForbidden)
		return nil, false
	}
	return in, true
}
