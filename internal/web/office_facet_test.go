package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pactum/internal/agreement"
	"pactum/internal/user"
)

var (
	// registryLine finds the reference of each line of the registry.
	registryLine = regexp.MustCompile(`<th scope="row"><a href="/agreements/([^"]+)"`)
	// registryLink finds the dashboard's links to the registry.
	registryLink = regexp.MustCompile(`href="(/agreements\?[^"]*)"`)
)

// The dashboard filtered by an office links its bars to the registry of that office, which lists
// exactly the agreements behind the bar; the API and the export take the same filter.
func TestDashboardOfAnOfficeLinksToThatOfficesAgreements(t *testing.T) {
	app := newTestApp(t, demoData.OpenSQLite(t))
	c := app.sessionClient(user.RoleAdmin)
	token := app.token(user.RoleAdmin)

	// The agreements of 2015 by office, read one by one.
	byOffice, total := map[string][]string{}, 0
	err := app.db.ForEachAgreement(context.Background(), agreement.Filter{AllConfidential: true}, func(a *agreement.Agreement) error {
		if a.SignedOn.Year == 2015 {
			byOffice[a.Office] = append(byOffice[a.Office], a.Reference)
			total++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, office := range []string{"AFR", "HQ"} {
		want := byOffice[office]
		slices.Sort(want)
		if len(want) == 0 || len(want) == total {
			t.Fatalf("the demo's 2015 agreements of %s: %d, want some and not all", office, len(want))
		}
		t.Logf("%s: %d of the %d agreements of 2015", office, len(want), total)

		// The dashboard counts them (new agreements and amendments) and links its 2015 bar to them.
		var figures []string
		for _, line := range csvLines(t, app, c, "/insights/export?panel=years&format=csv&from=2014&to=2017&office="+office) {
			if strings.HasPrefix(line, "2015,") {
				figures = strings.Split(line, ",")
			}
		}
		if len(figures) < 3 {
			t.Fatalf("%s: the years download has no 2015 line", office)
		}
		newOnes, _ := strconv.ParseFloat(figures[1], 64)
		amendments, _ := strconv.ParseFloat(figures[2], 64)
		if int(newOnes+amendments) != len(want) {
			t.Errorf("%s: the dashboard counts %v new agreements and %v amendments in 2015, the registry holds %d",
				office, newOnes, amendments, len(want))
		}
		_, body := app.get(c, "/insights?from=2014&to=2017&office="+office)
		link := "/agreements?office=" + office + "&year=2015"
		if !strings.Contains(body, `href="`+html.EscapeString(link)+`"`) {
			t.Fatalf("%s: the dashboard has no link %s", office, link)
		}
		for _, m := range registryLink.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(html.UnescapeString(m[1]), "office="+office) {
				t.Errorf("%s: the dashboard links to the registry without the office: %s", office, m[1])
			}
		}

		// The registry opened from the bar lists exactly those agreements, page after page.
		_, body = app.get(c, link)
		if m := resultCount.FindStringSubmatch(body); m == nil || strings.TrimSpace(m[1]) != strconv.Itoa(len(want))+" agreements" {
			t.Errorf("%s: the registry says %v, want %d agreements", office, m, len(want))
		}
		var listed []string
		for page := 1; page <= lastPage(len(want), agreementsPerPage); page++ {
			_, body = app.get(c, link+"&page="+strconv.Itoa(page))
			for _, m := range registryLine.FindAllStringSubmatch(body, -1) {
				listed = append(listed, html.UnescapeString(m[1]))
			}
		}
		slices.Sort(listed)
		equalStrings(t, office+": the registry's agreements", listed, want)

		// The API and the export select the same.
		resp, raw := app.get(http.DefaultClient, "/api/v1/"+strings.TrimPrefix(link, "/")+"&per_page=500", "Authorization", "Bearer "+token)
		var list struct {
			Total  int
			Items  []struct{ Reference string }
			Facets map[string][]struct {
				Code  string
				Count int
			}
		}
		if err := json.Unmarshal([]byte(raw), &list); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: API %d %v", office, resp.StatusCode, err)
		}
		var fromAPI []string
		for _, it := range list.Items {
			fromAPI = append(fromAPI, it.Reference)
		}
		slices.Sort(fromAPI)
		equalStrings(t, office+": the API's agreements", fromAPI, want)
		officeCounts := map[string]int{}
		for _, fc := range list.Facets[agreement.FacetOffice] {
			officeCounts[fc.Code] = fc.Count
		}
		for code, refs := range byOffice {
			if code != "" && officeCounts[code] != len(refs) {
				t.Errorf("%s: the API counts %d agreements of 2015 at office %s, want %d", office, officeCounts[code], code, len(refs))
			}
		}
		var exported []string
		for _, row := range exportedRows(t, app, c, "office="+office+"&year=2015") {
			if row["office"] != office {
				t.Errorf("%s: exported %s of office %q", office, row["reference"], row["office"])
			}
			exported = append(exported, row["reference"])
		}
		slices.Sort(exported)
		equalStrings(t, office+": exported", exported, want)
	}

	// The facet is labelled in the reader's language, the chosen office checked.
	for lang, texts := range map[string][]string{
		"fr": {"<legend>Bureau gestionnaire</legend>", `name="office" value="AFR" checked> <span dir="auto">Afrique</span>`,
			`name="office" value="HQ"> <span dir="auto">Siège</span>`},
		"ar": {"<legend>المكتب المسؤول</legend>", `name="office" value="AFR" checked> <span dir="auto">أفريقيا</span>`,
			`name="office" value="HQ"> <span dir="auto">المقر الرئيسي</span>`},
	} {
		_, body := app.get(c, "/agreements?office=AFR&lang="+lang)
		for _, text := range texts {
			if !strings.Contains(body, text) {
				t.Errorf("%s: the registry of Africa's office lacks %s", lang, text)
			}
		}
	}
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %d %v\nwant %d %v", what, len(got), got, len(want), want)
	}
}
