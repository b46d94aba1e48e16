package sim

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// WriteHTML writes the report of the days as one self-contained HTML page
// (inline CSS and SVG, no script, no external resource) that a provincial
// official can read, in language l (LangVi, or LangEn): the headline
// figures, on time per day, how late the late orders were, how old the
// produce was at handover, and where the late orders were. Given other
// runs (the same days in another promise mode, read back from their
// JSON), its promise figures show them side by side.
func WriteHTML(w io.Writer, rep *WeekReport, l Lang, others ...*WeekReport) error {
	lg := langOf(l)
	t := rep.Total
	heads, rows := promiseRows(lg, append([]*WeekReport{rep}, others...))
	days := lg.s("days_n", lg.int(len(rep.Days)))
	if len(rep.Days) == 1 {
		days = lg.s("days_1")
	}
	budgets := rep.Budgets
	if budgets == BudgetsSaid {
		budgets = lg.s("budgets")
	}
	data := map[string]any{
		"Lang":    string(lg.code),
		"Title":   lg.title(len(rep.Days)),
		"DaysSay": days,
		"WhatIf":  strings.ReplaceAll(rep.WhatIf, langEn.s("what_if_bikes"), lg.s("what_if_bikes")),
		"Budgets": budgets,
		"PHeads":  heads,
		"PRows":   rows,
		"R":       rep,
		"T":       t,
		"Rate":    lg.pct(t.WithinPromiseRate),
		"Notice":  lg.pct(t.WindowNotice12hRate),
		"First":   lg.pct(t.ImpossibleFirstDayRt),
		"Best":    lg.pct(t.BestPossibleRate),
		"Reach":   lg.pct(t.WithinReachableRate),
		"OnTime":  ownSVG(onTimeSVG(lg, rep)),
		"Late":    ownSVG(histSVG(lg, t.LateHistogram, binLabels(lg, LateBins, lg.s("unit_min")), "#c0392b", lg.s("late_plot"))),
		"Age":     ownSVG(histSVG(lg, t.AgeHistogram, binLabels(lg, AgeBins, lg.s("unit_h")), "#2471a3", lg.s("age_plot"))),
		"Map":     ownSVG(mapSVG(lg, rep)),
		"Causes":  lateCauses(lg, t),
	}
	p, err := page.Clone()
	if err != nil {
		return err
	}
	p.Funcs(template.FuncMap{"msg": lg.msg, "int": lg.int, "num": lg.num, "pct": lg.pct, "hours": lg.hours, "day": lg.day})
	return p.Execute(w, data)
}

// promiseRow is one figure of the promises table, one value per run.
type promiseRow struct {
	Label  string
	Values []string
}

// promiseRows are the runs' promise figures (PromiseFigures), a column
// per run headed by its mode.
func promiseRows(l *lang, reps []*WeekReport) ([]string, []promiseRow) {
	heads := make([]string, len(reps))
	var rows []promiseRow
	for _, k := range []string{"p_orders", "p_quoted", "p_within", "p_flagged", "p_keepable", "p_fl_kept", "p_fl_by",
		"p_len50", "p_len90", "p_second", "p_earlier", "p_age", "p_wall"} {
		rows = append(rows, promiseRow{Label: l.s(k)})
	}
	h := func(x float64) string { return l.fixed(x, 1) + " " + l.s("unit_h") }
	for k, r := range reps {
		p := r.Promises
		heads[k] = l.s("mode_" + nonEmpty(p.Mode, PromisesPolicy))
		vals := []string{l.int(p.Orders), l.int(p.Quoted), l.pct(p.WithinPromiseRate), l.int(p.Flagged), l.pct(p.WithinKeepableRate),
			fmt.Sprintf("%s (%s)", l.int(p.FlaggedWithinPromise), l.pct(p.FlaggedWithinPromiseRate)), fmt.Sprintf("%s (%s)", l.int(p.FlaggedByKeepable), l.pct(p.FlaggedByKeepableRate)),
			fmt.Sprintf("%s (%s)", h(p.PromiseHoursP50), h(p.PolicyPromiseHoursP50)), h(p.PromiseHoursP90), l.pct(p.BySecondTruckRate),
			l.int(p.EarlierThanPossible), h(p.AgeP95Min / 60), l.fixed(p.WallSeconds, 0) + " " + l.s("unit_s")}
		for i := range rows {
			rows[i].Values = append(rows[i].Values, vals[i])
		}
	}
	return heads, rows
}

