package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/user"
)

// partyInput is a row of the form's parties: a partner's key or name, as typed, and its role.
type partyInput struct {
	Partner, Role string
}

// agreementForm is what the agreement form sends; it is kept as typed when a save is refused.
type agreementForm struct {
	Reference                           string
	Titles                              map[string]string
	Type, Status                        string
	SignedOn, StartOn, EndOn            string
	Amount, Currency, InKind            string
	Parties                             []partyInput
	Regions                             []string
	Shares                              map[string]string
	Countries                           []string
	ActionArea                          string
	OtherAreas                          []string
	Initiative, Framework, Amends, Kind string
	Officer, Office                     string
	Confidential                        bool
	Notes                               string
	Version                             int
	Confirm                             bool // save despite the warnings shown
}

// extraPartyRows is how many empty party rows the form offers besides the filled ones.
const extraPartyRows = 2

func agreementFormOf(a *agreement.Agreement) agreementForm {
	f := agreementForm{Reference: a.Reference, Titles: map[string]string{}, Type: a.Type, Status: a.Status,
		SignedOn: dateValue(a.SignedOn), StartOn: dateValue(a.StartOn), EndOn: dateValue(a.EndOn), Currency: a.Currency,
		Shares: map[string]string{}, Countries: a.Countries, ActionArea: a.PrimaryActionArea, OtherAreas: a.OtherActionAreas,
		Initiative: a.Initiative, Framework: a.FrameworkRef, Amends: a.AmendsRef, Kind: a.AmendmentKind,
		Officer: idString(a.OfficerID), Office: a.Office, Confidential: a.Confidential, Notes: a.Notes, Version: a.Version}
	for lang, t := range a.Titles {
		f.Titles[lang] = t
	}
	if a.Amount != 0 {
		f.Amount = a.Amount.String()
	}
	if a.InKindUSD != 0 {
		f.InKind = a.InKindUSD.String()
	}
	for _, p := range a.Parties {
		f.Parties = append(f.Parties, partyInput{Partner: p.PartnerKey, Role: p.Role})
	}
	equal := true
	for _, r := range a.Regions {
		f.Regions = append(f.Regions, r.Region)
		equal = equal && math.Abs(r.Share-1/float64(len(a.Regions))) < 1e-9
	}
	if !equal {
		for _, r := range a.Regions {
			f.Shares[r.Region] = strconv.FormatFloat(r.Share, 'f', -1, 64)
		}
	}
	return f
}

func dateValue(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseAgreementForm(r *http.Request) agreementForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := agreementForm{Reference: v("reference"), Titles: map[string]string{}, Type: v("type"), Status: v("status"),
		SignedOn: v("signed_on"), StartOn: v("start_on"), EndOn: v("end_on"), Amount: v("amount"), Currency: v("currency"),
		InKind: v("in_kind_usd"), Regions: r.PostForm["regions"], Shares: map[string]string{}, Countries: r.PostForm["countries"],
		ActionArea: v("action_area"), OtherAreas: r.PostForm["other_action_areas"], Initiative: v("initiative"),
		Framework: v("framework"), Amends: v("amends"), Kind: v("amendment_kind"), Officer: v("officer"), Office: v("office"),
		Confidential: v("confidential") == "1", Notes: v("notes"), Version: formInt(v("version"), 0), Confirm: v("confirm") == "1"}
	for _, lang := range reference.Languages {
		f.Titles[lang] = v("title_" + lang)
	}
	for i := range min(formInt(v("party_rows"), 0), 50) {
		p := partyInput{Partner: v(fmt.Sprintf("party_%d", i)), Role: v(fmt.Sprintf("role_%d", i))}
		if p.Partner != "" {
			f.Parties = append(f.Parties, p)
		}
	}
	for _, region := range reference.Regions {
		if share := v("share_" + region); share != "" {
			f.Shares[region] = share
		}
	}
	return f
}

