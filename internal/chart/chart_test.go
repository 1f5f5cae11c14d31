package chart

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// node is a parsed SVG element.
type node struct {
	Name     string
	Attr     map[string]string
	Text     string // character data directly inside
	Children []*node
	Parent   *node
}

// parse checks that svg is well-formed XML and returns its root element.
func parse(t *testing.T, svg string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	var root, cur *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attr: map[string]string{}, Parent: cur}
			for _, a := range tok.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if cur == nil {
				if root != nil {
					t.Fatalf("two root elements")
				}
				root = n
			} else {
				cur.Children = append(cur.Children, n)
			}
			cur = n
		case xml.EndElement:
			cur = cur.Parent
		case xml.CharData:
			if cur != nil {
				cur.Text += string(tok)
			}
		}
	}
	if root == nil || root.Name != "svg" {
		t.Fatalf("root is not <svg>: %s", svg)
	}
	return root
}

// all returns the elements named name, in document order.
func (n *node) all(name string) []*node {
	var out []*node
	var walk func(*node)
	walk = func(n *node) {
		if n.Name == name {
			out = append(out, n)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) child(name string) *node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (n *node) f(t *testing.T, attr string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.Attr[attr], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.Name, attr, n.Attr[attr], err)
	}
	return v
}

// bars returns the first-series bars.
func bars(root *node) []*node {
	var out []*node
	for _, r := range root.all("rect") {
		if r.Attr["class"] == "bar" && r.Parent.Attr["class"] != "legend" {
			out = append(out, r)
		}
	}
	return out
}

