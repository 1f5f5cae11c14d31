package web

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"pactum/internal/agreement"
	"pactum/internal/apperr"
	"pactum/internal/chart"
	"pactum/internal/civil"
	"pactum/internal/document"
	"pactum/internal/i18n"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/reference"
)

type link struct {
	URL, Text string
}

// localText is a text with the language it is written in, which is English when the reader's
// language has no translation, so that screen readers pronounce it right.
type localText struct {
	Text, Lang string
}

func textIn(p *partner.Partner, lang string, pick func(partner.Text) string) localText {
	if t := pick(p.Texts[lang]); t != "" {
		return localText{Text: t, Lang: lang}
	}
	return localText{Text: pick(p.Texts["en"]), Lang: "en"}
}

type timelineItem struct {
	Date       string
	sortKey    civil.Date
	Kind, Text string
	URL        string
}

type partnerView struct {
	page
	P                 *partner.Partner
	Name, Acronym     localText
	Mandate, Strategy localText
	Type, Membership  string
	Status, Country   string
	Website           string
	Parent            *link
	Children          []link
	Owner             string
	ActionAreas       []string
	Regions           []string
	Countries         []string
	FinancingTypes    []string
	Contacts          []partner.Contact
	CanEdit           bool
	DD                *partner.DueDiligence
	DDStatus, DDRisk  string
	DDReviewer        string
	DDReviewed        string
	DDRecheck         string
	DDConcern         string
	DDDocuments       []documentRow
	AgreementCount    int
	AmendmentCount    int
	Value             string
	FamilyNote        string
	ChartYears        template.HTML
	ChartAreas        template.HTML
	ChartRegions      template.HTML
	Recent            []agreementRow
	Money             *moneyView // contributions the partner (and its family) funds, when any
	AgreementsURL     string     // the registry filtered to the partner's agreements
	Interactions      []interactionRow
	FollowUps         []followUpRow
	Recognitions      []recognitionRow
	Timeline          []timelineItem
	Notice            string
	LanguageCodes     []string
	Forms             profileForms
}

// profileForms keeps what someone typed into one of the small forms of the partner page (a
// contact's, a recognition's) when its save was refused, with the errors, so that the page shows
// them next to that form.
type profileForms struct {
	Which       string          // "contact" or "recognition"
	Contact     partner.Contact // as typed; its ID is 0 for a new contact
	Recognition recognitionForm
	Errors      formErrors
}

// ContactForm is what the form of contact c holds: what was typed when its save was refused,
// else c.
func (v partnerView) ContactForm(c partner.Contact) partner.Contact {
	if v.Forms.Which == "contact" && v.Forms.Contact.ID == c.ID {
		return v.Forms.Contact
	}
	return c
}

// ContactErrors are the field errors of the form of contact id (0: the new contact's).
func (v partnerView) ContactErrors(id int64) map[string]string {
	if v.Forms.Which == "contact" && v.Forms.Contact.ID == id {
		return v.Forms.Errors.Fields
	}
	return nil
}

// LanguageName is a language's name in itself, for choosing a contact's language.
func (partnerView) LanguageName(code string) string { return languageNames[code] }

// ContactLanguages are the choices of a contact's language, with selected chosen.
func (partnerView) ContactLanguages(selected string) []option {
	opts := []option{{Value: "", Label: "—", Selected: selected == ""}}
	for _, code := range reference.Languages {
		opts = append(opts, option{Value: code, Label: languageNames[code], Selected: code == selected})
	}
	return opts
}

type documentRow struct {
	ID                                     int64
	Name, Size, Uploaded, Uploader, Digest string
	Version                                int
}

type agreementRow struct {
	Reference, Title, Type, Status, Signed, Value, Party string
}

type interactionRow struct {
	ID                  int64
	Date, Type, Subject string
	Outcome             string
	OpenFollowUps       int
}

type followUpRow struct {
	ID                         int64
	InteractionID              int64
	Description, Due, Assignee string
	Subject                    string
	Overdue                    bool
	Open                       bool   // can be marked done
	Status                     string // in the reader's language, where a list mixes statuses
	Version                    int
	Partners                   []link
}

type recognitionRow struct {
	Title, Event, Date, Description string
}