// agreement turns the form into an agreement, resolving partners with the store (resolveLinks
// resolves the references of other agreements); field errors are collected in errs.
func (s *Server) agreementOf(ctx context.Context, f agreementForm, errs apperr.FieldErrors) *agreement.Agreement {
	a := &agreement.Agreement{Reference: f.Reference, Titles: map[string]string{}, Type: f.Type, Status: f.Status,
		Currency: f.Currency, Countries: f.Countries, PrimaryActionArea: f.ActionArea, Initiative: f.Initiative,
		AmendmentKind: f.Kind, Office: f.Office, Confidential: f.Confidential, Notes: f.Notes, Version: f.Version}
	for lang, t := range f.Titles {
		if t != "" {
			a.Titles[lang] = t
		}
	}
	parseDate(f.SignedOn, "signed_on", &a.SignedOn, errs)
	parseDate(f.StartOn, "start_on", &a.StartOn, errs)
	parseDate(f.EndOn, "end_on", &a.EndOn, errs)
	parseAmount(f.Amount, "amount", &a.Amount, errs)
	parseAmount(f.InKind, "in_kind_usd", &a.InKindUSD, errs)
	for _, area := range f.OtherAreas {
		if area != f.ActionArea {
			a.OtherActionAreas = append(a.OtherActionAreas, area)
		}
	}
	a.OfficerID = idField(f.Officer, "officer", "error.person", errs)
	for _, p := range f.Parties {
		// What cannot be a partner's name is not looked up: PostgreSQL refuses to compare with
		// text that is not UTF-8.
		if msg := apperr.Text(p.Partner, partner.MaxNameLength, false); msg != nil {
			errs["parties"] = *msg
			continue
		}
		id, key, msg := s.resolvePartner(ctx, p.Partner)
		if msg != nil {
			errs["parties"] = *msg
			continue
		}
		if slices.ContainsFunc(a.Parties, func(q agreement.Party) bool { return q.PartnerID == id }) {
			continue
		}
		a.Parties = append(a.Parties, agreement.Party{PartnerID: id, Role: p.Role, PartnerKey: key})
	}
	if len(f.Shares) == 0 {
		a.Regions = agreement.EqualShares(f.Regions...)
	} else {
		total := 0.0
		for _, region := range f.Regions {
			share, err := strconv.ParseFloat(strings.TrimSuffix(strings.ReplaceAll(f.Shares[region], ",", "."), "%"), 64)
			if err != nil {
				errs.Add("regions", "agreement.error.shares")
				break
			}
			total += share
			a.Regions = append(a.Regions, agreement.RegionShare{Region: region, Share: share})
		}
		if total > 1.5 { // shares typed as percentages
			for i := range a.Regions {
				a.Regions[i].Share /= 100
			}
		}
	}
	return a
}

// resolvePartner finds the partner someone typed into a party row: its key (or a key it was
// merged from), or a name that only one partner has. An unknown or ambiguous name gets a message
// naming the candidates.
func (s *Server) resolvePartner(ctx context.Context, typed string) (int64, string, *apperr.Message) {
	key := strings.ToLower(typed)
	if into, err := s.db.MergedInto(ctx, key); err == nil && into != "" {
		key = into
	}
	if p, err := s.db.PartnerByKey(ctx, key); err == nil {
		return p.ID, p.Key, nil
	}
	page, err := s.db.ListPartners(ctx, partner.Filter{Query: typed, Limit: 6})
	if err != nil || len(page.Items) == 0 {
		m := apperr.Msg("agreement.error.partner_unknown", "name", typed)
		return 0, "", &m
	}
	if len(page.Items) == 1 {
		return page.Items[0].ID, page.Items[0].Key, nil
	}
	var candidates []string
	for _, p := range page.Items {
		if search.Fold(p.Name) == search.Fold(typed) || strings.EqualFold(p.Acronym, typed) {
			return p.ID, p.Key, nil
		}
		candidates = append(candidates, p.Name+" ("+p.Key+")")
	}
	m := apperr.Msg("agreement.error.partner_ambiguous", "name", typed, "candidates", strings.Join(candidates, "; "))
	return 0, "", &m
}

// showNewAgreement offers an empty form, or one prepared for an amendment (?amends=REF), for an
// agreement under a memorandum of understanding (?framework=REF) or with a partner (?partner=KEY).
func (s *Server) showNewAgreement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	u := currentUser(r)
	form := agreementForm{Status: agreement.StatusDraft, Type: "cooperation", Currency: "USD", Office: agreement.OfficeHQ,
		Officer: idString(u.ID), Titles: map[string]string{}, Shares: map[string]string{}}
	if u.Role == user.RoleRegionalOfficer && u.Region != "" {
		form.Office, form.Regions = u.Region, []string{u.Region}
	}
	prefill := func(ref string) *agreement.Agreement {
		a, err := s.db.AgreementByReference(ctx, ref)
		if err != nil || a.Deleted() || !agreement.CanSee(u, a) {
			return nil
		}
		base := agreementFormOf(a)
		form.Parties, form.Regions, form.Shares, form.Countries = base.Parties, base.Regions, base.Shares, base.Countries
		form.ActionArea, form.Currency, form.Office, form.Officer, form.Initiative = base.ActionArea, base.Currency, base.Office, base.Officer, base.Initiative
		form.Confidential = a.Confidential
		return a
	}
	if ref := q.Get("amends"); ref != "" {
		if a := prefill(ref); a != nil {
			form.Type, form.Amends, form.Kind, form.Status = reference.AgreementTypeAmendment, a.Reference, agreement.KindAddedFunds, agreement.StatusSigned
			amendments, err := s.visibleAmendments(ctx, u, a)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			form.Reference = fmt.Sprintf("%s-A%d", a.Reference, len(amendments)+1)
			for lang, t := range a.Titles {
				form.Titles[lang] = s.bundle.Localizer(lang).T("agreement.amendment_title", "number", len(amendments)+1, "title", t)
			}
			form.EndOn = dateValue(agreement.Amend(a, amendments).EndOn)
		}
	}
	if ref := q.Get("framework"); ref != "" {
		if a := prefill(ref); a != nil {
			form.Type, form.Framework = "project_document", a.Reference
		}
	}
	if key := q.Get("partner"); key != "" {
		form.Parties = []partyInput{{Partner: key, Role: agreement.RoleFunder}}
	}
	v, err := s.agreementFormView(r, true, form, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agreement_form", v)
}

