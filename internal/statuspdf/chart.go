package statuspdf

import (
	"math"

	"github.com/tdewolff/canvas"
)

// chart adds a chart's blocks: a head (title, sentence, legend) kept with the drawing, then
// the drawing: one block for columns, one block per row for horizontal bars so that a long
// chart can continue on the next page under its title.
func (l *layout) chart(c Chart) {
	n := max(seriesCount(c), 1)
	title := l.ts.layout(c.Title, chartTitleStyle, contentW)
	sentence := l.ts.layout(c.Sentence, sentenceStyle, contentW)
	legend := l.legend(c.Series, n)
	headH := title.height() + 1 + sentence.height() + 3
	if legend != nil {
		headH += legend.h + 2
	}
	head := &block{h: headH, keep: true, draw: func(ctx *canvas.Context, y float64) {
		title.draw(ctx, marginX, y, contentW, alignStart)
		y += title.height() + 1
		sentence.draw(ctx, marginX, y, contentW, alignStart)
		y += sentence.height() + 3
		if legend != nil {
			legend.draw(ctx, y)
		}
	}}
	l.add(head)
	if len(c.Bars) == 0 {
		head.keep, head.h = false, head.h+6
		return
	}
	if c.Horizontal {
		cont := &block{h: title.height() + 3, draw: func(ctx *canvas.Context, y float64) {
			title.draw(ctx, marginX, y, contentW, alignStart)
		}}
		l.rows(c, n, cont)
	} else {
		l.columns(c, n)
	}
}

// legend lays out a swatch and a name per series, flowing from the start side. A single
// series needs no legend: the chart's title names it.
func (l *layout) legend(names []string, n int) *block {
	if n < 2 {
		return nil
	}
	const sw, gap, spacing = 3.2, 1.5, 6.0
	lh := l.ts.lineHeight(legendStyle)
	type item struct {
		name     *paragraph
		off, row float64
	}
	var items []item
	off, row := 0.0, 0.0
	for s := 0; s < n; s++ {
		name := ""
		if s < len(names) {
			name = names[s]
		}
		p := l.ts.layout(name, legendStyle, contentW-sw-gap)
		w := sw + gap + p.width
		if off > 0 && off+w > contentW {
			off, row = 0, row+p.height()
		}
		items = append(items, item{name: p, off: off, row: row})
		off += w + spacing
	}
	h := items[len(items)-1].row + max(items[len(items)-1].name.height(), lh)
	return &block{h: h, draw: func(ctx *canvas.Context, y float64) {
		for s, it := range items {
			fillRect(ctx, l.startX(it.off, sw), y+it.row+(lh-sw)/2, sw, sw, seriesColors[s])
			it.name.draw(ctx, l.startX(it.off+sw+gap, it.name.width), y+it.row, it.name.width, alignStart)
		}
	}}
}

// value returns the drawable value of series s of a bar: negative, missing, NaN and infinite
// values draw no bar (Pactum charts counts and money), though their text is still written.
func value(b Bar, s int) float64 {
	if s >= len(b.Values) {
		return 0
	}
	v := b.Values[s]
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0
	}
	return v
}

func text(b Bar, s int) string {
	if s < len(b.Texts) {
		return b.Texts[s]
	}
	return ""
}

func maxValue(bars []Bar, n int) float64 {
	m := 0.0
	for _, b := range bars {
		for s := 0; s < n; s++ {
			m = math.Max(m, value(b, s))
		}
	}
	return m
}

