package web

import (
	"net/http"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/partner"
)

type mergeView struct {
	page
	Key, Name     string
	Duplicate     string
	DuplicateName string
	Counts        *partner.MergeCounts
	Errors        formErrors
}

func (s *Server) showMerge(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	l := localizer(r)
	s.render(w, r, http.StatusOK, "partner_merge", mergeView{page: s.newPage(r, "partner.merge.title"), Key: p.Key, Name: p.Name(l.Lang)})
}

// mergePartner shows what merging a duplicate into the partner would move, and with the
// confirmation, merges them.
func (s *Server) mergePartner(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	ctx := r.Context()
	l := localizer(r)
	p, ok := s.editablePartner(w, r)
	if !ok {
		return
	}
	v := mergeView{page: s.newPage(r, "partner.merge.title"), Key: p.Key, Name: p.Name(l.Lang),
		Duplicate: strings.ToLower(strings.TrimSpace(r.PostFormValue("duplicate")))}
	refuse := func(status int, err error) {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		if len(fe.Fields) == 0 {
			fe.Fields = map[string]string{"duplicate": fe.Summary}
		}
		v.Errors, v.Counts = fe, nil
		s.render(w, r, status, "partner_merge", v)
	}
	dup, err := s.partnerByTypedKey(ctx, v.Duplicate)
	if err != nil {
		refuse(statusOf(apperr.CodeOf(err)), err)
		return
	}
	v.DuplicateName = dup.Name(l.Lang)
	// The user must be allowed to change the duplicate too, as it disappears.
	regions, err := s.db.CountryRegions(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !partner.CanEdit(currentUser(r), dup, func(c string) string { return regions[c] }) {
		s.renderError(w, r, http.StatusForbidden)
		return
	}
	if r.PostFormValue("confirm") != "1" {
		if v.Counts, err = s.db.MergePreview(ctx, p.Key, dup.Key); err != nil {
			refuse(statusOf(apperr.CodeOf(err)), err)
			return
		}
		s.render(w, r, http.StatusOK, "partner_merge", v)
		return
	}
	if err := s.db.MergePartners(ctx, p.Key, dup.Key); err != nil {
		refuse(statusOf(apperr.CodeOf(err)), err)
		return
	}
	http.Redirect(w, r, "/partners/"+p.Key+"?saved=merged", http.StatusSeeOther)
}
