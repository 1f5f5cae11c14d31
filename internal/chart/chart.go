// Package chart draws small, accessible bar charts as SVG on the server, for pages to embed
// inline: no JavaScript, no <style> element and no style attributes (the Content-Security-Policy
// allows neither), presentation attributes only. Numbers are written by the caller's Format, so
// they appear in the reader's locale; right-to-left charts are mirrored by computing coordinates,
// never by transforming text.
//
// Output is deterministic: the same chart gives the same bytes, ids included, so pages can be
// tested and cached.
//
// Negative values are clamped to zero in the drawing (Pactum charts counts and money, which are
// never negative): such a bar has no length, but its label, tooltip and description keep the true
// value, so nothing is hidden. NaN and infinite values are treated as zero everywhere.
package chart

import (
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Bar is one category of a chart.
type Bar struct {
	Label  string  // category name, drawn (truncated if long) and in full in the tooltip
	Value  float64 // first series
	Second float64 // optional second series, drawn hatched beside the first
	Href   string  // optional link for the bar, such as the registry filtered to this category
	Title  string  // optional tooltip and accessible name; default "Label: value"
}

// Chart is a bar chart. The zero values of the layout fields give sensible defaults.
type Chart struct {
	Title string // accessible name of the chart (its <title>)
	Bars  []Bar
	// Format writes a value in the reader's locale, such as l.Decimal(v, 1). The default writes
	// at most two decimals with a full stop, which is right for no language but English.
	Format func(float64) string
	// SeriesNames label the legend. A chart has two series when SeriesNames[1] is set or any
	// bar has a non-zero Second.
	SeriesNames [2]string
	RTL         bool // right to left: mirrored layout and direction="rtl" text
	Horizontal  bool // horizontal bars with labels at the start side, for long labels
	// Width and Height are the viewBox size; the SVG scales to the width of its container.
	// Defaults: 640 wide; vertical charts 300 high, horizontal ones as high as their rows.
	// Spark defaults to 120×32.
	Width, Height int
	// ID prefixes the ids inside the SVG. The default is a hash of the output, so two different
	// charts never share ids; set it (letters, digits, '-', '_') when one page shows the same
	// chart twice.
	ID string
}

// Colours, all with at least 4.5:1 contrast against white except the decorative grid.
const (
	inkColor    = "#1d2733" // text and values
	mutedColor  = "#56616d" // tick labels and the baseline
	gridColor   = "#d5dbe1" // gridlines (decorative)
	firstColor  = "#0b4f8a" // first series, solid
	secondColor = "#a3440b" // second series, hatched stripes and outline
	secondWash  = "#fbe9df" // background between the stripes

	fontSize  = 12.0
	smallFont = 11.0
	pad       = 8.0
	// idToken stands for the chart's id until the output is complete and can be hashed. It
	// cannot occur in escaped text, which never contains NUL.
	idToken = "\x00id\x00"
)

// prep is a chart with its data made safe to draw.
type prep struct {
	Chart
	two    bool
	labels []string     // cleaned labels
	vals   [][2]float64 // finite values, sign kept
	texts  [][2]string  // formatted values
	hrefs  []string     // safe links or ""
	linked bool
	ticks  []float64
	top    float64 // value at the end of the scale, > 0
}

func (c Chart) prepare() *prep {
	p := &prep{Chart: c}
	if p.Format == nil {
		p.Format = defaultFormat
	}
	p.two = c.SeriesNames[1] != ""
	max := 0.0
	for _, b := range c.Bars {
		v := [2]float64{finite(b.Value), finite(b.Second)}
		if v[1] != 0 {
			p.two = true
		}
		max = math.Max(max, math.Max(v[0], v[1]))
		p.vals = append(p.vals, v)
		p.labels = append(p.labels, clean(b.Label))
		p.texts = append(p.texts, [2]string{clean(p.Format(v[0])), clean(p.Format(v[1]))})
		href := safeHref(b.Href)
		p.hrefs = append(p.hrefs, href)
		p.linked = p.linked || href != ""
	}
	p.ticks = niceTicks(max)
	p.top = p.ticks[len(p.ticks)-1]
	if p.top <= 0 {
		p.top = 1
	}
	return p
}

// series is the number of series drawn.
func (p *prep) series() int {
	if p.two {
		return 2
	}
	return 1
}

// frac is the share of the scale a value fills, in [0, 1].
func (p *prep) frac(v float64) float64 {
	return math.Min(math.Max(v, 0), p.top) / p.top
}

// item describes bar i for the description and the default tooltip.
func (p *prep) item(i int) string {
	label := p.labels[i]
	if !p.two {
		return label + ": " + p.texts[i][0]
	}
	parts := make([]string, 2)
	for s := range parts {
		parts[s] = p.texts[i][s]
		if name := clean(p.SeriesNames[s]); name != "" {
			parts[s] = name + " " + parts[s]
		}
	}
	return label + ": " + parts[0] + p.comma() + parts[1]
}

// comma and semicolon separate items: Arabic punctuation in right-to-left charts.
func (p *prep) comma() string {
	if p.RTL {
		return "، "
	}
	return ", "
}

func (p *prep) semicolon() string {
	if p.RTL {
		return "؛ "
	}
	return "; "
}

func (p *prep) desc() string {
	items := make([]string, len(p.Bars))
	for i := range items {
		items[i] = p.item(i)
	}
	return strings.Join(items, p.semicolon())
}

// mx mirrors an x coordinate in right-to-left charts; rx does the same for a box of width wd.
func (p *prep) mx(x, width float64) float64 {
	if p.RTL {
		return width - x
	}
	return x
}

func (p *prep) rx(x, wd, width float64) float64 {
	if p.RTL {
		return width - x - wd
	}
	return x
}

// SVG renders the chart.
func (c Chart) SVG() template.HTML {
	p := c.prepare()
	var body string
	var w, h float64
	if c.Horizontal {
		body, w, h = p.horizontal()
	} else {
		body, w, h = p.vertical()
	}
	return p.document(body, w, h, false)
}

// Spark renders a mini column chart of the first series for profile pages and tables: no axis,
// labels or legend, a fixed size (120×32 by default), each column with its tooltip.
func (c Chart) Spark() template.HTML {
	p := c.prepare()
	p.two = false
	max := 0.0
	for _, v := range p.vals {
		max = math.Max(max, v[0])
	}
	if max > 0 {
		p.top = max
	}
	W, H := size(c.Width, 120), size(c.Height, 32)
	var w writer
	n := len(p.Bars)
	if n > 0 {
		slot := (W - 2) / float64(n)
		colW := math.Min(slot*0.72, 12)
		for i := range p.Bars {
			hh := p.frac(p.vals[i][0]) * (H - 2)
			x := 1 + float64(i)*slot + (slot-colW)/2
			p.openBar(&w, i)
			p.rect(&w, p.rx(x, colW, W), H-1-hh, colW, hh, 0)
			p.closeBar(&w, i)
		}
	}
	w.s(`<line x1="1" y1="`, num(H-0.5), `" x2="`, num(W-1), `" y2="`, num(H-0.5), `" stroke="`, mutedColor, `" stroke-width="1" aria-hidden="true"/>`)
	return p.document(w.String(), W, H, true)
}

// document wraps a drawing in its <svg> element with title and description, and gives it ids.
func (p *prep) document(body string, W, H float64, spark bool) template.HTML {
	var w writer
	w.s(`<svg xmlns="http://www.w3.org/2000/svg" class="chart`)
	if spark {
		w.s(` spark" width="`, num(W), `" height="`, num(H), `"`)
	} else {
		w.s(`" width="100%"`)
	}
	// role="img" makes its children presentational, which would hide the links from assistive
	// technology; a chart with links is a group whose links carry their own names.
	role := "img"
	if p.linked {
		role = "group"
	}
	w.s(` viewBox="0 0 `, num(W), ` `, num(H), `" role="`, role, `" aria-labelledby="`, idToken, `-t" aria-describedby="`, idToken, `-d" font-family="inherit">`)
	w.s(`<title id="`, idToken, `-t">`, esc(clean(p.Title)), `</title>`)
	w.s(`<desc id="`, idToken, `-d">`, esc(p.desc()), `</desc>`)
	if p.two {
		w.s(`<defs><pattern id="`, idToken, `-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`,
			`<rect width="4" height="4" fill="`, secondWash, `"/><rect width="2" height="4" fill="`, secondColor, `"/></pattern></defs>`)
	}
	w.s(body, `</svg>`)
	out := w.String()
	id := p.ID
	if !validID(id) {
		h := fnv.New64a()
		h.Write([]byte(out))
		id = "chart-" + strconv.FormatUint(h.Sum64(), 16)
	}
	return template.HTML(strings.ReplaceAll(out, idToken, id))
}

// openBar starts the group of bar i: a link when it has one, with its tooltip first.
func (p *prep) openBar(w *writer, i int) {
	title := clean(p.Bars[i].Title)
	if title == "" {
		title = p.item(i)
	}
	if p.hrefs[i] != "" {
		w.s(`<a href="`, esc(p.hrefs[i]), `">`)
	} else {
		w.s(`<g>`)
	}
	w.s(`<title>`, esc(title), `</title>`)
}

func (p *prep) closeBar(w *writer, i int) {
	if p.hrefs[i] != "" {
		w.s(`</a>`)
	} else {
		w.s(`</g>`)
	}
}

// rect draws one bar of series s.
func (p *prep) rect(w *writer, x, y, wd, ht float64, s int) {
	if s == 0 {
		w.s(`<rect class="bar" x="`, num(x), `" y="`, num(y), `" width="`, num(wd), `" height="`, num(ht), `" fill="`, firstColor, `"/>`)
		return
	}
	w.s(`<rect class="bar second" x="`, num(x), `" y="`, num(y), `" width="`, num(wd), `" height="`, num(ht),
		`" fill="url(#`, idToken, `-hatch)" stroke="`, secondColor, `" stroke-width="1"/>`)
}

// text draws one line of text centred vertically on y. Anchors are logical: with
// direction="rtl", "start" is the right edge of the text.
func (p *prep) text(w *writer, x, y float64, anchor string, size float64, fill, content string) {
	w.s(`<text x="`, num(x), `" y="`, num(y), `" dy="0.35em"`)
	if anchor != "start" {
		w.s(` text-anchor="`, anchor, `"`)
	}
	w.s(` font-size="`, num(size), `" fill="`, fill, `"`)
	if p.RTL {
		w.s(` direction="rtl"`)
	}
	w.s(`>`, esc(content), `</text>`)
}

func (p *prep) line(w *writer, x1, y1, x2, y2 float64, stroke string) {
	w.s(`<line x1="`, num(x1), `" y1="`, num(y1), `" x2="`, num(x2), `" y2="`, num(y2), `" stroke="`, stroke, `" stroke-width="1"/>`)
}

// legendHeight is the room the legend takes at the top.
func (p *prep) legendHeight() float64 {
	if p.two && (p.SeriesNames[0] != "" || p.SeriesNames[1] != "") {
		return 24
	}
	return 0
}

// legend draws the series names with their swatches at the top, from the start side.
func (p *prep) legend(w *writer, W float64) {
	if p.legendHeight() == 0 {
		return
	}
	w.s(`<g class="legend" aria-hidden="true">`)
	x, y := pad, pad+8
	for s, name := range p.SeriesNames {
		name = fit(clean(name), W/2-40, fontSize)
		p.rect(w, p.rx(x, 12, W), y-6, 12, 12, s)
		p.text(w, p.mx(x+16, W), y, "start", fontSize, inkColor, name)
		x += 16 + textWidth(name, fontSize) + 16
	}
	w.s(`</g>`)
}

// horizontal lays out one row per bar: label at the start side, bar, value at its end.
func (p *prep) horizontal() (string, float64, float64) {
	var w writer
	n := len(p.Bars)
	W := size(p.Width, 640)
	legendH := p.legendHeight()
	const axisH = 22.0
	rowH := 26.0
	if p.two {
		rowH = 36
	}
	H := float64(p.Height)
	if H <= 0 {
		H = pad + legendH + float64(n)*rowH + axisH + pad
	} else if n > 0 {
		rowH = math.Max(2, (H-2*pad-legendH-axisH)/float64(n))
	}
	plotTop := pad + legendH
	plotBottom := plotTop + float64(n)*rowH

	labelW, valueW := 0.0, 0.0
	for i := range p.Bars {
		labelW = math.Max(labelW, textWidth(p.labels[i], fontSize))
		for s := 0; s < p.series(); s++ {
			valueW = math.Max(valueW, textWidth(p.texts[i][s], fontSize))
		}
	}
	labelW = math.Min(labelW, math.Round(W*0.35))
	x0 := pad + labelW + 6
	plotW := math.Max(20, W-pad-valueW-4-x0)

	w.s(`<g class="axis" aria-hidden="true">`)
	for _, t := range p.ticks {
		x := p.mx(x0+t/p.top*plotW, W)
		if t != 0 {
			p.line(&w, x, plotTop, x, plotBottom, gridColor)
		}
		p.text(&w, x, plotBottom+12, "middle", smallFont, mutedColor, clean(p.Format(t)))
	}
	w.s(`</g>`)

	barH := rowH * 0.64 / float64(p.series())
	for i := range p.Bars {
		rowTop := plotTop + float64(i)*rowH
		p.openBar(&w, i)
		p.text(&w, p.mx(x0-6, W), rowTop+rowH/2, "end", fontSize, inkColor, fit(p.labels[i], labelW, fontSize))
		for s := 0; s < p.series(); s++ {
			y := rowTop + rowH*0.18 + float64(s)*barH
			l := p.frac(p.vals[i][s]) * plotW
			p.rect(&w, p.rx(x0, l, W), y, l, barH, s)
			p.text(&w, p.mx(x0+l+4, W), y+barH/2, "start", fontSize, inkColor, p.texts[i][s])
		}
		p.closeBar(&w, i)
	}
	w.s(`<g aria-hidden="true">`)
	p.line(&w, p.mx(x0, W), plotTop, p.mx(x0, W), plotBottom, mutedColor)
	w.s(`</g>`)
	p.legend(&w, W)
	return w.String(), W, H
}

// vertical lays out one column (or pair of columns) per bar, the first category at the start
// side: at the left, or at the right in right-to-left charts.
func (p *prep) vertical() (string, float64, float64) {
	var w writer
	n := len(p.Bars)
	W, H := size(p.Width, 640), size(p.Height, 300)
	const valueH, catH = 16.0, 20.0
	plotTop := pad + p.legendHeight() + valueH
	plotBottom := math.Max(plotTop+10, H-pad-catH)
	plotH := plotBottom - plotTop

	tickTexts := make([]string, len(p.ticks))
	tickW := 0.0
	for i, t := range p.ticks {
		tickTexts[i] = clean(p.Format(t))
		tickW = math.Max(tickW, textWidth(tickTexts[i], smallFont))
	}
	x0 := pad + tickW + 6
	plotW := math.Max(10, W-pad-x0)

	w.s(`<g class="axis" aria-hidden="true">`)
	for i, t := range p.ticks {
		y := plotBottom - t/p.top*plotH
		if t != 0 {
			p.line(&w, p.mx(x0, W), y, p.mx(x0+plotW, W), y, gridColor)
		}
		p.text(&w, p.mx(x0-6, W), y, "end", smallFont, mutedColor, tickTexts[i])
	}
	w.s(`</g>`)

	if n > 0 {
		ns := float64(p.series())
		slot := plotW / float64(n)
		group := slot * 0.64
		if p.two {
			group = slot * 0.76
		}
		colW := math.Min(group/ns, 80) // a single bar does not fill the chart
		group = colW * ns
		// Values are drawn above the columns when they fit; the tooltips and the description
		// carry them when there are too many columns.
		valueW, labelW := 0.0, 0.0
		for i := range p.Bars {
			labelW = math.Max(labelW, textWidth(p.labels[i], fontSize))
			for s := 0; s < p.series(); s++ {
				valueW = math.Max(valueW, textWidth(p.texts[i][s], smallFont))
			}
		}
		showValues := valueW <= slot/ns-2
		// Category labels: every one when they fit, else every step-th, with room for about six
		// characters before the ellipsis.
		need := math.Min(labelW, 6*0.6*fontSize) + 6
		step := 1
		if slot < need {
			step = int(math.Ceil(need / slot))
		}
		room := float64(step)*slot - 6
		for i := range p.Bars {
			slotX := x0 + float64(i)*slot
			p.openBar(&w, i)
			for s := 0; s < p.series(); s++ {
				x := slotX + (slot-group)/2 + float64(s)*colW
				h := p.frac(p.vals[i][s]) * plotH
				p.rect(&w, p.rx(x, colW, W), plotBottom-h, colW, h, s)
				if showValues {
					p.text(&w, p.mx(x+colW/2, W), plotBottom-h-8, "middle", smallFont, inkColor, p.texts[i][s])
				}
			}
			if i%step == 0 {
				p.text(&w, p.mx(slotX+slot/2, W), plotBottom+12, "middle", fontSize, inkColor, fit(p.labels[i], room, fontSize))
			}
			p.closeBar(&w, i)
		}
	}
	w.s(`<g aria-hidden="true">`)
	p.line(&w, p.mx(x0, W), plotBottom, p.mx(x0+plotW, W), plotBottom, mutedColor)
	w.s(`</g>`)
	p.legend(&w, W)
	return w.String(), W, H
}

// niceTicks returns the gridline values from zero: steps of 1, 2, 2.5 or 5 × 10^n, the smallest
// that covers max in at most five steps (so three to five above zero). It returns just zero when
// max is not positive.
func niceTicks(max float64) []float64 {
	if !(max > 0) || math.IsInf(max, 0) {
		return []float64{0}
	}
	exp := int(math.Floor(math.Log10(max))) - 2 // mantissas below are ×10, so start at 10^(e-1)
	for ; ; exp++ {
		for _, m := range []int64{10, 20, 25, 50} {
			step := scale(m, exp)
			count := math.Ceil(max / step * (1 - 1e-12))
			if count > 5 {
				continue
			}
			ticks := make([]float64, int(count)+1)
			for i := range ticks {
				ticks[i] = scale(int64(i)*m, exp)
			}
			if math.IsInf(ticks[len(ticks)-1], 0) {
				return []float64{0, max}
			}
			return ticks
		}
	}
}

// scale returns m × 10^exp, exactly rounded (0.1 × 3 would give 0.30000000000000004).
func scale(m int64, exp int) float64 {
	if exp >= 0 {
		return float64(m) * math.Pow10(exp)
	}
	return float64(m) / math.Pow10(-exp)
}

func size(v int, def float64) float64 {
	if v > 0 {
		return float64(v)
	}
	return def
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func defaultFormat(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	return defaultFormat(v)
}

// safeHref returns href if it is a relative URL or uses http, https or mailto — the rule
// html/template applies — and "" otherwise, so a bar never links to javascript:.
func safeHref(href string) string {
	if protocol, _, ok := strings.Cut(href, ":"); ok && !strings.Contains(protocol, "/") {
		switch strings.ToLower(protocol) {
		case "http", "https", "mailto":
		default:
			return ""
		}
	}
	return clean(href)
}

// validID reports whether id can be used as an id prefix as it is.
func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

type writer struct{ strings.Builder }

func (w *writer) s(parts ...string) {
	for _, p := range parts {
		w.WriteString(p)
	}
}