func plain(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var years = []Bar{
	{Label: "2014", Value: 42, Second: 8, Href: "/agreements?year=2014"},
	{Label: "2015", Value: 68, Second: 9, Href: "/agreements?year=2015"},
	{Label: "2016", Value: 29, Second: 10, Href: "/agreements?year=2016"},
	{Label: "2017", Value: 58, Second: 8, Href: "/agreements?year=2017"},
}

var regions = []Bar{
	{Label: "Africa", Value: 27.5}, {Label: "Americas", Value: 26}, {Label: "Arab States", Value: 17},
	{Label: "Asia-Pacific", Value: 42}, {Label: "CIS", Value: 5}, {Label: "Europe", Value: 10.5},
	{Label: "Global", Value: 69},
}

// variety is a set of charts covering the layouts and the awkward data.
func variety() map[string]Chart {
	fifty := make([]Bar, 50)
	for i := range fifty {
		fifty[i] = Bar{Label: fmt.Sprintf("Category number %d with a long name", i), Value: float64(i * i)}
	}
	odd := []Bar{{Label: "nan", Value: math.NaN()}, {Label: "inf", Value: math.Inf(1)}, {Label: "-inf", Value: math.Inf(-1)}, {Label: "neg", Value: -5}, {Label: "one", Value: 1}}
	charts := map[string]Chart{
		"years":         {Title: "New agreements per year", Bars: years, SeriesNames: [2]string{"New", "Amendments"}, Format: plain},
		"years-rtl":     {Title: "الاتفاقات الجديدة", Bars: years, SeriesNames: [2]string{"جديدة", "تعديلات"}, RTL: true, Format: plain},
		"regions":       {Title: "Regions", Bars: regions, Horizontal: true, Format: plain},
		"regions-rtl":   {Title: "المناطق", Bars: regions, Horizontal: true, RTL: true, Format: plain},
		"regions-two":   {Title: "Pledged and received", Bars: years, Horizontal: true, SeriesNames: [2]string{"Pledged", "Received"}},
		"empty":         {Title: "Nothing"},
		"empty-h":       {Title: "Nothing", Horizontal: true},
		"zero":          {Title: "Zeros", Bars: []Bar{{Label: "a"}, {Label: "b"}}},
		"zero-h":        {Title: "Zeros", Bars: []Bar{{Label: "a"}, {Label: "b"}}, Horizontal: true},
		"single":        {Title: "One", Bars: []Bar{{Label: "only", Value: 3}}},
		"single-h":      {Title: "One", Bars: []Bar{{Label: "only", Value: 3}}, Horizontal: true},
		"fifty":         {Title: "Fifty", Bars: fifty},
		"fifty-h":       {Title: "Fifty", Bars: fifty, Horizontal: true, RTL: true},
		"odd":           {Title: "Odd", Bars: odd},
		"odd-h":         {Title: "Odd", Bars: odd, Horizontal: true},
		"small":         {Title: "Small", Bars: regions, Horizontal: true, Width: 50, Height: 20},
		"small-v":       {Title: "Small", Bars: fifty, Width: 30, Height: 10},
		"spark":         {Title: "Agreements by year", Bars: years},
		"spark-rtl":     {Title: "Agreements by year", Bars: years, RTL: true},
		"spark-empty":   {Title: "None"},
		"spark-odd":     {Title: "Odd", Bars: odd},
		"custom-id":     {Title: "Custom", Bars: regions, ID: "regions-chart"},
		"bad-id":        {Title: "Bad id", Bars: regions, ID: `x" onload="alert(1)`},
		"escaping":      {Title: `<script>alert("t")</script>`, Bars: []Bar{{Label: `R&D <b>"quoted"</b> 'single'`, Value: 1, Href: `/a?x=1&y="2"`, Title: `<i>&</i>`}}},
		"control-chars": {Title: "a\x00b\x1bc\ufffe", Bars: []Bar{{Label: "x\x00y\xff", Value: 2}}},
	}
	return charts
}

func render(name string, c Chart) string {
	if strings.HasPrefix(name, "spark") {
		return string(c.Spark())
	}
	return string(c.SVG())
}

func TestWellFormedAndSafe(t *testing.T) {
	for name, c := range variety() {
		t.Run(name, func(t *testing.T) {
			svg := render(name, c)
			root := parse(t, svg)
			if root.Attr["role"] != "img" && root.Attr["role"] != "group" {
				t.Errorf("role = %q", root.Attr["role"])
			}
			ids := map[string]bool{}
			var walk func(*node)
			walk = func(n *node) {
				if n.Name == "style" || n.Name == "script" || n.Name == "foreignObject" {
					t.Errorf("<%s> element", n.Name)
				}
				for a, v := range n.Attr {
					if a == "style" || strings.HasPrefix(a, "on") {
						t.Errorf("<%s %s=%q>", n.Name, a, v)
					}
					if a == "id" {
						if ids[v] {
							t.Errorf("duplicate id %q", v)
						}
						ids[v] = true
					}
				}
				for _, c := range n.Children {
					walk(c)
				}
			}
			walk(root)
			title, desc := root.child("title"), root.child("desc")
			if title == nil || desc == nil || root.Attr["aria-labelledby"] != title.Attr["id"] || root.Attr["aria-describedby"] != desc.Attr["id"] {
				t.Errorf("title/desc not linked: %s", svg)
			}
			if title != nil && title.Text != clean(c.Title) {
				t.Errorf("title = %q, want %q", title.Text, c.Title)
			}
			for _, u := range root.all("use") {
				t.Errorf("unexpected <use> %v", u.Attr)
			}
			for _, r := range root.all("rect") {
				for _, a := range []string{"x", "y", "width", "height"} {
					if v, ok := r.Attr[a]; ok {
						f := r.f(t, a)
						if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 && a != "x" {
							t.Errorf("rect %s=%s", a, v)
						}
					}
				}
			}
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
				t.Errorf("NaN or Inf in output")
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	seen := map[string]string{}
	for name, c := range variety() {
		a := render(name, c)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if b := render(name, c); b != a {
					t.Errorf("%s: output differs between renderings", name)
				}
			}()
		}
		wg.Wait()
		id := parse(t, a).child("title").Attr["id"]
		if other, ok := seen[id]; ok {
			t.Errorf("%s and %s share the id %q", name, other, id)
		}
		seen[id] = name
	}
	if id := parse(t, render("custom-id", variety()["custom-id"])).child("title").Attr["id"]; id != "regions-chart-t" {
		t.Errorf("custom id = %q", id)
	}
	if svg := render("bad-id", variety()["bad-id"]); strings.Contains(svg, "onload") {
		t.Errorf("unsafe id used: %s", svg)
	}
}

func TestDescListsEveryBar(t *testing.T) {
	root := parse(t, string(Chart{Title: "Regions", Bars: regions, Horizontal: true, Format: plain}.SVG()))
	want := "Africa: 27.5; Americas: 26; Arab States: 17; Asia-Pacific: 42; CIS: 5; Europe: 10.5; Global: 69"
	if got := root.child("desc").Text; got != want {
		t.Errorf("desc = %q, want %q", got, want)
	}
	root = parse(t, string(Chart{Title: "Years", Bars: years, SeriesNames: [2]string{"new", "amendments"}}.SVG()))
	desc := root.child("desc").Text
	for _, item := range []string{"2014: new 42, amendments 8", "2015: new 68, amendments 9", "2016: new 29, amendments 10", "2017: new 58, amendments 8"} {
		if !strings.Contains(desc, item) {
			t.Errorf("desc %q lacks %q", desc, item)
		}
	}
	// Each bar has its tooltip.
	for _, b := range bars(root) {
		title := b.Parent.child("title")
		if title == nil || !strings.HasPrefix(title.Text, b.Parent.all("text")[len(b.Parent.all("text"))-1].Text+":") {
			t.Errorf("bar without its title: %+v", b.Attr)
		}
	}
}

func TestProportional(t *testing.T) {
	h := parse(t, string(Chart{Title: "Regions", Bars: regions, Horizontal: true}.SVG()))
	hb := bars(h)
	if len(hb) != len(regions) {
		t.Fatalf("%d bars, want %d", len(hb), len(regions))
	}
	// Global 69 against Asia-Pacific 42.
	if r := hb[6].f(t, "width") / hb[3].f(t, "width"); math.Abs(r-69.0/42) > 0.005 {
		t.Errorf("horizontal ratio %v, want %v", r, 69.0/42)
	}
	v := parse(t, string(Chart{Title: "Years", Bars: years}.SVG()))
	vb := bars(v)
	if r := vb[1].f(t, "height") / vb[0].f(t, "height"); math.Abs(r-68.0/42) > 0.005 {
		t.Errorf("vertical ratio %v, want %v", r, 68.0/42)
	}
	// Columns stand on one baseline.
	for _, b := range vb {
		if bottom := b.f(t, "y") + b.f(t, "height"); math.Abs(bottom-(vb[0].f(t, "y")+vb[0].f(t, "height"))) > 0.01 {
			t.Errorf("column bottom %v", bottom)
		}
	}
	// A baseline and gridlines at 20, 40, 60, 80.
	if got := len(h.all("line")); got != 5 {
		t.Errorf("%d lines, want a baseline and gridlines", got)
	}
}

func TestRightToLeft(t *testing.T) {
	for _, rtl := range []bool{false, true} {
		c := Chart{Title: "Regions", Bars: regions, Horizontal: true, RTL: rtl, Width: 600}
		root := parse(t, string(c.SVG()))
		bs := bars(root)
		for _, b := range bs {
			start, end := b.f(t, "x"), b.f(t, "x")+b.f(t, "width")
			label := b.Parent.all("text")[0]
			lx := label.f(t, "x")
			if rtl {
				if math.Abs(end-(bs[0].f(t, "x")+bs[0].f(t, "width"))) > 0.01 || end < 300 {
					t.Errorf("RTL bar does not grow from the right: x=%v end=%v", start, end)
				}
				if lx < end || label.Attr["direction"] != "rtl" || label.Attr["text-anchor"] != "end" {
					t.Errorf("RTL label at %v, bar end %v, %v", lx, end, label.Attr)
				}
			} else {
				if math.Abs(start-bs[0].f(t, "x")) > 0.01 || start > 300 {
					t.Errorf("LTR bar does not grow from the left: x=%v", start)
				}
				if lx > start || label.Attr["direction"] != "" {
					t.Errorf("LTR label at %v, bar start %v", lx, start)
				}
			}
		}
		v := parse(t, string(Chart{Title: "Years", Bars: years, RTL: rtl}.SVG()))
		vb := bars(v)
		first, last := vb[0].f(t, "x"), vb[len(vb)-1].f(t, "x")
		if rtl != (first > last) {
			t.Errorf("rtl=%v: first category at %v, last at %v", rtl, first, last)
		}
	}
	// Mirroring is exact: LTR and RTL bars are reflections of each other.
	l := bars(parse(t, string(Chart{Title: "R", Bars: regions, Horizontal: true, Width: 600}.SVG())))
	r := bars(parse(t, string(Chart{Title: "R", Bars: regions, Horizontal: true, Width: 600, RTL: true}.SVG())))
	for i := range l {
		if d := 600 - (r[i].f(t, "x") + r[i].f(t, "width")) - l[i].f(t, "x"); math.Abs(d) > 0.02 {
			t.Errorf("bar %d not mirrored: %v", i, d)
		}
	}
}

func TestEscaping(t *testing.T) {
	c := variety()["escaping"]
	svg := string(c.SVG())
	for _, bad := range []string{"<script", "<b>", "<i>", `"quoted"`, `"2"`} {
		if strings.Contains(svg, bad) {
			t.Errorf("unescaped %q in %s", bad, svg)
		}
	}
	root := parse(t, svg)
	if got := root.child("title").Text; got != c.Title {
		t.Errorf("title %q", got)
	}
	a := root.all("a")
	if len(a) != 1 || a[0].Attr["href"] != `/a?x=1&y="2"` {
		t.Fatalf("link %v", a)
	}
	if got := a[0].child("title").Text; got != `<i>&</i>` {
		t.Errorf("bar title %q", got)
	}
	if got := root.child("desc").Text; got != `R&D <b>"quoted"</b> 'single': 1` {
		t.Errorf("desc %q", got)
	}
	for _, href := range []string{"javascript:alert(1)", " javascript:alert(1)", "JavaScript:x", "data:text/html,x", "vbscript:x"} {
		svg := string(Chart{Title: "x", Bars: []Bar{{Label: "a", Value: 1, Href: href}}}.SVG())
		if strings.Contains(svg, "<a ") || strings.Contains(strings.ToLower(svg), "script:") {
			t.Errorf("unsafe link %q kept: %s", href, svg)
		}
	}
	for _, href := range []string{"/agreements?region=AFR", "https://example.org/x", "?page=2", "mailto:a@example.org"} {
		root := parse(t, string(Chart{Title: "x", Bars: []Bar{{Label: "a", Value: 1, Href: href}}}.SVG()))
		if a := root.all("a"); len(a) != 1 || a[0].Attr["href"] != href || root.Attr["role"] != "group" {
			t.Errorf("link %q lost", href)
		}
	}
}

func TestTruncation(t *testing.T) {
	long := "Climate Change & e-Waste and a great many other words"
	for _, horizontal := range []bool{true, false} {
		root := parse(t, string(Chart{Title: "Areas", Bars: []Bar{{Label: long, Value: 2}, {Label: "Generic", Value: 29}}, Horizontal: horizontal, Width: 300}.SVG()))
		g := bars(root)[0].Parent
		drawn := ""
		for _, tx := range g.all("text") {
			if strings.HasSuffix(tx.Text, "…\u200e") {
				drawn = strings.TrimSuffix(tx.Text, "\u200e")
			}
		}
		if drawn == "" || !strings.HasPrefix(long, strings.TrimSuffix(drawn, "…")) {
			t.Errorf("horizontal=%v: long label not truncated: %q", horizontal, drawn)
		}
		if got := g.child("title").Text; got != long+": 2" {
			t.Errorf("title %q", got)
		}
	}
	if got := fit("漢字漢字漢字", 40, 10); got != "漢字漢…\u200e" {
		t.Errorf("CJK fit = %q", got)
	}
	// A combining mark stays with its letter.
	if got := fit("e\u0301e\u0301e\u0301e\u0301e\u0301", 20, 10); got != "e\u0301…\u200e" {
		t.Errorf("combining fit = %q", got)
	}
	// The ellipsis stays at the end of text written the other way from the chart.
	if got := fit("تطبيقات تكنولوجيا المعلومات", 60, 10); got != "تطبيقات…\u200f" {
		t.Errorf("Arabic fit = %q", got)
	}
	if got := fit("short", 100, 10); got != "short" {
		t.Errorf("fit shortened %q", got)
	}
}

func TestEdgeCases(t *testing.T) {
	// All zero: bars of no length, a baseline and a "0" tick only.
	root := parse(t, string(Chart{Title: "Z", Bars: []Bar{{Label: "a"}, {Label: "b"}}, Horizontal: true}.SVG()))
	for _, b := range bars(root) {
		if b.f(t, "width") != 0 {
			t.Errorf("zero bar has width %v", b.Attr["width"])
		}
	}
	// Negative values are clamped in the drawing but keep their value in the text.
	root = parse(t, string(Chart{Title: "N", Bars: []Bar{{Label: "neg", Value: -5}, {Label: "pos", Value: 10}}}.SVG()))
	bs := bars(root)
	if bs[0].f(t, "height") != 0 || bs[1].f(t, "height") <= 0 {
		t.Errorf("negative bar drawn: %v %v", bs[0].Attr, bs[1].Attr)
	}
	if got := root.child("desc").Text; got != "neg: -5; pos: 10" {
		t.Errorf("desc %q", got)
	}
	// NaN and infinities count as zero.
	root = parse(t, string(Chart{Title: "O", Bars: []Bar{{Label: "nan", Value: math.NaN()}, {Label: "inf", Value: math.Inf(1)}, {Label: "one", Value: 1}}}.SVG()))
	if got := root.child("desc").Text; got != "nan: 0; inf: 0; one: 1" {
		t.Errorf("desc %q", got)
	}
	// Fifty bars: all drawn, labels thinned out in the vertical layout.
	fifty := variety()["fifty"]
	root = parse(t, string(fifty.SVG()))
	if got := len(bars(root)); got != 50 {
		t.Errorf("%d bars, want 50", got)
	}
	if got := len(root.child("desc").Text); got == 0 {
		t.Errorf("empty desc")
	}
	// The spark draws one column per value and no text.
	spark := parse(t, string(Chart{Title: "S", Bars: years, Format: plain}.Spark()))
	if got := len(bars(spark)); got != 4 || len(spark.all("text")) != 0 || spark.Attr["width"] != "120" || spark.Attr["height"] != "32" {
		t.Errorf("spark: %d bars, %d texts, %v", got, len(spark.all("text")), spark.Attr)
	}
	sb := bars(spark)
	if r := sb[1].f(t, "height") / sb[0].f(t, "height"); math.Abs(r-68.0/42) > 0.01 {
		t.Errorf("spark ratio %v", r)
	}
	rs := bars(parse(t, string(Chart{Title: "S", Bars: years, RTL: true}.Spark())))
	if rs[0].f(t, "x") <= rs[3].f(t, "x") {
		t.Errorf("RTL spark does not start at the right")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		want string
	}{
		{197, "0 50 100 150 200"},
		{69, "0 20 40 60 80"},
		{36.6, "0 10 20 30 40"},
		{1, "0 0.2 0.4 0.6 0.8 1"},
		{0.3, "0 0.1 0.2 0.3"},
		{0.7, "0 0.2 0.4 0.6 0.8"},
		{10.1, "0 2.5 5 7.5 10 12.5"},
		{329590, "0 100000 200000 300000 400000"},
		{3, "0 1 2 3"},
		{0, "0"},
		{-4, "0"},
		{math.NaN(), "0"},
	} {
		ticks := niceTicks(tc.max)
		s := make([]string, len(ticks))
		for i, v := range ticks {
			s[i] = plain(v)
		}
		if got := strings.Join(s, " "); got != tc.want {
			t.Errorf("niceTicks(%v) = %s, want %s", tc.max, got, tc.want)
		}
	}
	// Three to five steps above zero, whatever the range.
	for max := 0.001; max < 1e9; max *= 1.37 {
		ticks := niceTicks(max)
		if n := len(ticks) - 1; n < 3 || n > 5 || ticks[n] < max {
			t.Errorf("niceTicks(%v) = %v", max, ticks)
		}
	}
}

// TestContrast checks the colours against white: 4.5:1 for text, 3:1 for bars (WCAG 1.4.3,
// 1.4.11).
func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		colour string
		min    float64
	}{{inkColor, 4.5}, {mutedColor, 4.5}, {firstColor, 3}, {secondColor, 3}} {
		if r := contrast(tc.colour, "#ffffff"); r < tc.min {
			t.Errorf("%s on white: %.2f:1, want %v:1", tc.colour, r, tc.min)
		}
	}
	if r := contrast(firstColor, secondColor); r < 1.2 {
		t.Errorf("series too alike: %.2f", r)
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, k := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += k * c
	}
	return l
}

func ExampleChart_SVG() {
	// In a handler: l := bundle.Localizer(lang); Format: func(v float64) string { return l.Decimal(v, 1) },
	// RTL: l.Dir() == "rtl". The page puts the result in its view model as template.HTML.
	c := Chart{
		Title: "New agreements per year",
		Bars: []Bar{
			{Label: "2014", Value: 42, Second: 8, Href: "/agreements?year=2014"},
			{Label: "2015", Value: 68, Second: 9, Href: "/agreements?year=2015"},
			{Label: "2016", Value: 29, Second: 10, Href: "/agreements?year=2016"},
			{Label: "2017", Value: 58, Second: 8, Href: "/agreements?year=2017"},
		},
		SeriesNames: [2]string{"New agreements", "Amendments"},
		Format:      func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	}
	svg := string(c.SVG())
	fmt.Println(strings.Count(svg, "<rect"), "rects,", strings.Count(svg, "<a "), "links")
	// Output: 12 rects, 4 links
}
