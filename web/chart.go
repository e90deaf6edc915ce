package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn here as SVG, inline in the page: no script, nothing fetched, the same in every
// browser, and they print. Colours and fonts come from the style sheet through classes.

// attritionChart draws one horizontal bar per measure (a table row) for the column of year j.
func attritionChart(t *Table, j int, l *Lang) template.HTML {
	const (
		w, labelW, rowH, barH, top = 760, 300, 40, 24, 8
	)
	maxV := int64(1)
	for _, r := range t.Rows {
		if c := r.Cells[j]; c.Shown() && c.Value > maxV {
			maxV = c.Value
		}
	}
	barMax := float64(w - labelW - 90)
	h := top + rowH*len(t.Rows) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart attrition" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		w, h, esc(l.T("overview.attrition", strconv.Itoa(t.Years[j]))))
	for i, r := range t.Rows {
		c := r.Cells[j]
		y := top + i*rowH
		fmt.Fprintf(&b, `<g class="bar stage-%s">`, esc(strings.ToLower(r.Stage)))
		fmt.Fprintf(&b, `<title>%s, %d: %s%s</title>`, esc(r.Label), t.Years[j], esc(c.Text(l)), esc(flagSuffix(c)))
		fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-10, y+barH/2+5, esc(r.Label))
		bw := 0.0
		if c.Shown() {
			bw = math.Max(barMax*float64(c.Value)/float64(maxV), 1)
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" rx="2"/>`, labelW, y, bw, barH)
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%d">%s%s</text>`, float64(labelW)+bw+8, y+barH/2+5, esc(c.Text(l)), esc(flagSuffix(c)))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above went through esc
}

// trendChart draws one measure (a table row) over the years: a line through the shown counts,
// broken where a count is missing or hidden; provisional points hollow, breaks in series marked.
func trendChart(t *Table, row int, l *Lang) template.HTML {
	const (
		w, h, left, right, top, bottom = 320, 170, 44, 12, 12, 26
	)
	r := t.Rows[row]
	maxV := int64(0)
	for _, c := range r.Cells {
		if c.Shown() && c.Value > maxV {
			maxV = c.Value
		}
	}
	yMax := niceCeil(maxV)
	n := len(t.Years)
	px := func(j int) float64 {
		if n == 1 {
			return float64(left+w-right) / 2
		}
		return float64(left) + float64(j)*float64(w-left-right)/float64(n-1)
	}
	py := func(v int64) float64 {
		return float64(top) + float64(h-top-bottom)*(1-float64(v)/float64(yMax))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart trend stage-%s" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		esc(strings.ToLower(r.Stage)), w, h, esc(r.Label))
	for _, f := range []float64{0, 0.5, 1} {
		v := int64(float64(yMax) * f)
		y := py(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(l.Num(v)))
	}
	for j, y := range t.Years {
		anchor := "middle"
		switch {
		case j == 0 && n > 1:
			anchor = "start"
		case j == n-1 && n > 1:
			anchor = "end"
		}
		if j == 0 || j == n-1 || (n > 6 && j%5 == 0 && j < n-2) {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%d</text>`, px(j), h-8, anchor, y)
		}
	}
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(seg, " "))
		}
		seg = nil
	}
	for j, c := range r.Cells {
		if !c.Shown() {
			flush()
			continue
		}
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", px(j), py(c.Value)))
	}
	flush()
	for j, c := range r.Cells {
		if c.Status == "B" {
			fmt.Fprintf(&b, `<line class="break" x1="%.1f" x2="%.1f" y1="%d" y2="%d"><title>%d: %s</title></line>`,
				px(j), px(j), top, h-bottom, t.Years[j], esc(l.T("flag.b")))
		}
		title := fmt.Sprintf("%d: %s%s", t.Years[j], c.Text(l), flagSuffix(c))
		if !c.Shown() {
			fmt.Fprintf(&b, `<text class="gap" x="%.1f" y="%d" text-anchor="middle">%s<title>%s</title></text>`,
				px(j), h-bottom-4, esc(c.Text(l)), esc(title))
			continue
		}
		cls := "point"
		if c.Status == "P" {
			cls = "point provisional"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="3.5"><title>%s</title></circle>`, cls, px(j), py(c.Value), esc(title))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above went through esc
}

func flagSuffix(c Cell) string {
	if f := c.Flag(); f != "" {
		return " " + f
	}
	return ""
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (at least 10).
func niceCeil(v int64) int64 {
	if v < 10 {
		return 10
	}
	p := int64(math.Pow(10, math.Floor(math.Log10(float64(v)))))
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func esc(s string) string { return html.EscapeString(s) }
