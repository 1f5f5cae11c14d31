package statuspdf

import (
	"embed"
	"image/color"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/benoitkugler/textprocessing/fribidi"
	"github.com/go-text/typesetting/segmenter"
	"github.com/tdewolff/canvas"
	ctext "github.com/tdewolff/canvas/text"
)

// The fonts ship inside the binary (see fonts/PROVENANCE.md): Noto Sans for Latin and Cyrillic,
// Noto Sans Arabic, and WenQuanYi Micro Hei for Chinese, whose TrueType outlines canvas can
// subset into the PDF (it cannot subset the CFF collections of Noto CJK).
//
//go:embed fonts/NotoSans-Regular.ttf fonts/NotoSans-Bold.ttf
//go:embed fonts/NotoSansArabic-Regular.ttf fonts/NotoSansArabic-Bold.ttf
//go:embed fonts/wqy-microhei.ttc
var fontFiles embed.FS

// family is one font design in a regular and a bold weight; bold is nil where the design has
// none (WenQuanYi), and the regular face is then drawn thicker.
type family struct{ regular, bold *canvas.Font }

type fontSet struct{ latin, arabic, cjk family }

var (
	fontsOnce sync.Once
	fonts     *fontSet
	fontsErr  error
)

// loadFonts parses the embedded fonts once per process: parsing WenQuanYi alone takes longer
// than rendering a report.
func loadFonts() (*fontSet, error) {
	fontsOnce.Do(func() {
		load := func(name string, index int, style canvas.FontStyle) *canvas.Font {
			if fontsErr != nil {
				return nil
			}
			b, err := fontFiles.ReadFile("fonts/" + name)
			if err != nil {
				fontsErr = err
				return nil
			}
			f, err := canvas.LoadFont(b, index, style)
			if err != nil {
				fontsErr = err
				return nil
			}
			return f
		}
		fs := &fontSet{
			latin:  family{load("NotoSans-Regular.ttf", 0, canvas.FontRegular), load("NotoSans-Bold.ttf", 0, canvas.FontBold)},
			arabic: family{load("NotoSansArabic-Regular.ttf", 0, canvas.FontRegular), load("NotoSansArabic-Bold.ttf", 0, canvas.FontBold)},
			cjk:    family{regular: load("wqy-microhei.ttc", 0, canvas.FontRegular)},
		}
		if fontsErr == nil {
			fonts = fs
		}
	})
	return fonts, fontsErr
}

// style is how a run of text looks; sizes are in points.
type style struct {
	size  float64
	bold  bool
	color color.RGBA
}

// typesetter lays out text for one document: its language decides the paragraph direction and
// which font a character that several fonts have is taken from.
type typesetter struct {
	lang    string
	rtl     bool
	order   []family // fallback order: the first family that has a character draws it
	faces   map[faceKey]*canvas.FontFace
	lineMul float64 // line height in ems
}

type faceKey struct {
	font *canvas.Font
	st   style
	rtl  bool
}

func newTypesetter(fs *fontSet, lang string) *typesetter {
	ts := &typesetter{lang: lang, faces: map[faceKey]*canvas.FontFace{}, lineMul: 1.4}
	switch lang {
	case "ar":
		// Arabic letters need the taller line: Noto Sans Arabic's marks reach far above and below.
		ts.rtl, ts.lineMul = true, 1.75
		ts.order = []family{fs.arabic, fs.latin, fs.cjk}
	case "zh":
		ts.lineMul = 1.5
		ts.order = []family{fs.latin, fs.cjk, fs.arabic}
	default:
		ts.order = []family{fs.latin, fs.arabic, fs.cjk}
	}
	return ts
}

// face returns the face of a family in a style and a direction (which decides how canvas
// shapes a run: Arabic joins only when shaped right to left).
func (ts *typesetter) face(fam family, st style, rtl bool) *canvas.FontFace {
	font, faux := fam.regular, false
	if st.bold {
		if fam.bold != nil {
			font = fam.bold
		} else {
			faux = true
		}
	}
	key := faceKey{font: font, st: st, rtl: rtl}
	if f, ok := ts.faces[key]; ok {
		return f
	}
	f := font.Face(st.size, st.color)
	f.Language = ts.lang
	f.Direction = ctext.LeftToRight
	if rtl {
		f.Direction = ctext.RightToLeft
	}
	if faux {
		// Thickened by stroking the outlines: enough to tell a title from text, checked by eye.
		f.FauxBold = 0.012 * f.Size
	}
	ts.faces[key] = f
	return f
}

// lineHeight and baseline (from the top of a line) of a style, in millimetres.
func (ts *typesetter) lineHeight(st style) float64 { return st.size * mmPerPt * ts.lineMul }

