package sim

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
)

// WriteHTML writes the week's report as one self-contained HTML page
// (inline CSS and SVG, no script, no external resource) that a provincial
// official can read: the headline figures, on time per day, how late the
// late orders were, how old the produce was at handover, and where the late
// orders were. Given other runs (the same week in another promise mode,
// read back from their JSON), its promise figures show them side by side.
func WriteHTML(w io.Writer, rep *WeekReport, others ...*WeekReport) error {
	t := rep.Total
	heads, rows := promiseRows(append([]*WeekReport{rep}, others...))
	data := map[string]any{
		"PHeads": heads,
		"PRows":  rows,
		"R":      rep,
		"T":      t,
		"Rate":   pct(t.WithinPromiseRate),
		"Notice": pct(t.WindowNotice12hRate),
		"First":  pct(t.ImpossibleFirstDayRt),
		"Best":   pct(t.BestPossibleRate),
		"Reach":  pct(t.WithinReachableRate),
		"OnTime": ownSVG(onTimeSVG(rep)),
		"Late":   ownSVG(histSVG(t.LateHistogram, binLabels(LateBins, "min"), "#c0392b", "orders late by (minutes at the buyer, after the promise)")),
		"Age":    ownSVG(histSVG(t.AgeHistogram, binLabels(AgeBins, "h"), "#2471a3", "orders by produce age at handover (hours since ready)")),
		"Map":    ownSVG(mapSVG(rep)),
		"Causes": lateCauses(t),
	}
	return page.Execute(w, data)
}

// promiseRow is one figure of the promises table, one value per run.
type promiseRow struct {
	Label  string
	Values []string
}