func (s *Server) showPartner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.db.PartnerByKey(ctx, r.PathValue("key"))
	if apperr.Is(err, apperr.NotFound) {
		// A partner merged into another lives on under the other's key.
		if into, merr := s.db.MergedInto(ctx, r.PathValue("key")); merr == nil && into != "" {
			http.Redirect(w, r, "/partners/"+into, http.StatusMovedPermanently)
			return
		}
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v, err := s.partnerPage(r, p, profileForms{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "partner", v)
}

// partnerPage builds the profile page of p, with the small form that forms names holding what was
// typed when its save was refused.
func (s *Server) partnerPage(r *http.Request, p *partner.Partner, forms profileForms) (partnerView, error) {
	ctx := r.Context()
	lb, err := s.labeller(r)
	if err != nil {
		return partnerView{}, err
	}
	l := lb.l
	v := partnerView{page: s.newPage(r, "partners.title"), P: p, LanguageCodes: reference.Languages, Forms: forms}
	v.Name = textIn(p, l.Lang, func(t partner.Text) string { return t.Name })
	v.Acronym = textIn(p, l.Lang, func(t partner.Text) string { return t.Acronym })
	v.Mandate = textIn(p, l.Lang, func(t partner.Text) string { return t.Mandate })
	v.Strategy = textIn(p, l.Lang, func(t partner.Text) string { return t.Strategy })
	v.Title = v.Name.Text
	v.Type, v.Membership = lb.code(reference.ListPartnerType, p.Type), lb.code(reference.ListMembership, p.Membership)
	v.Status, v.Country = l.T("partner.status."+p.Status), lb.code(reference.ListCountry, p.Country)
	v.Website = p.Website
	for _, c := range p.ActionAreas {
		v.ActionAreas = append(v.ActionAreas, lb.code(reference.ListActionArea, c))
	}
	for _, c := range p.Regions {
		v.Regions = append(v.Regions, lb.code(reference.ListRegion, c))
	}
	for _, c := range p.Countries {
		v.Countries = append(v.Countries, lb.code(reference.ListCountry, c))
	}
	for _, c := range p.FinancingTypes {
		v.FinancingTypes = append(v.FinancingTypes, lb.code(reference.ListFinancingType, c))
	}
	v.Contacts = p.Contacts
	regions, err := s.db.CountryRegions(ctx)
	if err != nil {
		return v, err
	}
	v.CanEdit = partner.CanEdit(currentUser(r), p, func(c string) string { return regions[c] })
	switch r.URL.Query().Get("saved") {
	case "1":
		v.Notice = l.T("form.saved")
	case "merged":
		v.Notice = l.T("partner.merge.done")
	}

	if p.ParentID != 0 {
		parent, err := s.db.PartnerByID(ctx, p.ParentID)
		if err != nil {
			return v, err
		}
		v.Parent = &link{URL: "/partners/" + parent.Key, Text: parent.Name(l.Lang)}
	}
	family, err := s.db.PartnerFamily(ctx, p.ID)
	if err != nil {
		return v, err
	}
	names := map[int64]string{p.ID: v.Name.Text}
	for _, id := range family[1:] {
		child, err := s.db.PartnerByID(ctx, id)
		if err != nil {
			return v, err
		}
		names[id] = child.Name(l.Lang)
		if child.ParentID == p.ID {
			v.Children = append(v.Children, link{URL: "/partners/" + child.Key, Text: names[id]})
		}
	}
	if len(family) > 1 {
		v.FamilyNote = l.N("partner.family_note", len(family)-1)
	}
	if p.OwnerID != 0 {
		if owner, err := s.db.UserByID(ctx, p.OwnerID); err == nil {
			v.Owner = owner.Name()
		}
	}

	if err := s.fillDueDiligence(r, &v, lb); err != nil {
		return v, err
	}
	if err := s.fillInvolvement(r, &v, lb, family, names); err != nil {
		return v, err
	}
	return v, s.fillRelationship(r, &v, lb, family)
}

func (s *Server) fillDueDiligence(r *http.Request, v *partnerView, lb labeller) error {
	ctx := r.Context()
	l := lb.l
	dd, err := s.db.DueDiligenceOf(ctx, v.P.ID)
	if err != nil {
		return err
	}
	v.DD = dd
	v.DDStatus = ddLabel(l, "")
	if dd != nil {
		v.DDStatus = ddLabel(l, dd.Status)
		if dd.RiskRating != "" {
			v.DDRisk = l.T("partner.dd.risk." + dd.RiskRating)
		}
		if dd.ReviewerID != 0 {
			if u, err := s.db.UserByID(ctx, dd.ReviewerID); err == nil {
				v.DDReviewer = u.Name()
			}
		}
		v.DDReviewed, v.DDRecheck = l.Date(dd.ReviewedOn), l.Date(dd.RecheckOn)
		docs, err := s.db.Documents(ctx, document.OwnerDueDiligence, v.P.ID)
		if err != nil {
			return err
		}
		for _, d := range docs {
			v.DDDocuments = append(v.DDDocuments, documentRow{ID: d.ID, Name: d.Filename, Version: d.Version,
				Size: l.N("document.kilobytes", (d.Size+1023)/1024), Uploaded: l.Date(civil.Of(d.UploadedAt)), Uploader: d.UploaderName,
				Digest: d.SHA256[:12]})
		}
	}
	if partner.NeedsDueDiligence(v.P.Type) {
		if c := partner.ConcernOn(dd, civil.Of(time.Now())); c != "" {
			v.DDConcern = l.T("partner.dd.concern." + string(c))
		}
	}
	return nil
}

func (s *Server) fillInvolvement(r *http.Request, v *partnerView, lb labeller, family []int64, names map[int64]string) error {
	l := lb.l
	inv, err := s.db.Involvement(r.Context(), family, l.Lang, 15)
	if err != nil {
		return err
	}
	v.AgreementCount, v.AmendmentCount, v.Value = inv.Agreements, inv.Amendments, l.Money(inv.ValueUSD, "USD")
	contributions, err := s.db.Contributions(r.Context(), family)
	if err != nil {
		return err
	}
	if contributions.USD.Pledged > 0 {
		money := newMoneyView(l, contributions)
		v.Money = &money
	}
	ids := make([]string, len(family))
	for i, id := range family {
		ids[i] = idString(id)
	}
	v.AgreementsURL = "/agreements?partner=" + strings.Join(ids, "&partner=")
	format := func(f float64) string { return l.Decimal(f, 1) }
	rtl := l.Dir() == "rtl"
	bars := func(shares []partner.Share, label func(string) string) []chart.Bar {
		var list []chart.Bar
		for _, sh := range shares {
			list = append(list, chart.Bar{Label: label(sh.Key), Value: sh.Agreements})
		}
		return list
	}
	if len(inv.ByYear) > 0 {
		v.ChartYears = chart.Chart{Title: l.T("partner.chart.years"), Bars: bars(inv.ByYear, func(k string) string { return k }),
			Format: format, RTL: rtl, Width: 480, Height: 200, ID: "years"}.SVG()
		v.ChartAreas = chart.Chart{Title: l.T("partner.chart.areas"), Horizontal: true, Width: 480, ID: "areas",
			Bars: bars(inv.ByArea, func(k string) string { return lb.code(reference.ListActionArea, k) }), Format: format, RTL: rtl}.SVG()
		v.ChartRegions = chart.Chart{Title: l.T("partner.chart.regions"), Horizontal: true, Width: 480, ID: "regions",
			Bars: bars(inv.ByRegion, func(k string) string { return lb.code(reference.ListRegion, k) }), Format: format, RTL: rtl}.SVG()
	}
	u := currentUser(r)
	for _, a := range inv.Recent {
		if !agreement.CanSee(u, &agreement.Agreement{Confidential: a.Confidential, OfficerID: a.OfficerID}) {
			continue // the agreements' rule of confidentiality, on the fields it reads
		}
		row := agreementRow{Reference: a.Reference, Title: a.Title, Type: lb.code(reference.ListAgreementType, a.Type),
			Status: l.T("agreement.status." + a.Status), Signed: l.Date(a.SignedOn), Value: l.Money(a.ValueUSD, "USD")}
		if a.PartnerID != v.P.ID {
			row.Party = names[a.PartnerID]
		}
		v.Recent = append(v.Recent, row)
		v.Timeline = append(v.Timeline, timelineItem{Date: row.Signed, sortKey: a.SignedOn, Kind: l.T("partner.timeline.agreement"),
			Text: a.Reference + " · " + a.Title})
	}
	return nil
}

func (s *Server) fillRelationship(r *http.Request, v *partnerView, lb labeller, family []int64) error {
	ctx := r.Context()
	l := lb.l
	lines, err := s.db.PartnerInteractions(ctx, family, 20)
	if err != nil {
		return err
	}
	for _, in := range lines {
		row := interactionRow{ID: in.ID, Date: l.Date(in.OccurredOn), Type: l.T("interaction.type." + in.Type), Subject: in.Subject,
			Outcome: in.Outcome, OpenFollowUps: in.OpenFollow}
		v.Interactions = append(v.Interactions, row)
		v.Timeline = append(v.Timeline, timelineItem{Date: row.Date, sortKey: in.OccurredOn, Kind: row.Type, Text: in.Subject,
			URL: "/interactions/" + strconv.FormatInt(in.ID, 10)})
	}
	follow, err := s.db.OpenFollowUpsOfPartners(ctx, family)
	if err != nil {
		return err
	}
	v.FollowUps = followUpRows(l, follow)
	recs, err := s.db.Recognitions(ctx, family)
	if err != nil {
		return err
	}
	for _, rc := range recs {
		row := recognitionRow{Title: rc.Title, Event: rc.Event, Date: l.Date(rc.AwardedOn), Description: rc.Description}
		v.Recognitions = append(v.Recognitions, row)
		v.Timeline = append(v.Timeline, timelineItem{Date: row.Date, sortKey: rc.AwardedOn, Kind: l.T("partner.timeline.recognition"), Text: rc.Title})
	}
	sort.SliceStable(v.Timeline, func(i, j int) bool { return v.Timeline[i].sortKey.After(v.Timeline[j].sortKey) })
	if len(v.Timeline) > 30 {
		v.Timeline = v.Timeline[:30]
	}
	return nil
}

func followUpRows(l *i18n.Localizer, list []interaction.FollowUp) []followUpRow {
	today := civil.Of(time.Now())
	var rows []followUpRow
	for _, f := range list {
		row := followUpRow{ID: f.ID, InteractionID: f.InteractionID, Description: f.Description, Due: l.Date(f.DueOn),
			Assignee: f.AssigneeName, Subject: f.Subject, Overdue: f.Overdue(today), Open: f.Status == interaction.StatusOpen, Version: f.Version}
		for i := range f.PartnerKeys {
			row.Partners = append(row.Partners, link{URL: "/partners/" + f.PartnerKeys[i], Text: f.PartnerNames[i]})
		}
		rows = append(rows, row)
	}
	return rows
}