func (ts *typesetter) baseline(st style) float64 {
	return ts.lineHeight(st)/2 + 0.33*st.size*mmPerPt
}

const mmPerPt = 25.4 / 72

// run is text of one font and one bidi level, shaped as a whole: a paragraph is shaped run by
// run to measure it, and each line is drawn run by run, so words keep their spaces in the PDF
// (text extraction and copying need them) and Arabic is shaped exactly as it will be drawn.
type run struct {
	a, b  int // runes [a, b) of the paragraph
	font  int // index into the typesetter's order
	level int // bidi embedding level; odd is right to left
	text  *canvas.Text
	width float64
}

type textLine struct {
	runs  []run // visual order, left to right
	width float64
}

// paragraph is text broken into lines, ready to draw.
type paragraph struct {
	ts    *typesetter
	st    style
	lines []textLine
	width float64 // of the widest line
}

func (p *paragraph) height() float64 { return float64(len(p.lines)) * p.ts.lineHeight(p.st) }

// layout breaks s into lines no wider than maxWidth millimetres (no limit when maxWidth <= 0),
// at the break opportunities of UAX #14 (spaces, and between Chinese characters), and orders
// each line for display by the Unicode bidirectional algorithm (UAX #9), the paragraph
// direction being the document's.
func (ts *typesetter) layout(s string, st style, maxWidth float64) *paragraph {
	p := &paragraph{ts: ts, st: st}
	runes := []rune(clean(s))
	if len(runes) == 0 {
		return p
	}
	base := fribidi.ParType(fribidi.LTR)
	if ts.rtl {
		base = fribidi.RTL
	}
	vis, _ := fribidi.LogicalToVisual(fribidi.DefaultFlags, runes, &base)
	levels := make([]int, len(runes))
	for i := range levels {
		levels[i] = int(vis.EmbeddingLevels[i])
	}
	fontOf := ts.assignFonts(runes)

	// Shape the paragraph run by run and keep the advance of each rune. A line break splits
	// runs ('\n' is never shaped: a canvas text line would break there itself).
	adv := make([]float64, len(runes))
	var runs []run
	for i := 0; i < len(runes); {
		j := i + 1
		if runes[i] != '\n' {
			for j < len(runes) && runes[j] != '\n' && fontOf[j] == fontOf[i] && levels[j] == levels[i] {
				j++
			}
			r := ts.shape(runes, i, j, fontOf[i], levels[i], st)
			runs = append(runs, r)
			r.advances(runes[i:j], adv[i:j])
		}
		i = j
	}

	// Greedy filling over the break opportunities.
	type segment struct {
		a, b              int     // runes; the trailing white space last
		content, trailing float64 // widths without and of the trailing white space
		mandatory         bool
	}
	measure := func(a, b int, mandatory bool) segment {
		sg := segment{a: a, b: b, mandatory: mandatory}
		for k := a; k < b; k++ {
			if isSpace(runes[k]) {
				sg.trailing += adv[k]
			} else {
				sg.content += sg.trailing + adv[k]
				sg.trailing = 0
			}
		}
		return sg
	}
	var lines [][2]int
	start, width, pending := -1, 0.0, 0.0
	end := 0
	flush := func() {
		if start >= 0 {
			lines = append(lines, [2]int{start, end})
		}
		start, width, pending = -1, 0, 0
	}
	place := func(sg segment) {
		if start >= 0 && maxWidth > 0 && width+pending+sg.content > maxWidth+1e-9 {
			flush()
		}
		if start < 0 {
			start, width, pending = sg.a, 0, 0
		}
		width += pending + sg.content
		pending = sg.trailing
		end = sg.b
		if sg.mandatory {
			flush()
		}
	}
	var seg segmenter.Segmenter
	seg.Init(runes)
	for it := seg.LineIterator(); it.Next(); {
		ln := it.Line()
		sg := measure(ln.Offset, ln.Offset+len(ln.Text), ln.IsMandatoryBreak)
		if maxWidth <= 0 || sg.content <= maxWidth {
			place(sg)
			continue
		}
		// A word wider than the line: break it between characters.
		var gs segmenter.Segmenter
		gs.Init(ln.Text)
		for gi := gs.GraphemeIterator(); gi.Next(); {
			g := gi.Grapheme()
			a := ln.Offset + g.Offset
			b := a + len(g.Text)
			place(measure(a, b, sg.mandatory && b == sg.b))
		}
	}
	flush()

	for _, ln := range lines {
		p.addLine(runes, runs, ln[0], ln[1])
	}
	return p
}

