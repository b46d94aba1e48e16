package jobs

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

// The SLA gauge reads what the SLA board lists: an unplanned day late in
// the afternoon has orders at risk on the board, and thugom_sla_orders
// {state="at_risk"} says as many (it used to read 0 while the board listed
// 23).
func TestSLAGaugeMatchesTheBoard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 7, Households: 60, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	seededAt := day.Add(7 * time.Hour)
	if err := db.InTx(ctx, func(tx pgx.Tx) error { _, err := demo.Seed(ctx, tx, sc, seededAt); return err }); err != nil {
		t.Fatal(err)
	}
	// Ten orders due within the watch's horizon, unplanned; five flagged at
	// risk by an earlier watch, due later (the board lists them, the
	// watch's own count does not).
	now := day.Add(13 * time.Hour)
	if _, err := db.Pool.Exec(ctx, `UPDATE orders SET handover_deadline = $1 WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 10)`, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE orders SET handover_deadline = $1, at_risk = true, at_risk_reason = 'earlier watch'
		WHERE id IN (SELECT id FROM orders ORDER BY id OFFSET 10 LIMIT 5)`, now.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	svc, err := New(db, Deps{Logger: slog.New(slog.DiscardHandler), Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.WatchSLA(ctx)
	if err != nil {
		t.Fatal(err)
	}
	items, err := store.SLABoard(ctx, db, 0, 0, day, now)
	if err != nil {
		t.Fatal(err)
	}
	var atRisk, late int
	for _, it := range items {
		if it.AtRisk {
			atRisk++
		}
		if it.Late {
			late++
		}
	}
	t.Logf("watch %+v; board: %d at risk, %d late", rep, atRisk, late)
	if atRisk == 0 {
		t.Fatalf("no order at risk on the board (watch: %+v): the test sees nothing", rep)
	}
	if g := gaugeValue(t, svc.metrics.slaOrders.WithLabelValues("at_risk")); int(g) != atRisk {
		t.Errorf("thugom_sla_orders{state=at_risk} = %v, the board lists %d at risk", g, atRisk)
	}
	if g := gaugeValue(t, svc.metrics.slaOrders.WithLabelValues("late")); int(g) != late {
		t.Errorf("thugom_sla_orders{state=late} = %v, the board lists %d late", g, late)
	}
}

func gaugeValue(t *testing.T, g prometheus.Gauge) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}
