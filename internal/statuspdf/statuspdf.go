// Package statuspdf renders the yearly status analysis as a short A4 PDF report: a title, the
// totals, and bar charts each with a sentence that says what it shows.
//
// The package knows no translations and formats no numbers: the web layer passes every text
// already translated and every number already written in the reader's locale, so the PDF says
// exactly what the page says. What it does know is how to set those texts in six languages: it
// carries its own fonts (Latin and Cyrillic, Arabic, Chinese), joins Arabic letters, orders
// mixed right-to-left and left-to-right text by the Unicode bidirectional algorithm, breaks
// lines where each script allows, and mirrors the whole page for Arabic.
//
// Write is safe for concurrent use; the fonts are parsed once per process.
package statuspdf

import (
	"fmt"
	"image/color"
	"io"
	"sync"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Document is the status analysis, every text already translated and every number already
// formatted in the reader's locale.
type Document struct {
	Lang     string   // ar, en, es, fr, ru, zh; "ar" lays the page out right to left
	Title    string   // e.g. "Status analysis 2014–2017"
	Subtitle string   // e.g. organisation / generated date line
	Totals   []Figure // e.g. {"New agreements","197"}, {"Amendments","35"}, {"Value (USD)","36.6 million"}
	Charts   []Chart
	Footer   string // page footer text, e.g. "Pactum — 28 November 2026"; page numbers "n / N" are added
}

// Figure is one of the totals at the top of the report: a label and its formatted value.
type Figure struct{ Label, Value string }

// Chart is a bar chart with its title and a sentence that says what it shows, so that the
// report reads without the picture.
type Chart struct {
	Title    string
	Sentence string   // one sentence that says what the chart shows
	Series   []string // legend names, one per value of each bar (1 or 2 series, e.g. new agreements and amendments)
	Bars     []Bar
	// Horizontal draws one bar per row with its label beside it, for long labels such as
	// action areas; false draws columns, for short labels such as years.
	Horizontal bool
}

// Bar is one category of a chart. Values are drawn to scale; Texts are what is written on the
// bars, so that the reader sees numbers in their own locale.
type Bar struct {
	Label  string
	Values []float64 // one per series, same length as Series
	Texts  []string  // the values formatted for display, one per series
}

// Page geometry in millimetres (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	marginX      = 20.0
	marginTop    = 20.0
	marginBottom = 24.0 // the footer sits inside this margin
	contentW     = pageW - 2*marginX
)

// Colours: dark text, one accent (also the first series) and a second series colour; each has
// at least 4.5:1 contrast against white, and blue against orange stays apart for colour-blind
// readers. They match the web charts (internal/chart).
var (
	inkColor    = color.RGBA{0x1d, 0x27, 0x33, 0xff}
	mutedColor  = color.RGBA{0x56, 0x61, 0x6d, 0xff}
	ruleColor   = color.RGBA{0xd5, 0xdb, 0xe1, 0xff}
	firstColor  = color.RGBA{0x0b, 0x4f, 0x8a, 0xff}
	secondColor = color.RGBA{0xa3, 0x44, 0x0b, 0xff}
)

var seriesColors = [...]color.RGBA{firstColor, secondColor}

// Text styles.
var (
	titleStyle      = style{size: 20, bold: true, color: inkColor}
	subtitleStyle   = style{size: 10, color: mutedColor}
	figLabelStyle   = style{size: 8.5, color: mutedColor}
	figValueStyle   = style{size: 17, bold: true, color: inkColor}
	chartTitleStyle = style{size: 12.5, bold: true, color: inkColor}
	sentenceStyle   = style{size: 9.5, color: inkColor}
	labelStyle      = style{size: 8.5, color: inkColor}
	legendStyle     = style{size: 8.5, color: inkColor}
	valueStyle      = style{size: 7.5, color: inkColor}
	footerStyle     = style{size: 8, color: mutedColor}
)

