package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
)

// Chart colours. They appear nowhere else in the HTML report, so a rendering test can find
// the charts by colour.
var (
	controlColors = []string{"#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#aec7e8", "#98df8a", "#c5b0d5"}
	actionColors  = map[string]string{"deny": "#d62728", "warn": "#ff7f0e", "audit": "#a67c52", "waived": "#6b8e23"}
	actionOrder   = []string{"deny", "warn", "audit", "waived"}
)

// maxChartDays bounds the daily chart; a longer period shows its last maxChartDays days.
const maxChartDays = 400

// svg builds one chart.
type svg struct {
	b strings.Builder
}

func (s *svg) open(w, h int, label string) {
	fmt.Fprintf(&s.b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`,
		w, h, w, h, template.HTMLEscapeString(label), template.HTMLEscapeString(label))
}

func (s *svg) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`, x, y, w, h, fill, template.HTMLEscapeString(title))
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string) {
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, x1, y1, x2, y2, stroke)
}

func (s *svg) text(x, y float64, anchor, text string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="11" fill="#333">%s</text>`, x, y, anchor, template.HTMLEscapeString(text))
}

func (s *svg) html() template.HTML {
	s.b.WriteString("</svg>")
	return template.HTML(s.b.String()) //nolint:gosec // every text in it is escaped above
}

// axisStep is the step of a four-step axis that reaches v: 1, 2, 3 or 5 times a power of
// ten, so every tick is a whole number.
func axisStep(v int) int {
	need := (v + 3) / 4
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 3, 5} {
			if m*p >= need {
				return m * p
			}
		}
	}
}

// chartDays lists the days of the daily chart: the whole period when it is bounded, else the
// days from the first to the last record.
func chartDays(r *Report) []string {
	from, to := r.Period.From, r.Period.To
	if from.IsZero() {
		from = r.Period.First
	}
	if to.IsZero() {
		to = r.Period.Last.Add(time.Nanosecond)
	}
	if from.IsZero() || !to.After(from) {
		return nil
	}
	var days []string
	for d := from.UTC().Truncate(24 * time.Hour); d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	if len(days) > maxChartDays {
		days = days[len(days)-maxChartDays:]
	}
	return days
}

// dailyChart draws requests with findings per day, stacked by SOC 2 control.
func dailyChart(r *Report) template.HTML {
	const w, h, left, right, top, bottom = 1080, 320, 48, 170, 16, 40
	days := chartDays(r)
	var controls []string
	counts := map[[2]string]int{}
	for _, d := range r.Daily {
		if !slices.Contains(controls, d.Control) {
			controls = append(controls, d.Control)
		}
		counts[[2]string{d.Day, d.Control}] = d.Count
	}
	slices.Sort(controls)
	highest := 0
	for _, day := range days {
		sum := 0
		for _, c := range controls {
			sum += counts[[2]string{day, c}]
		}
		highest = max(highest, sum)
	}
	var s svg
	s.open(w, h, "Requests with findings per day, by SOC 2 control")
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	if len(days) == 0 || highest == 0 {
		s.text(float64(w)/2, float64(h)/2, "middle", "No findings in the period.")
		return s.html()
	}
	step := axisStep(highest)
	ymax := 4 * step
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH - plotH*float64(i)/4
		s.line(left, y, float64(left)+plotW, y, "#e5e5e5")
		s.text(left-6, y+4, "end", fmt.Sprint(step*i))
	}
	slot := plotW / float64(len(days))
	barW := math.Max(slot*0.8, 1)
	every := int(math.Ceil(float64(len(days)) / 14))
	for i, day := range days {
		x := float64(left) + slot*float64(i) + (slot-barW)/2
		y := float64(top) + plotH
		for ci, c := range controls {
			n := counts[[2]string{day, c}]
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / float64(ymax)
			y -= bh
			s.rect(x, y, barW, bh, controlColors[ci%len(controlColors)], fmt.Sprintf("%s %s: %d", day, c, n))
		}
		if i%every == 0 {
			s.text(float64(left)+slot*float64(i)+slot/2, float64(h-bottom)+16, "middle", day[5:])
		}
	}
	s.line(left, float64(top)+plotH, float64(left)+plotW, float64(top)+plotH, "#999")
	for ci, c := range controls {
		y := float64(top + 4 + ci*18)
		s.rect(float64(w-right)+16, y, 12, 12, controlColors[ci%len(controlColors)], c)
		s.text(float64(w-right)+34, y+10, "start", c)
	}
	return s.html()
}

// topPoliciesChart draws the most violated policies, each bar split by the action taken.
func topPoliciesChart(r *Report, top int) template.HTML {
	const w, labelW, right, rowH = 1080, 320, 60, 26
	var rows []PolicyUse
	for _, p := range r.Policies { // already sorted by violations
		if p.Violations > 0 && len(rows) < top {
			rows = append(rows, p)
		}
	}
	h := max(len(rows), 1)*rowH + 40
	var s svg
	s.open(w, h, "Most violated policies, by action taken")
	if len(rows) == 0 {
		s.text(float64(w)/2, float64(h)/2, "middle", "No policy violations in the period.")
		return s.html()
	}
	plotW := float64(w - labelW - right)
	scale := plotW / float64(rows[0].Violations)
	for i, p := range rows {
		y := float64(8 + i*rowH)
		label := p.ID
		if p.Title != "" {
			label += " " + p.Title
		}
		if len(label) > 48 {
			label = label[:47] + "…"
		}
		s.text(labelW-8, y+14, "end", label)
		x := float64(labelW)
		for _, a := range actionOrder {
			n := p.Actions[a]
			if n == 0 {
				continue
			}
			bw := scale * float64(n)
			s.rect(x, y, bw, rowH-8, actionColors[a], fmt.Sprintf("%s %s: %d", p.ID, a, n))
			x += bw
		}
		s.text(x+6, y+14, "start", fmt.Sprint(p.Violations))
	}
	y := float64(h - 14)
	for i, a := range actionOrder {
		x := float64(labelW) + float64(i)*90
		s.rect(x, y-10, 12, 12, actionColors[a], a)
		s.text(x+18, y, "start", a)
	}
	return s.html()
}
