package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"

	"pactum/internal/civil"
	"pactum/internal/interaction"
	"pactum/internal/partner"
	"pactum/internal/reference"
	"pactum/internal/search"
	"pactum/internal/store"
	"pactum/internal/user"
)

// staff are the demo colleagues: partnership officers at headquarters and in the regions, who
// own relationships, take part in meetings and are assigned follow-ups.
var staff = []struct {
	username, name, email, region string
	role                          user.Role
	language                      string
}{
	{"carlos.mendes", "Carlos Mendes", "carlos.mendes@bureau.example", "", user.RoleOfficer, "es"},
	{"helen.okafor", "Helen Okafor", "helen.okafor@bureau.example", "", user.RoleOfficer, "en"},
	{"li.wei", "李伟", "li.wei@bureau.example", "", user.RoleOfficer, "zh"},
	{"amina.diallo", "Amina Diallo", "amina.diallo@bureau.example", reference.RegionAFR, user.RoleRegionalOfficer, "fr"},
	{"samir.haddad", "سمير حداد", "samir.haddad@bureau.example", reference.RegionARB, user.RoleRegionalOfficer, "ar"},
	{"irina.volkova", "Ирина Волкова", "irina.volkova@bureau.example", reference.RegionCIS, user.RoleRegionalOfficer, "ru"},
	{"lucia.ramirez", "Lucía Ramírez", "lucia.ramirez@bureau.example", reference.RegionAMS, user.RoleRegionalOfficer, "es"},
	{"anand.kumar", "Anand Kumar", "anand.kumar@bureau.example", reference.RegionASP, user.RoleRegionalOfficer, "en"},
	{"marie.dubois", "Marie Dubois", "marie.dubois@bureau.example", reference.RegionEUR, user.RoleRegionalOfficer, "fr"},
	{"director", "Bureau Director", "director@bureau.example", "", user.RoleViewer, "en"},
}

// personNames are given names and family names by region, for the partners' contacts.
var personNames = map[string][2][]string{
	reference.RegionAFR: {{"Aminata", "Kwame", "Nia", "Tendai", "Fatou", "Jabari", "Zanele", "Moussa", "Ama", "Kofi"}, {"Ndiaye", "Mensah", "Okonkwo", "Dlamini", "Traoré", "Mwangi", "Banda", "Kamara", "Osei", "Abebe"}},
	reference.RegionAMS: {{"Mariana", "Diego", "Camila", "Mateo", "Valentina", "Jorge", "Gabriela", "Andrés", "Sofía", "Emily"}, {"González", "Silva", "Rojas", "Pereira", "Hernández", "Castillo", "Morales", "Costa", "Vargas", "Brown"}},
	reference.RegionARB: {{"Layla", "Omar", "Yasmin", "Khalid", "Noor", "Youssef", "Rania", "Tariq", "Salma", "Hassan"}, {"Al-Farsi", "Haddad", "Mansour", "El-Sayed", "Khoury", "Benali", "Nasser", "Hamdan", "Aziz", "Saleh"}},
	reference.RegionASP: {{"Mei", "Hiroshi", "Priya", "Minh", "Siti", "Ji-woo", "Arjun", "Ananya", "Tevita", "Liang"}, {"Chen", "Tanaka", "Sharma", "Nguyen", "Rahman", "Kim", "Patel", "Santos", "Fifita", "Zhang"}},
	reference.RegionCIS: {{"Aigerim", "Dmitry", "Nodira", "Sergey", "Gulnara", "Armen", "Olga", "Rustam", "Elena", "Timur"}, {"Nurlanovna", "Ivanov", "Karimova", "Petrov", "Aliyeva", "Sargsyan", "Smirnova", "Tashkentov", "Popova", "Bekov"}},
	reference.RegionEUR: {{"Anna", "Lukas", "Sophie", "Marco", "Ingrid", "Pierre", "Elena", "Jan", "Claire", "Tomás"}, {"Müller", "Rossi", "Dupont", "Novak", "Larsen", "Fischer", "Costa", "Kowalski", "Martin", "Horvat"}},
}

var contactTitles = []string{"Director of Partnerships", "Head of International Cooperation", "Programme Manager", "Senior Adviser",
	"Chief Executive Officer", "Head of Digital Development", "Grants Officer", "Deputy Director-General"}

// interactionTopics are what partners and officers talk about, by interaction type.
var interactionSubjects = map[string][]string{
	interaction.TypeBilateral:   {"Bilateral meeting on %s", "Courtesy visit and discussion of %s", "Working lunch on %s"},
	interaction.TypeBureauEvent: {"Meeting on the margins of WTDC-17 on %s", "Side event of GSR-17: %s", "Discussion at the bureau's 25th anniversary on %s"},
	interaction.TypeExternal:    {"Meeting at the WSIS Forum on %s", "Meeting at Mobile World Congress on %s", "Meeting at the Internet Governance Forum on %s"},
	interaction.TypeCall:        {"Call on %s", "Video conference on %s", "Call to prepare the renewal on %s"},
	interaction.TypeEmail:       {"E-mail exchange on %s", "Correspondence about %s"},
	interaction.TypeMission:     {"Mission to headquarters on %s", "Field visit on %s", "Strategic mission on %s"},
}