// Write renders d as a PDF to w.
func Write(w io.Writer, d Document) (err error) {
	fs, err := loadFonts()
	if err != nil {
		return fmt.Errorf("statuspdf: loading fonts: %w", err)
	}
	for _, c := range d.Charts {
		if n := seriesCount(c); n > len(seriesColors) {
			return fmt.Errorf("statuspdf: chart %q has %d series, at most %d can be drawn", c.Title, n, len(seriesColors))
		}
	}
	// canvas panics where it could return an error (a font it cannot subset, say): a report
	// that cannot be drawn must not take the server down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("statuspdf: rendering: %v", r)
		}
	}()

	ts := newTypesetter(fs, d.Lang)
	l := &layout{ts: ts, rtl: ts.rtl}
	l.build(d)
	pages := l.paginate()
	l.footers(pages, d)

	r := pdf.New(w, pageW, pageH, &pdf.Options{Compress: true, SubsetFonts: true})
	r.SetInfo(d.Title, d.Subtitle, "", "", "Pactum")
	if d.Lang != "" {
		r.SetLang(d.Lang)
	}
	for i, c := range pages {
		if i > 0 {
			r.NewPage(pageW, pageH)
		}
		c.RenderTo(r)
	}
	if err := closePDF(r); err != nil {
		return fmt.Errorf("statuspdf: writing: %w", err)
	}
	return nil
}

// closeMu serializes the end of writing, where the PDF renderer subsets the fonts: subsetting
// (tdewolff/font SFNT.Subset) writes header fields of the font it subsets, and the fonts are
// shared by every document. The fields it writes are read only while a font is parsed, so the
// writes are harmless, but they are a data race without the lock.
var closeMu sync.Mutex

func closePDF(r *pdf.PDF) error {
	closeMu.Lock()
	defer closeMu.Unlock() // also when canvas panics
	return r.Close()
}

// seriesCount is the number of series a chart draws: its legend names or its widest bar.
func seriesCount(c Chart) int {
	n := len(c.Series)
	for _, b := range c.Bars {
		n = max(n, len(b.Values))
	}
	return n
}

// block is a horizontal slice of the page, drawn with its top at y. Blocks are placed top to
// bottom; keep holds a block on the page of the next one (a chart title with its chart), and
// head is drawn first on a new page when a break falls inside a group of blocks (the title of
// a chart continued).
type block struct {
	h    float64
	draw func(ctx *canvas.Context, y float64)
	keep bool
	head *block
}

type layout struct {
	ts     *typesetter
	rtl    bool
	blocks []*block
}

func (l *layout) add(b *block) { l.blocks = append(l.blocks, b) }

// startX returns the left edge of a box of width w placed at offset off from the start side of
// the content area: from the left in left-to-right documents, from the right in Arabic.
func (l *layout) startX(off, w float64) float64 {
	if l.rtl {
		return marginX + contentW - off - w
	}
	return marginX + off
}

func (l *layout) build(d Document) {
	l.header(d)
	l.totals(d.Totals)
	for _, c := range d.Charts {
		l.chart(c)
	}
}

func (l *layout) header(d Document) {
	title := l.ts.layout(d.Title, titleStyle, contentW)
	sub := l.ts.layout(d.Subtitle, subtitleStyle, contentW)
	gap := 1.5
	h := title.height() + gap + sub.height() + 4 + 0.4 + 7
	l.add(&block{h: h, draw: func(ctx *canvas.Context, y float64) {
		title.draw(ctx, marginX, y, contentW, alignStart)
		y += title.height() + gap
		sub.draw(ctx, marginX, y, contentW, alignStart)
		y += sub.height() + 4
		fillRect(ctx, marginX, y, contentW, 0.4, ruleColor)
	}})
}