// shape shapes runes [a, b) in one font, in the direction of its bidi level.
func (ts *typesetter) shape(runes []rune, a, b, font, level int, st style) run {
	face := ts.face(ts.order[font], st, level%2 == 1)
	t := canvas.NewTextLine(face, string(runes[a:b]), canvas.Left)
	width := 0.0
	t.WalkSpans(func(_, _ float64, sp canvas.TextSpan) { width += sp.Width })
	return run{a: a, b: b, font: font, level: level, text: t, width: width}
}

// advances adds the advance of each glyph of the run to the rune it comes from (the first of
// its cluster).
func (r run) advances(runes []rune, adv []float64) {
	var byteToRune []int
	for k, c := range runes {
		for range utf8.RuneLen(c) {
			byteToRune = append(byteToRune, k)
		}
	}
	off := 0
	r.text.WalkSpans(func(_, _ float64, sp canvas.TextSpan) {
		for _, g := range sp.Glyphs {
			if k := off + int(g.Cluster); k >= 0 && k < len(byteToRune) {
				adv[byteToRune[k]] += sp.Face.MmPerEm * float64(g.XAdvance)
			}
		}
		off += len(sp.Text)
	})
}

// addLine makes runes [a, b) a line: white space at its ends is dropped (rule L1 of UAX #9),
// the paragraph's runs are cut to the line (and shaped again where cut), and the runs are
// put in visual order (rule L2: reverse every sequence at each level, from the highest level
// to the lowest odd one).
func (p *paragraph) addLine(runes []rune, runs []run, a, b int) {
	for a < b && isSpace(runes[b-1]) {
		b--
	}
	for a < b && isSpace(runes[a]) {
		a++
	}
	var ln textLine
	for _, r := range runs {
		x, y := max(r.a, a), min(r.b, b)
		if x >= y {
			continue
		}
		if x != r.a || y != r.b {
			r = p.ts.shape(runes, x, y, r.font, r.level, p.st)
		}
		ln.runs = append(ln.runs, r)
		ln.width += r.width
	}
	hi, lo := 0, 1<<30
	for _, r := range ln.runs {
		hi = max(hi, r.level)
		if r.level%2 == 1 {
			lo = min(lo, r.level)
		}
	}
	for lvl := hi; lvl >= lo; lvl-- {
		for i := 0; i < len(ln.runs); {
			if ln.runs[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(ln.runs) && ln.runs[j].level >= lvl {
				j++
			}
			slices.Reverse(ln.runs[i:j])
			i = j
		}
	}
	p.lines = append(p.lines, ln)
	p.width = max(p.width, ln.width)
}

type align int

const (
	alignStart align = iota // left in left-to-right documents, right in Arabic
	alignEnd
	alignCenter
)

// draw draws the paragraph with its first line's top at y, each line aligned within the box
// [x, x+width].
func (p *paragraph) draw(ctx *canvas.Context, x, y, width float64, al align) {
	lh, bl := p.ts.lineHeight(p.st), p.ts.baseline(p.st)
	for i, ln := range p.lines {
		lx := x
		switch {
		case al == alignCenter:
			lx += (width - ln.width) / 2
		case (al == alignEnd) != p.ts.rtl:
			lx += width - ln.width
		}
		by := y + float64(i)*lh + bl
		for _, r := range ln.runs {
			ctx.DrawText(lx, by, r.text)
			lx += r.width
		}
	}
}

// assignFonts picks a family for each rune: the first in the language's order that has it,
// except that a mark, a joiner or a character common to several scripts (space, digit,
// punctuation) stays in the font of the character before it when that font has it, so runs
// are not split needlessly and marks stay on their letters.
func (ts *typesetter) assignFonts(runes []rune) []int {
	out := make([]int, len(runes))
	has := func(i int, r rune) bool { return ts.order[i].regular.SFNT.GlyphIndex(r) != 0 }
	for k, r := range runes {
		if k > 0 {
			prev := out[k-1]
			if unicode.In(r, unicode.Mn, unicode.Me) || r == '\u200c' || r == '\u200d' || unicode.Is(unicode.Variation_Selector, r) {
				out[k] = prev
				continue
			}
			if (unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r)) && has(prev, r) {
				out[k] = prev
				continue
			}
		}
		out[k] = 0
		for i := range ts.order {
			if has(i, r) {
				out[k] = i
				break
			}
		}
	}
	return out
}

func isSpace(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' }

// clean makes text safe to lay out: every kind of line break becomes '\n', tabs become
// spaces, and other control characters are dropped.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\r', '\v', '\f', '\u0085', '\u2028', '\u2029':
			return '\n'
		case '\t':
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