var outcomes = []string{
	"Agreed to prepare a draft project document.", "The partner will confirm its contribution after its board meets.",
	"Both sides will exchange contacts of technical focal points.", "The partner is interested in co-financing a regional initiative.",
	"A follow-up meeting will be scheduled next quarter.", "The partner asked for a concept note and a budget.",
	"No new commitment; the relationship stays warm.", "The partner will sponsor a side event.",
}

var followUpTexts = []string{"Send the concept note", "Share the draft budget", "Prepare the amendment for added funds",
	"Introduce the technical focal point", "Send the thank-you letter", "Propose dates for the next meeting",
	"Check the due-diligence documents", "Send the sponsorship packages"}

// team is the demo's staff as stored: the officers (headquarters first) and the regional
// officer of each region.
type team struct {
	officers []int64
	byRegion map[string]int64
}

// createStaff stores the demo colleagues.
func createStaff(ctx context.Context, db *store.DB, today civil.Date) (*team, error) {
	t := &team{byRegion: map[string]int64{}}
	for _, s := range staff {
		u := &user.User{Username: s.username, DisplayName: s.name, Email: s.email, Role: s.role, Region: s.region,
			Language: s.language, Active: true, PasswordHash: unusablePassword(), EmailVerifiedAt: today.Time()}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("demo staff %s: %w", s.username, err)
		}
		if s.role != user.RoleViewer {
			t.officers = append(t.officers, u.ID)
		}
		if s.region != "" {
			t.byRegion[s.region] = u.ID
		}
	}
	return t, nil
}