// promiseRows are the runs' promise figures (PromiseFigures), a column
// per run headed by its mode.
func promiseRows(reps []*WeekReport) ([]string, []promiseRow) {
	heads := make([]string, len(reps))
	rows := []promiseRow{
		{Label: "orders (placed − cancelled)"}, {Label: "placed with a quote"}, {Label: "within promise, of all"},
		{Label: "flagged at placement (promise lost, marketplace told)"}, {Label: "within promise, of the keepable (not flagged)"},
		{Label: "flagged, arrived within the original promise anyway"}, {Label: "flagged, arrived by the keepable_by offered"},
		{Label: "promise length, median (policy's for the same orders)"}, {Label: "promise length, p90"},
		{Label: "promise no later than the second truck after the earliest possible"}, {Label: "quotes earlier than physically possible"},
		{Label: "produce age at handover, p95"}, {Label: "wall time"},
	}
	for k, r := range reps {
		p := r.Promises
		heads[k] = nonEmpty(p.Mode, PromisesPolicy)
		vals := []string{fmt.Sprint(p.Orders), fmt.Sprint(p.Quoted), pct(p.WithinPromiseRate), fmt.Sprint(p.Flagged), pct(p.WithinKeepableRate),
			fmt.Sprintf("%d (%s)", p.FlaggedWithinPromise, pct(p.FlaggedWithinPromiseRate)), fmt.Sprintf("%d (%s)", p.FlaggedByKeepable, pct(p.FlaggedByKeepableRate)),
			fmt.Sprintf("%.1f h (%.1f h)", p.PromiseHoursP50, p.PolicyPromiseHoursP50), fmt.Sprintf("%.1f h", p.PromiseHoursP90), pct(p.BySecondTruckRate),
			fmt.Sprint(p.EarlierThanPossible), fmt.Sprintf("%.1f h", p.AgeP95Min/60), fmt.Sprintf("%.0f s", p.WallSeconds)}
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

// lateCauseText says each cause of lateness for a reader outside the post.
var lateCauseText = []struct{ key, text string }{
	{"promise_unreachable", "the promise was lost at placement, and the marketplace told so: even collected the moment it was ready by a free vehicle, no line-haul truck could reach the buyer within it"},
	{"after_failed_pickup", "a pickup failed (nobody home, not ready) and the second visit was too late for the truck"},
	{"household_later", "the household postponed, or had the produce ready later than it first said"},
	{"same_day", "collected on its day, but after the truck its promise needed (the vehicles were busy elsewhere)"},
	{"later_day", "collected on a later day (the vehicles were full on its day)"},
}

func lateCauses(t Account) []lateCause {
	var out []lateCause
	for _, c := range lateCauseText {
		if n := t.LateBy[c.key]; n > 0 {
			out = append(out, lateCause{Text: c.text, N: n, Pct: pct(float64(n) / float64(max(1, t.Placed-t.Cancelled)))})
		}
	}
	return out
}

func pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }

func binLabels(bounds []int, unit string) []string {
	var out []string
	lo := 0
	for _, b := range bounds {
		out = append(out, fmt.Sprintf("%d–%d", lo, b))
		lo = b
	}
	return append(out, fmt.Sprintf("> %d %s", lo, unit))
}

// onTimeSVG: a bar per day, stacked within promise / late / never
// collected, with the 97 % line.
func onTimeSVG(rep *WeekReport) string {
	const W, H, left, bottom = 640, 260, 48, 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="on time per day">`, W, H, W, H)
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
		label := d.Day[5:]
		if d.Rainy {
			label += " ☂"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.35, H-bottom+16, label)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%.1f %%</text>`, x+bw*0.35, H-bottom+30, 100*d.WithinPromiseRate)
	}
	y97 := 20 + plotH*0.03
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-dasharray="4 3"/><text x="%d" y="%.1f" font-size="10" text-anchor="end">target 97 %%</text>`,
		left, W-20, y97, y97, W-22, y97-3)
	b.WriteString(`</svg>`)
	return b.String()
}

func histSVG(counts []int, labels []string, color, title string) string {
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
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%d</text>`, x+bw*0.4, 20+plotH-h-4, c)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+bw*0.4, H-bottom+16, template.HTMLEscapeString(labels[i]))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// mapSVG plots the late (orange, size by lateness) and never collected
// (dark red crosses) orders on the province's outline box, with the
// depots (black squares). Longitude and latitude are projected
// equirectangularly at the province's latitude.
func mapSVG(rep *WeekReport) string {
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
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="map of late orders">`, W, H, W, H)
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

var page = template.Must(template.New("report").Funcs(template.FuncMap{"mul100": func(x float64) float64 { return 100 * x },
	"hours": func(minutes float64) string { return fmt.Sprintf("%.1f h", minutes/60) }}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harvest week: pickups of farm produce in Lạng Sơn</title>
<style>
body{font-family:system-ui,sans-serif;max-width:720px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}
.big{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0} .big div{flex:1 1 150px;background:#f4f6f0;padding:.6em .8em;border-radius:6px}
.big b{display:block;font-size:1.6em} table{border-collapse:collapse;font-size:.75em;width:100%} td,th{border-bottom:1px solid #eee;padding:.25em .4em;text-align:right}
th:first-child,td:first-child{text-align:left} .key span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}
small{color:#666}
</style></head><body>
<h1>A harvest week of pickups</h1>
{{with .R.WhatIf}}<p style="background:#fdebd0;padding:.5em .8em;border-radius:6px"><b>What-if run, not the network as it is:</b> {{.}}.</p>{{end}}
<p>{{len .R.Days}} days, {{.R.Households}} households, {{.R.Depots}} post office depots (simulation, seed {{.R.Seed}}).
Every order a household placed is counted; only orders the household itself cancelled are left out of the rate.</p>
<div class="big">
<div><b>{{.Rate}}</b>of orders reached the buyer within the promise ({{.T.WithinPromise}} of {{.T.Placed}} placed, {{.T.Cancelled}} cancelled by the household){{if .R.Carriers}}, on thugom's estimate (the first truck after the handover, plus its transit){{end}}</div>
{{with .R.Carriers}}<div><b>{{printf "%.1f" (mul100 .Delivery.WithinPromiseRate)}} %</b>within the promise on the carriers' facts ({{.Delivery.WithinPromise}}: delivered_at told by their webhooks for {{.Delivery.ByCarrier}} orders, the estimate for {{.Delivery.Estimated}}; half delivered at most {{.Delivery.AfterEstimateP50Min}} min after the estimate, 90 % at most {{.Delivery.AfterEstimateP90Min}})</div>{{end}}
<div><b>{{.T.Late}}</b>orders late (half of them by at most {{hours .T.LateMinutesP50}}, 95 % by at most {{hours .T.LateMinutesP95}})</div>
<div><b>{{.T.NeverCollected}}</b>orders never collected</div>
<div><b>{{hours .T.AgeP95}}</b>at most, the age of the produce at handover for 95 % of orders (half under {{hours .T.AgeP50}})</div>
<div><b>{{.Notice}}</b>of households who sold by 17:00 the day before knew their pickup time 12 hours ahead</div>
<div><b>{{.T.NightSMSNonUrgent}}</b>messages that could have waited were sent at night (21:00–06:30); {{.T.NightSMS}} urgent ones left then, for a pickup before 07:30</div>
<div><b>{{.First}}</b>of orders whose promise was impossible from the start were collected on their first possible day ({{.T.ImpossibleFirstDay}} of {{.T.ImpossibleAtPlacement}})</div>
</div>
<h2>Orders within the promise, day by day</h2>
<p class="key"><span style="background:#27ae60"></span>within promise<span style="background:#e67e22"></span>late<span style="background:#7b241c"></span>never collected <small>☂ rainy day: travel 40 % slower</small></p>
{{.OnTime}}
<h2>Why were orders late?</h2>
<table>{{range .Causes}}<tr><td>{{.Text}}</td><td>{{.N}}</td><td>{{.Pct}} of orders</td></tr>{{end}}</table>
<p>On this network (its line-haul trucks and their hours) no plan could have kept more than <b>{{.Best}}</b> of the promises; of the orders some plan could have kept, {{.Reach}} were kept.
{{if .T.NoDeparture}}For {{.T.NoDeparture}} orders no truck at all reached the buyer within the promise, even had the produce been at the post office the minute the order was placed: only an earlier or faster truck could keep those.{{end}}</p>
{{with .R.After}}<p><small>The week's last orders still open after day {{len $.R.Days}} were collected on the following days ({{.Day}}: {{.KM}} km, {{.PickupFailures}} failed pickups tried again); they count on their own day.</small></p>{{end}}
{{with .R.Carriers}}<p><small>The carriers (their fakes, through thugom's connectors, River and webhooks): {{.ShipmentsCreated}} shipments for {{.OrdersPickedUp}} orders picked up; {{.TransitionsSent}} status updates sent, {{.UpdatesReceived}} received ({{.UpdatesMissing}} missing, {{.UpdatesTwice}} twice, {{.OutOfOrder}} orders out of order); {{.WebhooksSent}} webhooks, {{.StatusesKept}} statuses kept ({{.StatusesTwice}} twice).{{with .Outage}} Both carriers down {{.From}}–{{.To}}: {{.Refused}} requests refused, {{.Backlog}} messages waiting when they came back, all sent by {{.DrainedBy}}.{{end}}</small></p>{{end}}
<h2>Promises</h2>
<p><small>policy: the marketplace's 24 h / 48 h promise, with the orders thugom knew lost told apart at placement; quoted: each order first asked thugom's quote (capable-to-promise: readiness, distance, vehicles, timetable, freshness, failed visits) and got its date.</small></p>
<table><tr><th></th>{{range .PHeads}}<th>{{.}}</th>{{end}}</tr>{{range .PRows}}<tr><td>{{.Label}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
<h2>How late were the late orders?</h2>
{{.Late}}
<h2>How old was the produce when it reached the depot?</h2>
<p><small>Hours from the time the household said the produce was ready to the handover at the post office.</small></p>
{{.Age}}
<h2>Where were the late orders?</h2>
<p class="key"><span style="background:#e67e22;border-radius:50%"></span>late (larger: later)<span style="background:#7b241c"></span>never collected (×)<span style="background:#000"></span>depot</p>
{{.Map}}
<h2>Day by day</h2>
<div style="overflow-x:auto"><table><tr><th>day</th><th>placed</th><th>cancelled</th><th>within</th><th>late</th><th>never</th><th>rate</th><th>age p95 (min)</th><th>12 h notice</th><th>km</th><th>litres/kg</th><th>vehicles</th><th>driver-h</th><th>SMS</th></tr>
{{range .R.Days}}<tr><td>{{.Day}}{{if .Rainy}} ☂{{end}}</td><td>{{.Placed}}</td><td>{{.Cancelled}}</td><td>{{.WithinPromise}}</td><td>{{.Late}}</td><td>{{.NeverCollected}}</td><td>{{printf "%.1f" (mul100 .WithinPromiseRate)}} %</td><td>{{.AgeP95}}</td><td>{{printf "%.1f" (mul100 .WindowNotice12hRate)}} %</td><td>{{.KM}}</td><td>{{.LitresPerKg}}</td><td>{{.VehiclesUsed}}</td><td>{{.DriverHours}}</td><td>{{.SMS}}</td></tr>
{{end}}<tr><th>week</th><th>{{.T.Placed}}</th><th>{{.T.Cancelled}}</th><th>{{.T.WithinPromise}}</th><th>{{.T.Late}}</th><th>{{.T.NeverCollected}}</th><th>{{.Rate}}</th><th>{{.T.AgeP95}}</th><th>{{.Notice}}</th><th>{{.T.KM}}</th><th>{{.T.LitresPerKg}}</th><th>{{.T.VehiclesUsed}}</th><th>{{.T.DriverHours}}</th><th>{{.T.SMS}}</th></tr></table></div>
<p><small>Collected {{.T.KgCollected}} kg with {{.T.KM}} km ({{.T.KMPerKg}} km per kg) and about {{.T.Litres}} litres of fuel; {{.T.PickupFailures}} pickups failed and were tried again, {{.T.Breakdowns}} vehicles broke down, {{.T.Postponed}} households postponed, {{.T.Replans}} re-plans. Planning: {{.R.Budgets}}. Lateness is the estimated delivery to the buyer (the first line-haul truck after the handover, plus its transit) after the promised time.</small></p>
</body></html>
`))
