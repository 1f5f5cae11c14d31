package web

import (
	"context"
	"fmt"
	"slices"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/i18n"
	"pactum/internal/user"
)

// Links to an agreement — from the amendment that amends it, the agreement that falls under it
// (a memorandum of understanding), an interaction — follow the confidentiality rule of the
// agreement they lead to (agreement.CanSee). To a reader who may not see that agreement, every
// detail that holds the link (a page, the API, a form) shows none, and a form refuses to make
// one with the words it has for a reference that names nothing; saving a form keeps the link it
// could not show.

// hideLinks blanks the references of the agreements a amends and falls under when u may not see
// them, keeping their IDs: a detail built from a then shows no link, and a save of its form
// knows which links to keep (resolveLinks).
func (s *Server) hideLinks(ctx context.Context, u *user.User, a *agreement.Agreement) error {
	var refs []string
	for _, ref := range []string{a.AmendsRef, a.FrameworkRef} {
		if ref != "" {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	heads, err := s.db.AgreementHeads(ctx, refs)
	if err != nil {
		return fmt.Errorf("links of %s: %w", a.Reference, err)
	}
	hidden := func(ref string) bool { h := heads[ref]; return h != nil && !agreement.CanSee(u, h) }
	if hidden(a.AmendsRef) {
		a.AmendsRef = ""
	}
	if hidden(a.FrameworkRef) {
		a.FrameworkRef = ""
	}
	return nil
}

// visibleAmendments returns the live amendments of a that u may see, in the order they were
// signed. A detail of a (its page, the API, the form of its next amendment) lists these alone
// and works out "as amended" from them alone, so that nothing of an amendment hidden from its
// reader can be read there, not even by subtracting; reports and totals count every amendment.
func (s *Server) visibleAmendments(ctx context.Context, u *user.User, a *agreement.Agreement) ([]*agreement.Agreement, error) {
	amendments, err := s.db.Amendments(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(amendments, func(m *agreement.Agreement) bool { return !agreement.CanSee(u, m) }), nil
}

// fillLinkedAgreements lists on the page of a the amendments (and a as amended) and the
// agreements under it that u may see.
func (s *Server) fillLinkedAgreements(ctx context.Context, l *i18n.Localizer, u *user.User, a *agreement.Agreement, v *agreementPageView) error {
	if !a.IsAmendment() {
		amendments, err := s.visibleAmendments(ctx, u, a)
		if err != nil {
			return err
		}
		for _, m := range amendments {
			row := amendmentRow{Reference: m.Reference, Title: m.Title(l.Lang), Kind: l.T("agreement.kind." + m.AmendmentKind),
				Signed: l.Date(m.SignedOn), EndOn: l.Date(m.EndOn)}
			if m.ValueUSD != 0 {
				row.Added = l.Money(m.ValueUSD, "USD")
			}
			v.Amendments = append(v.Amendments, row)
		}
		if len(amendments) > 0 {
			amended := agreement.Amend(a, amendments)
			v.Amended = []factRow{
				{Label: l.T("agreement.amended_value"), Value: l.Money(amended.ValueUSD, "USD")},
				{Label: l.T("agreement.amended_end"), Value: l.Date(amended.EndOn)},
			}
			if a.Currency != "USD" {
				v.Amended = append(v.Amended, factRow{Label: l.T("agreement.amended_amount"), Value: l.Money(amended.Amount, a.Currency)})
			}
		}
	}
	if a.Type == "mou" {
		under, err := s.db.UnderFramework(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, m := range under {
			if agreement.CanSee(u, m) {
				v.Framework = append(v.Framework, amendmentRow{Reference: m.Reference, Title: m.Title(l.Lang), Signed: l.Date(m.SignedOn),
					Added: l.Money(m.ValueUSD, "USD")})
			}
		}
	}
	return nil
}

// linkTarget finds the agreement a form links to by the reference typed, as u sees the registry.
// It answers the same NotFound when no agreement has the reference, when it is deleted and when
// u may not see it, so that a form cannot tell a hidden agreement from none; what cannot be a
// reference is not looked up (PostgreSQL refuses to compare with text that is not UTF-8) and
// answers the same.
func (s *Server) linkTarget(ctx context.Context, u *user.User, ref string) (*agreement.Agreement, error) {
	if !agreement.ValidReference(ref) {
		return nil, apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", ref)
	}
	heads, err := s.db.AgreementHeads(ctx, []string{ref})
	if err != nil {
		return nil, err
	}
	target := heads[ref]
	if target == nil || target.Deleted() || !agreement.CanSee(u, target) {
		return nil, apperr.New(apperr.NotFound, "agreement.error.not_found", "reference", ref)
	}
	return target, nil
}

// resolveLinks links a to the agreements the form names as amended and as its framework (through
// linkTarget, refusing on the field a reference u cannot link to). Editing existing, whose links
// hideLinks blanked for u, an empty field keeps the link u could not see: the framework always,
// the amended agreement while a stays an amendment.
func (s *Server) resolveLinks(ctx context.Context, u *user.User, f agreementForm, existing, a *agreement.Agreement, errs apperr.FieldErrors) error {
	if existing != nil && f.Amends == "" && existing.AmendsRef == "" && a.IsAmendment() {
		a.AmendsID = existing.AmendsID
	}
	if existing != nil && f.Framework == "" && existing.FrameworkRef == "" {
		a.FrameworkID = existing.FrameworkID
	}
	for _, link := range []struct {
		field, ref string
		id         *int64
		dst        *string
	}{{"amends", f.Amends, &a.AmendsID, &a.AmendsRef}, {"framework", f.Framework, &a.FrameworkID, &a.FrameworkRef}} {
		if link.ref == "" {
			continue
		}
		target, err := s.linkTarget(ctx, u, link.ref)
		if apperr.Is(err, apperr.NotFound) {
			errs.Add(link.field, "agreement.error.not_found", "reference", link.ref)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", link.field, link.ref, err)
		}
		*link.id, *link.dst = target.ID, target.Reference
	}
	return nil
}

// linkedAgreement returns the reference of the agreement with id (an interaction's) when u may
// see it, and "" when id is 0 or u may not.
func (s *Server) linkedAgreement(ctx context.Context, u *user.User, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	ref, err := s.db.AgreementReferenceOf(ctx, id)
	if err != nil {
		return "", err
	}
	heads, err := s.db.AgreementHeads(ctx, []string{ref})
	if err != nil {
		return "", err
	}
	if h := heads[ref]; h == nil || !agreement.CanSee(u, h) {
		return "", nil
	}
	return ref, nil
}