func (s *Server) showEditAgreement(w http.ResponseWriter, r *http.Request) {
	a, ok := s.editableAgreement(w, r)
	if !ok {
		return
	}
	if err := s.hideLinks(r.Context(), currentUser(r), a); err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.agreementFormView(r, false, agreementFormOf(a), formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agreement_form", v)
}

// saveAgreement creates an agreement (POST /agreements) or saves one (POST /agreements/{ref}).
// A new agreement with partners whose due diligence is not in order, or that may duplicate an
// active agreement, is shown again with the warnings until it is confirmed. A save that
// conflicts with someone else's shows both versions.
func (s *Server) saveAgreement(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	ctx := r.Context()
	l := localizer(r)
	u := currentUser(r)
	isNew := r.PathValue("ref") == ""
	var existing *agreement.Agreement
	if !isNew {
		var ok bool
		if existing, ok = s.editableAgreement(w, r); !ok {
			return
		}
		if err := s.hideLinks(ctx, u, existing); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	form := parseAgreementForm(r)
	if !isNew {
		form.Reference = existing.Reference
	}
	refuse := func(status int, errs formErrors, fill func(v *agreementFormView)) {
		v, err := s.agreementFormView(r, isNew, form, errs)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if fill != nil {
			fill(&v)
		}
		s.render(w, r, status, "agreement_form", v)
	}
	errs := apperr.FieldErrors{}
	a := s.agreementOf(ctx, form, errs)
	if err := s.knownAccounts(ctx, errs, "officer", "error.person", a.OfficerID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.resolveLinks(ctx, u, form, existing, a, errs); err != nil {
		s.serverError(w, r, err)
		return
	}
	codes, err := s.db.Codes(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	today := civil.Of(time.Now())
	addDomainErrors(errs, a.Validate(codes))
	if len(errs) == 0 {
		rates, err := s.db.Rates(ctx)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := a.PriceInUSD(rates, today); err != nil {
			for field, m := range apperr.FieldsOf(err) {
				errs[field] = m
			}
		}
	}
	if len(errs) == 0 && !agreement.CanEdit(u, a) {
		errs.Add("regions", "agreement.error.outside_region")
	}
	if len(errs) > 0 {
		fe, _ := explain(l, errs.Err())
		refuse(http.StatusUnprocessableEntity, fe, nil)
		return
	}
	if isNew && !form.Confirm {
		concerns, overlapping, err := s.agreementWarnings(r, a, today)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(concerns) > 0 || len(overlapping) > 0 {
			refuse(http.StatusConflict, formErrors{Summary: l.T("agreement.warnings.found")}, func(v *agreementFormView) {
				v.Concerns, v.Overlapping = concerns, overlapping
			})
			return
		}
	}
	if isNew {
		err = s.db.CreateAgreements(ctx, []*agreement.Agreement{a})
	} else {
		err = s.db.UpdateAgreement(ctx, a)
	}
	if apperr.Is(err, apperr.Conflict) && !isNew && len(apperr.FieldsOf(err)) == 0 {
		current, cerr := s.db.AgreementByReference(ctx, a.Reference)
		if cerr == nil {
			cerr = s.hideLinks(ctx, u, current)
		}
		if cerr != nil {
			s.serverError(w, r, cerr)
			return
		}
		differences, derr := s.differences(r, form, agreementFormOf(current))
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		// Saving again replaces their version with this one, knowingly.
		form.Version = current.Version
		refuse(http.StatusConflict, formErrors{Summary: l.T("agreement.conflict")}, func(v *agreementFormView) { v.Differences = differences })
		return
	}
	if err != nil {
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		status := http.StatusUnprocessableEntity
		if apperr.CodeOf(err) == apperr.Busy {
			status = http.StatusServiceUnavailable
		}
		refuse(status, fe, nil)
		return
	}
	http.Redirect(w, r, agreementURL(a.Reference)+"?saved=1", http.StatusSeeOther)
}