// totals draws the figures in rows of up to four cells, each a label over a large value with
// an accent bar on its start side.
func (l *layout) totals(figs []Figure) {
	if len(figs) == 0 {
		return
	}
	cols := min(len(figs), 4)
	if len(figs) > 4 && len(figs)%4 != 0 && len(figs)%3 == 0 {
		cols = 3
	}
	cellW := contentW / float64(cols)
	const barW, pad = 0.9, 3.0
	textW := cellW - barW - pad - 3
	for start := 0; start < len(figs); start += cols {
		row := figs[start:min(start+cols, len(figs))]
		labels := make([]*paragraph, len(row))
		values := make([]*paragraph, len(row))
		labelH, valueH := 0.0, 0.0
		for i, f := range row {
			labels[i] = l.ts.layout(f.Label, figLabelStyle, textW)
			values[i] = l.ts.layout(f.Value, figValueStyle, textW)
			labelH = max(labelH, labels[i].height())
			valueH = max(valueH, values[i].height())
		}
		cellH := labelH + 0.5 + valueH
		l.add(&block{h: cellH + 6, draw: func(ctx *canvas.Context, y float64) {
			for i := range row {
				off := float64(i) * cellW
				fillRect(ctx, l.startX(off, barW), y, barW, cellH, firstColor)
				tx := l.startX(off+barW+pad, textW)
				labels[i].draw(ctx, tx, y, textW, alignStart)
				values[i].draw(ctx, tx, y+labelH+0.5, textW, alignStart)
			}
		}})
	}
	l.blocks[len(l.blocks)-1].h += 2
}

// paginate places the blocks on pages.
func (l *layout) paginate() []*canvas.Canvas {
	const top, bottom = marginTop, pageH - marginBottom
	var pages []*canvas.Canvas
	var ctx *canvas.Context
	y := 0.0
	newPage := func() {
		c := canvas.New(pageW, pageH)
		ctx = canvas.NewContext(c)
		ctx.SetCoordSystem(canvas.CartesianIV) // y grows downwards from the top of the page
		pages = append(pages, c)
		y = top
	}
	newPage()
	for i := 0; i < len(l.blocks); {
		// A chain of blocks held together: move it to a new page if it does not fit here but
		// fits on a page, or if less than half a page is left for it.
		j, h := i, l.blocks[i].h
		for l.blocks[j].keep && j+1 < len(l.blocks) {
			j++
			h += l.blocks[j].h
		}
		if y > top && y+h > bottom && (h <= bottom-top || bottom-y < (bottom-top)/2) {
			newPage()
		}
		for k := i; k <= j; k++ {
			b := l.blocks[k]
			if y > top && y+b.h > bottom {
				newPage()
				if b.head != nil && k > i {
					b.head.draw(ctx, y)
					y += b.head.h
				}
			}
			b.draw(ctx, y)
			y += b.h
		}
		i = j + 1
	}
	return pages
}

// footers draws on every page a rule, the footer text on the start side and "n / N" on the
// end side, numbers written in the document's language.
func (l *layout) footers(pages []*canvas.Canvas, d Document) {
	tag, err := language.Parse(d.Lang)
	if err != nil {
		tag = language.English
	}
	p := message.NewPrinter(tag)
	total := p.Sprint(number.Decimal(len(pages)))
	// The widest page number is the last: the footer text keeps clear of it on every page.
	numW := l.ts.layout(total+" / "+total, footerStyle, 0).width
	text := l.ts.layout(d.Footer, footerStyle, contentW-numW-8)
	for i, c := range pages {
		ctx := canvas.NewContext(c)
		ctx.SetCoordSystem(canvas.CartesianIV)
		num := l.ts.layout(p.Sprint(number.Decimal(i+1))+" / "+total, footerStyle, 0)
		y := pageH - marginBottom + 8
		fillRect(ctx, marginX, y-2.5, contentW, 0.3, ruleColor)
		text.draw(ctx, marginX, y, contentW, alignStart)
		num.draw(ctx, marginX, y, contentW, alignEnd)
	}
}

func fillRect(ctx *canvas.Context, x, y, w, h float64, col color.RGBA) {
	if w <= 0 || h <= 0 {
		return
	}
	ctx.SetFillColor(col)
	ctx.SetStrokeColor(canvas.Transparent)
	ctx.DrawPath(x, y, canvas.Rectangle(w, h))
}