// relationsFor adds the relationship layer of the demo: owners of relationships, contacts, due
// diligence, interactions with follow-ups, and the recognitions of the 25th anniversary. It runs
// after the staff, partners and agreements are stored.
func relationsFor(ctx context.Context, db *store.DB, partners []*partner.Partner, today civil.Date, seed uint64, team *team) error {
	rng := rand.New(rand.NewPCG(seed, 25))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	staffIDs, staffByRegion := team.officers, team.byRegion
	countries, err := reference.DefaultCountries()
	if err != nil {
		return err
	}
	regionOf := map[string]string{}
	for _, c := range countries {
		regionOf[c.Code] = c.Region
	}

	// Owners, contacts and due diligence.
	for _, p := range partners {
		region := regionOf[p.Country]
		if region == "" {
			region = reference.RegionEUR
		}
		owner := staffIDs[rng.IntN(3)] // a headquarters officer
		if id, ok := staffByRegion[region]; ok && rng.IntN(3) > 0 {
			owner = id
		}
		p.OwnerID = owner
		if err := db.UpdatePartner(ctx, p); err != nil {
			return fmt.Errorf("demo owner of %s: %w", p.Key, err)
		}
		domain := "example.org"
		if u, err := url.Parse(p.Website); err == nil && u.Hostname() != "" {
			domain = strings.TrimPrefix(u.Hostname(), "www.")
		}
		names := personNames[region]
		for i := range 1 + rng.IntN(3) {
			given, family := pick(names[0]), pick(names[1])
			local := strings.ReplaceAll(search.Fold(given)+"."+search.Fold(family), " ", "-")
			c := partner.Contact{Name: given + " " + family, Title: pick(contactTitles), Email: local + "@" + domain,
				Phone:    fmt.Sprintf("+%d %03d %04d", 20+rng.IntN(80), rng.IntN(1000), rng.IntN(10000)),
				Language: languageOfRegion(region), Primary: i == 0}
			if err := db.AddContact(ctx, p.Key, &c); err != nil {
				return fmt.Errorf("demo contact of %s: %w", p.Key, err)
			}
		}
		if partner.NeedsDueDiligence(p.Type) {
			dd := demoDueDiligence(rng, today, staffIDs)
			if err := db.SaveDueDiligence(ctx, p.Key, dd); err != nil {
				return fmt.Errorf("demo due diligence of %s: %w", p.Key, err)
			}
		}
	}

	// Interactions from 2014 on with active and dormant partners.
	var candidates []*partner.Partner
	for _, p := range partners {
		if p.Status != partner.StatusProspect || rng.IntN(2) == 0 {
			candidates = append(candidates, p)
		}
	}
	var list []*interaction.Interaction
	areas := actionAreaCodes()
	start := civil.Date{Year: 2014, Month: 1, Day: 1}
	span := int(today.Time().Sub(start.Time()).Hours() / 24)
	for range 420 {
		p := candidates[rng.IntN(len(candidates))]
		full, err := db.PartnerByKey(ctx, p.Key)
		if err != nil {
			return err
		}
		typ := interaction.Types[rng.IntN(len(interaction.Types))]
		topic := topics[pick(areas)][0]["en"]
		if len(p.ActionAreas) > 0 {
			topic = topics[pick(p.ActionAreas)][0]["en"]
		}
		on := start.AddDays(rng.IntN(span + 1))
		in := &interaction.Interaction{Type: typ, OccurredOn: on, Subject: fmt.Sprintf(pick(interactionSubjects[typ]), topic),
			Summary: fmt.Sprintf("%s and the bureau reviewed their cooperation on %s and the priorities of the coming year.", p.Name("en"), topic),
			Outcome: pick(outcomes), PartnerIDs: []int64{full.ID}, StaffIDs: []int64{full.OwnerID}, CreatedBy: full.OwnerID}
		if len(full.Contacts) > 0 {
			in.ContactIDs = []int64{full.Contacts[0].ID}
		}
		switch typ {
		case interaction.TypeBureauEvent:
			in.Event, in.Place = "WTDC-17", "Buenos Aires"
		case interaction.TypeExternal:
			in.Event, in.Place = "WSIS Forum", "Geneva"
		case interaction.TypeMission, interaction.TypeBilateral:
			in.Place = countryName(countries, full.Country)
		}
		// Recent interactions lead to follow-ups: some done, some open, some overdue.
		if on.After(today.AddDays(-400)) && rng.IntN(2) == 0 {
			due := on.AddDays(14 + rng.IntN(60))
			status := interaction.StatusOpen
			if due.Before(today.AddDays(-30)) && rng.IntN(3) > 0 {
				status = interaction.StatusDone
			}
			in.FollowUps = []interaction.FollowUp{{Description: pick(followUpTexts), AssigneeID: full.OwnerID, DueOn: due, Status: status}}
		}
		list = append(list, in)
	}
	slices.SortStableFunc(list, func(a, b *interaction.Interaction) int { return a.OccurredOn.Time().Compare(b.OccurredOn.Time()) })
	if err := db.CreateInteractions(ctx, list); err != nil {
		return fmt.Errorf("demo interactions: %w", err)
	}

	// The bureau's 25th anniversary, celebrated at WTDC-17, recognised its long-standing partners.
	var recognitions []partner.Recognition
	ranked := slices.Clone(partners)
	slices.SortStableFunc(ranked, func(a, b *partner.Partner) int { return strings.Compare(a.Key, b.Key) })
	for _, p := range ranked {
		full, err := db.PartnerByKey(ctx, p.Key)
		if err != nil {
			return err
		}
		if full.AgreementCount >= 12 && len(recognitions) < 12 {
			recognitions = append(recognitions, partner.Recognition{PartnerID: full.ID, Title: "25th anniversary award: long-standing partner",
				Event: "25th anniversary of the bureau, WTDC-17, Buenos Aires", AwardedOn: civil.MustParse("2017-10-09"),
				Description: fmt.Sprintf("Recognised for %d agreements with the bureau since 2006.", full.AgreementCount)})
		}
	}
	return db.AddRecognitions(ctx, recognitions)
}

// unusablePassword is the hash of a random password: demo colleagues cannot sign in until an
// administrator sets a password for them or invites them again. It is made when the demo is,
// not at every start of every command.
var unusablePassword = sync.OnceValue(func() string {
	h, err := user.HashPassword(context.Background(), user.NewPassword())
	if err != nil {
		panic(err)
	}
	return h
})

func demoDueDiligence(rng *rand.Rand, today civil.Date, reviewers []int64) *partner.DueDiligence {
	statuses := []string{partner.DDCleared, partner.DDCleared, partner.DDCleared, partner.DDClearedWithConditions, partner.DDInProgress,
		partner.DDNotStarted, partner.DDNotCleared}
	d := &partner.DueDiligence{Status: statuses[rng.IntN(len(statuses))], ReviewerID: reviewers[rng.IntN(len(reviewers))]}
	if d.Status != partner.DDNotStarted {
		d.ReviewedOn = today.AddDays(-rng.IntN(1500))
		d.RiskRating = partner.RiskRatings[rng.IntN(len(partner.RiskRatings))]
	}
	if d.Status == partner.DDCleared || d.Status == partner.DDClearedWithConditions {
		d.RecheckOn = d.ReviewedOn.AddDays(730) // two years; some are now past
	}
	if d.Status == partner.DDClearedWithConditions {
		d.Notes = "Cleared on condition that the partner's name is not used in product marketing."
	}
	return d
}

func languageOfRegion(region string) string {
	switch region {
	case reference.RegionARB:
		return "ar"
	case reference.RegionCIS:
		return "ru"
	case reference.RegionAMS:
		return "es"
	}
	return "en"
}

func countryName(countries []reference.Country, code string) string {
	for _, c := range countries {
		if c.Code == code {
			return c.Names["en"]
		}
	}
	return ""
}