// columns draws vertical bars, one group per category, the series of a group side by side,
// each value written above its bar and the category below the baseline. In Arabic the
// categories run from right to left, and so do the series within a group.
func (l *layout) columns(c Chart, n int) {
	const plotH = 52.0
	ng := len(c.Bars)
	slot := contentW / float64(ng)
	innerGap := 0.0
	if n > 1 {
		innerGap = 0.8
	}
	barW := math.Min(slot*0.72/float64(n), 16)
	groupW := float64(n)*barW + float64(n-1)*innerGap

	vst := valueStyle
	values := make([][]*paragraph, ng)
	widest := 0.0
	for g, b := range c.Bars {
		for s := 0; s < n; s++ {
			p := l.ts.layout(text(b, s), vst, 0)
			values[g] = append(values[g], p)
			widest = math.Max(widest, p.width)
		}
	}
	if widest > barW+innerGap+1 {
		// Values wider than their bars would run into each other: write them smaller.
		vst.size = 6.5
		for g, b := range c.Bars {
			for s := 0; s < n; s++ {
				values[g][s] = l.ts.layout(text(b, s), vst, 0)
			}
		}
	}
	labels := make([]*paragraph, ng)
	labelsH := 0.0
	for g, b := range c.Bars {
		labels[g] = l.ts.layout(b.Label, labelStyle, slot-2)
		labelsH = math.Max(labelsH, labels[g].height())
	}
	valueH := l.ts.lineHeight(vst)
	maxV := maxValue(c.Bars, n)

	h := valueH + plotH + 1.8 + labelsH + 9
	l.add(&block{h: h, draw: func(ctx *canvas.Context, y float64) {
		base := y + valueH + plotH
		for g, b := range c.Bars {
			pos := g
			if l.rtl {
				pos = ng - 1 - g
			}
			slotX := marginX + float64(pos)*slot
			gx := slotX + (slot-groupW)/2
			for s := 0; s < n; s++ {
				sp := s
				if l.rtl {
					sp = n - 1 - s
				}
				bx := gx + float64(sp)*(barW+innerGap)
				bh := 0.0
				if maxV > 0 {
					bh = value(b, s) / maxV * plotH
				}
				fillRect(ctx, bx, base-bh, barW, bh, seriesColors[s])
				values[g][s].draw(ctx, bx-6, base-bh-valueH, barW+12, alignCenter)
			}
			labels[g].draw(ctx, slotX+1, base+1.8, slot-2, alignCenter)
		}
		fillRect(ctx, marginX, base, contentW, 0.3, mutedColor)
	}})
}

// rows draws horizontal bars, one row per category: the label on the start side, then an axis
// line, then the bars of the series one under the other, each followed by its value. In Arabic
// the labels are on the right and the bars grow to the left.
func (l *layout) rows(c Chart, n int, cont *block) {
	// Labels take the room the widest needs, up to 38% of the width; longer ones wrap.
	labels := make([]*paragraph, len(c.Bars))
	nat := 0.0
	for g, b := range c.Bars {
		labels[g] = l.ts.layout(b.Label, labelStyle, 0)
		nat = math.Max(nat, labels[g].width)
	}
	labelW := math.Min(nat, contentW*0.38)
	for g, b := range c.Bars {
		if labels[g].width > labelW {
			labels[g] = l.ts.layout(b.Label, labelStyle, labelW)
		}
	}
	const gap = 3.0
	axisOff := labelW + gap

	values := make([][]*paragraph, len(c.Bars))
	widest := 0.0
	for g, b := range c.Bars {
		for s := 0; s < n; s++ {
			p := l.ts.layout(text(b, s), valueStyle, 0)
			values[g] = append(values[g], p)
			widest = math.Max(widest, p.width)
		}
	}
	scaleW := contentW - axisOff - widest - 2
	maxV := maxValue(c.Bars, n)

	barH, innerGap := 4.2, 0.0
	if n > 1 {
		barH, innerGap = 3.4, 0.7
	}
	barsH := float64(n)*barH + float64(n-1)*innerGap
	const pad = 1.3
	axisX := l.startX(axisOff, 0)
	vlh := l.ts.lineHeight(valueStyle)

	for g, b := range c.Bars {
		label := labels[g]
		inner := math.Max(label.height(), barsH)
		rowH := inner + 2*pad
		vals := values[g]
		l.add(&block{h: rowH, keep: g < len(c.Bars)-1, head: cont, draw: func(ctx *canvas.Context, y float64) {
			top := y + pad
			label.draw(ctx, l.startX(0, labelW), top+(inner-label.height())/2, labelW, alignStart)
			fillRect(ctx, axisX-0.15, y, 0.3, rowH, mutedColor)
			for s := 0; s < n; s++ {
				by := top + (inner-barsH)/2 + float64(s)*(barH+innerGap)
				bw := 0.0
				if maxV > 0 {
					bw = value(b, s) / maxV * scaleW
				}
				vy := by + barH/2 - vlh/2
				if l.rtl {
					fillRect(ctx, axisX-bw, by, bw, barH, seriesColors[s])
					vals[s].draw(ctx, axisX-bw-1.2-widest, vy, widest, alignStart)
				} else {
					fillRect(ctx, axisX, by, bw, barH, seriesColors[s])
					vals[s].draw(ctx, axisX+bw+1.2, vy, widest, alignStart)
				}
			}
		}})
	}
	l.blocks[len(l.blocks)-1].h += 8
}