func nonEmpty(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// ownSVG marks the report's own drawings safe for the page: they are
// built here from numbers and fixed labels, nothing a user typed.
func ownSVG(s string) template.HTML {
	return template.HTML(s) //nolint:gosec // G203: our own SVG, no user input
}

// lateCause is one line of the "why late" table.
type lateCause struct {
	Text string
	N    int
	Pct  string
}

// lateCauseKeys are the causes of lateness (Account.LateBy) in the order
// the report says them, each for a reader outside the post (cause_ texts).
var lateCauseKeys = []string{"promise_unreachable", "after_failed_pickup", "household_later", "same_day", "later_day"}

func lateCauses(l *lang, t Account) []lateCause {
	var out []lateCause
	for _, c := range lateCauseKeys {
		if n := t.LateBy[c]; n > 0 {
			out = append(out, lateCause{Text: l.s("cause_" + c), N: n, Pct: l.pct(float64(n) / float64(max(1, t.Placed-t.Cancelled)))})
		}
	}
	return out
}

func binLabels(l *lang, bounds []int, unit string) []string {
	var out []string
	lo := 0
	for _, b := range bounds {
		out = append(out, fmt.Sprintf("%s–%s", l.int(lo), l.int(b)))
		lo = b
	}
	return append(out, fmt.Sprintf("> %s %s", l.int(lo), unit))
}

// onTimeSVG: a bar per day, stacked within promise / late / never
// collected, with the 97 % line.
func onTimeSVG(l *lang, rep *WeekReport) string {
	const W, H, left, bottom = 640, 260, 48, 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, W, H, W, H, template.HTMLEscapeString(l.s("on_time_plot")))
	plotH := float64(H - bottom - 20)
	n := len(rep.Days)
	bw := float64(W-left-20) / float64(max(1, n))
	for k := 0; k <= 4; k++ {
		y := 20 + plotH*float64(k)/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" font-size="11" text-anchor="end">%d %%</text>`,
			left, W-20, y, y, left-6, y+4, 100-25*k)
	}
	for i, d := range rep.Days {
		den := float64(max(1, d.Placed-d.Cancelled))
		x := float64(left) + bw*float64(i) + bw*0.15
		y := 20.0
		for _, part := range []struct {
			n     int
			color string
		}{{d.NeverCollected, "#7b241c"}, {d.Late, "#e67e22"}, {d.WithinPromise, "#27ae60"}} {
			h := plotH * float64(part.n) / den
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, y, bw*0.7, h, part.color)
			y += h
		}
		label := l.shortDay(d.Day)
		if d.Rainy {
			label += " ☂"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.35, H-bottom+16, label)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.35, H-bottom+30, l.pct(d.WithinPromiseRate))
	}
	y97 := 20 + plotH*0.03
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-dasharray="4 3"/><text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>`,
		left, W-20, y97, y97, W-22, y97-3, template.HTMLEscapeString(l.s("target")))
	b.WriteString(`</svg>`)
	return b.String()
}

func histSVG(l *lang, counts []int, labels []string, color, title string) string {
	const W, H, left, bottom = 640, 230, 48, 36
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, W, H, W, H, template.HTMLEscapeString(title))
	top := 1
	for _, c := range counts {
		top = max(top, c)
	}
	plotH := float64(H - bottom - 20)
	bw := float64(W-left-20) / float64(len(counts))
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#999"/>`, left, W-20, 20+plotH, 20+plotH)
	for i, c := range counts {
		h := plotH * float64(c) / float64(top)
		x := float64(left) + bw*float64(i) + bw*0.1
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, 20+plotH-h, bw*0.8, h, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.4, 20+plotH-h-4, l.int(c))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.4, H-bottom+16, template.HTMLEscapeString(labels[i]))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// mapSVG plots the late (orange, size by lateness) and never collected
// (dark red crosses) orders on the province's outline box, with the
// depots (black squares). Longitude and latitude are projected
// equirectangularly at the province's latitude.
func mapSVG(l *lang, rep *WeekReport) string {
	const W, H, pad = 640, 520, 20
	minLon, maxLon, minLat, maxLat := 106.0, 107.4, 21.3, 22.5
	for _, p := range rep.Depot {
		minLon, maxLon = math.Min(minLon, p[0]), math.Max(maxLon, p[0])
		minLat, maxLat = math.Min(minLat, p[1]), math.Max(maxLat, p[1])
	}
	k := math.Cos(22 * math.Pi / 180)
	sx := float64(W-2*pad) / ((maxLon - minLon) * k)
	sy := float64(H-2*pad) / (maxLat - minLat)
	s := math.Min(sx, sy)
	xy := func(lon, lat float64) (float64, float64) {
		return pad + (lon-minLon)*k*s, pad + (maxLat-lat)*s
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, W, H, W, H, template.HTMLEscapeString(l.s("map_plot")))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#f4f6f0" stroke="#ccc"/>`, W, H)
	for _, o := range rep.LateOrders {
		if o.Lon == 0 && o.Lat == 0 {
			continue
		}
		x, y := xy(o.Lon, o.Lat)
		if o.Never {
			fmt.Fprintf(&b, `<path d="M%.1f %.1fl6 6m0 -6l-6 6" stroke="#7b241c" stroke-width="2"/>`, x-3, y-3)
			continue
		}
		r := 2 + math.Min(6, math.Sqrt(o.LateMin/60))
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#e67e22" fill-opacity="0.55" stroke="#a04000" stroke-width="0.5"/>`, x, y, r)
	}
	for _, p := range rep.Depot {
		x, y := xy(p[0], p[1])
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="8" height="8" fill="#000"/>`, x-4, y-4)
	}
	// Scale bar: 10 km.
	km10 := 10 / 111.32 * s
	fmt.Fprintf(&b, `<line x1="%d" x2="%.1f" y1="%d" y2="%d" stroke="#000" stroke-width="2"/><text x="%d" y="%d" font-size="11">10 km</text>`,
		pad, pad+km10, H-pad, H-pad, pad, H-pad-5)
	b.WriteString(`</svg>`)
	return b.String()
}

// page is the report; its texts and numbers come from the language's
// functions (WriteHTML binds them; these are placeholders for parsing).
var page = template.Must(template.New("report").Funcs(template.FuncMap{"msg": langEn.msg, "int": langEn.int, "num": langEn.num,
	"pct": langEn.pct, "hours": langEn.hours, "day": langEn.day}).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{msg "doc_title" .Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:720px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
.big{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0} .big div{flex:1 1 150px;background:#f4f6f0;padding:.6em .8em;border-radius:6px}
.big b{display:block;font-size:1.6em} table{border-collapse:collapse;font-size:.75em;width:100%} td,th{border-bottom:1px solid #eee;padding:.25em .4em;text-align:right}
th:first-child,td:first-child{text-align:left} .key span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}
small{color:#666}
</style></head><body>
<h1>{{.Title}}</h1>
{{with .WhatIf}}<p style="background:#fdebd0;padding:.5em .8em;border-radius:6px">{{msg "what_if" .}}</p>{{end}}
<p>{{msg "intro" .DaysSay (int .R.Households) (int .R.Depots) .R.Seed}}</p>
<div class="big">
<div>{{msg "big_rate" .Rate (int .T.WithinPromise) (int .T.Placed) (int .T.Cancelled)}}{{if .R.Carriers}}{{msg "big_rate_estimate"}}{{end}}</div>
{{with .R.Carriers}}<div>{{msg "big_facts" (pct .Delivery.WithinPromiseRate) (int .Delivery.WithinPromise) (int .Delivery.ByCarrier) (int .Delivery.Estimated) (num .Delivery.AfterEstimateP50Min) (num .Delivery.AfterEstimateP90Min)}}</div>{{end}}
<div>{{msg "big_late" (int .T.Late) (hours .T.LateMinutesP50) (hours .T.LateMinutesP95)}}</div>
<div>{{msg "big_never" (int .T.NeverCollected)}}</div>
<div>{{msg "big_age" (hours .T.AgeP95) (hours .T.AgeP50)}}</div>
<div>{{msg "big_notice" .Notice}}</div>
<div>{{msg "big_night" (int .T.NightSMSNonUrgent) (int .T.NightSMS)}}</div>
<div>{{msg "big_first" .First (int .T.ImpossibleFirstDay) (int .T.ImpossibleAtPlacement)}}</div>
</div>
<h2>{{msg "h_on_time"}}</h2>
<p class="key"><span style="background:#27ae60"></span>{{msg "key_within"}}<span style="background:#e67e22"></span>{{msg "key_late"}}<span style="background:#7b241c"></span>{{msg "key_never"}} <small>{{msg "key_rainy"}}</small></p>
{{.OnTime}}
<h2>{{msg "h_why"}}</h2>
<table>{{range .Causes}}<tr><td>{{.Text}}</td><td>{{int .N}}</td><td>{{msg "of_orders" .Pct}}</td></tr>{{end}}</table>
<p>{{msg "best" .Best .Reach}}
{{if .T.NoDeparture}}{{msg "no_dep" (int .T.NoDeparture)}}{{end}}</p>
{{with .R.After}}<p><small>{{msg "after" (int (len $.R.Days)) (day .Day) (num .KM) (int .PickupFailures)}}</small></p>{{end}}
{{with .R.Carriers}}<p><small>{{msg "carriers" (int .ShipmentsCreated) (int .OrdersPickedUp) (int .TransitionsSent) (int .UpdatesReceived) (int .UpdatesMissing) (int .UpdatesTwice) (int .OutOfOrder) (int .WebhooksSent) (int .StatusesKept) (int .StatusesTwice)}}{{with .Outage}} {{msg "carriers_outage" .From .To (int .Refused) (int .Backlog) .DrainedBy}}{{end}}</small></p>{{end}}
<h2>{{msg "h_promises"}}</h2>
<p><small>{{msg "promises"}}</small></p>
<table><tr><th></th>{{range .PHeads}}<th>{{.}}</th>{{end}}</tr>{{range .PRows}}<tr><td>{{.Label}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
<h2>{{msg "h_late"}}</h2>
{{.Late}}
<h2>{{msg "h_age"}}</h2>
<p><small>{{msg "age_note"}}</small></p>
{{.Age}}
<h2>{{msg "h_map"}}</h2>
<p class="key"><span style="background:#e67e22;border-radius:50%"></span>{{msg "map_late"}}<span style="background:#7b241c"></span>{{msg "map_never"}}<span style="background:#000"></span>{{msg "map_depot"}}</p>
{{.Map}}
<h2>{{msg "h_days"}}</h2>
<div style="overflow-x:auto"><table><tr><th>{{msg "c_day"}}</th><th>{{msg "c_placed"}}</th><th>{{msg "c_cancelled"}}</th><th>{{msg "c_within"}}</th><th>{{msg "c_late"}}</th><th>{{msg "c_never"}}</th><th>{{msg "c_rate"}}</th><th>{{msg "c_age"}}</th><th>{{msg "c_notice"}}</th><th>{{msg "c_km"}}</th><th>{{msg "c_litres"}}</th><th>{{msg "c_vehicles"}}</th><th>{{msg "c_driver"}}</th><th>{{msg "c_sms"}}</th></tr>
{{range .R.Days}}<tr><td>{{day .Day}}{{if .Rainy}} ☂{{end}}</td><td>{{int .Placed}}</td><td>{{int .Cancelled}}</td><td>{{int .WithinPromise}}</td><td>{{int .Late}}</td><td>{{int .NeverCollected}}</td><td>{{pct .WithinPromiseRate}}</td><td>{{num .AgeP95}}</td><td>{{pct .WindowNotice12hRate}}</td><td>{{num .KM}}</td><td>{{num .LitresPerKg}}</td><td>{{int .VehiclesUsed}}</td><td>{{num .DriverHours}}</td><td>{{int .SMS}}</td></tr>
{{end}}<tr><th>{{msg "c_total"}}</th><th>{{int .T.Placed}}</th><th>{{int .T.Cancelled}}</th><th>{{int .T.WithinPromise}}</th><th>{{int .T.Late}}</th><th>{{int .T.NeverCollected}}</th><th>{{.Rate}}</th><th>{{num .T.AgeP95}}</th><th>{{.Notice}}</th><th>{{num .T.KM}}</th><th>{{num .T.LitresPerKg}}</th><th>{{int .T.VehiclesUsed}}</th><th>{{num .T.DriverHours}}</th><th>{{int .T.SMS}}</th></tr></table></div>
<p><small>{{msg "footer" (num .T.KgCollected) (num .T.KM) (num .T.KMPerKg) (num .T.Litres) (int .T.PickupFailures) (int .T.Breakdowns) (int .T.Postponed) (int .T.Replans) .Budgets}}</small></p>
</body></html>
`))
