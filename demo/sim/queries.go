package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom/store"
)

// NoSyncCommit makes database's commits not wait for the disk: for thugom
// simulate's own database, made anew each run (a crash loses the run,
// never another database's data), which takes the simulated week's
// thousands of small transactions off the disk's flush time. admin is a
// connection to another database of the same server.
func NoSyncCommit(ctx context.Context, admin store.DBTX, database string) error {
	_, err := admin.Exec(ctx, fmt.Sprintf(query("DatabaseNoSyncCommit"), pgx.Identifier{database}.Sanitize()))
	return err
}

// eachRow runs the named query of sim.sql with args, scans each row into
// dest and calls row.
func eachRow(ctx context.Context, db *store.DB, name string, args, dest []any, row func()) error {
	rows, err := db.Query(ctx, query(name), args...)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, func() error { row(); return nil })
	return err
}

// laterHousehold is a household with a planned pickup later in the day:
// a candidate to answer an SMS.
type laterHousehold struct {
	household int64
	phone     string
	depot     int64
}

// laterHouseholds returns the households with a planned pickup after t in
// a current plan, with their depot, by household.
func laterHouseholds(ctx context.Context, db *store.DB, t time.Time) ([]laterHousehold, error) {
	var out []laterHousehold
	var c laterHousehold
	err := eachRow(ctx, db, "StopsLater", []any{t}, []any{&c.household, &c.phone, &c.depot}, func() { out = append(out, c) })
	return out, err
}

// placedOrder is an order just placed: its depot (0 when none) and
// whether it is at risk from the start.
type placedOrder struct {
	id, depot int64
	atRisk    bool
}

func ordersPlaced(ctx context.Context, db *store.DB, ids []int64) ([]placedOrder, error) {
	var out []placedOrder
	var o placedOrder
	err := eachRow(ctx, db, "OrdersPlaced", []any{ids}, []any{&o.id, &o.depot, &o.atRisk}, func() { out = append(out, o) })
	return out, err
}

// openOrders counts the orders still to collect.
func openOrders(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, query("OrdersOpenCount")).Scan(&n)
	return n, err
}

// failedOrders returns the orders a pickup failed for at least once.
func failedOrders(ctx context.Context, db *store.DB) (map[int64]bool, error) {
	out := map[int64]bool{}
	var id int64
	err := eachRow(ctx, db, "OrdersFailed", nil, []any{&id}, func() { out[id] = true })
	return out, err
}

// pickedWindows returns, by order, the window start of the stop that
// collected it.
func pickedWindows(ctx context.Context, db *store.DB) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	var id int64
	var ws, arr time.Time
	err := eachRow(ctx, db, "StopsPickedUp", nil, []any{&id, &ws, &arr}, func() { out[id] = ws })
	return out, err
}

// windowNotifications returns, by household, when its window
// notifications were written, in order.
func windowNotifications(ctx context.Context, db *store.DB) (map[int64][]time.Time, error) {
	out := map[int64][]time.Time{}
	var h int64
	var at time.Time
	err := eachRow(ctx, db, "NotificationsOfWindow", nil, []any{&h, &at}, func() { out[h] = append(out[h], at) })
	return out, err
}

// notificationTimes returns when every notification was written, in order.
func notificationTimes(ctx context.Context, db *store.DB) ([]time.Time, error) {
	rows, err := db.Query(ctx, query("NotificationTimes"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[time.Time])
}

// nightNotifications counts the messages due to leave at night, and of
// those the ones that could have waited.
func nightNotifications(ctx context.Context, db *store.DB) (all, nonUrgent int, err error) {
	err = db.QueryRow(ctx, query("NotificationsAtNight")).Scan(&all, &nonUrgent)
	return all, nonUrgent, err
}

// weekOrderRow is an order of the week as its account reads it.
type weekOrderRow struct {
	id, depot, household int64
	status, dest, reason string
	placed               time.Time
	promiseHours         int
	deadline, ready      *time.Time
	atRisk               bool
	kg                   float64
	promisedBy           time.Time
	flagged, quoted      bool       // flagged lost at placement; placed with a quote
	keepableBy           *time.Time // offered when flagged
	qEarliest, qLikely   *time.Time // the quote's
}

// weekOrderRows returns every order of the week, by id.
func weekOrderRows(ctx context.Context, db *store.DB) ([]weekOrderRow, error) {
	var out []weekOrderRow
	var o weekOrderRow
	err := eachRow(ctx, db, "OrdersOfWeek", nil, []any{&o.id, &o.status, &o.placed, &o.promiseHours, &o.deadline, &o.ready, &o.dest, &o.depot, &o.atRisk, &o.reason, &o.household, &o.kg,
		&o.promisedBy, &o.flagged, &o.keepableBy, &o.quoted, &o.qEarliest, &o.qLikely},
		func() { out = append(out, o) })
	return out, err
}
