package sim

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

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
	rows, err := db.Query(ctx, query("StopsLater"), t)
	if err != nil {
		return nil, err
	}
	var out []laterHousehold
	for rows.Next() {
		var c laterHousehold
		if err := rows.Scan(&c.household, &c.phone, &c.depot); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	return out, rows.Err()
}

func ordersAtRisk(ctx context.Context, db *store.DB) ([]int64, error) {
	rows, err := db.Query(ctx, query("OrdersAtRisk"))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func ordersWithStatus(ctx context.Context, db *store.DB, status string) ([]int64, error) {
	rows, err := db.Query(ctx, query("OrdersWithStatus"), status)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// orderDeadlines returns every order's handover deadline (those with one).
func orderDeadlines(ctx context.Context, db *store.DB) (map[int64]time.Time, error) {
	rows, err := db.Query(ctx, query("OrderDeadlines"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var dl *time.Time
		if err := rows.Scan(&id, &dl); err != nil {
			return nil, err
		}
		if dl != nil {
			out[id] = *dl
		}
	}
	return out, rows.Err()
}

// householdPoints returns every geocoded household's place.
func householdPoints(ctx context.Context, db *store.DB) (map[int64]orb.Point, error) {
	rows, err := db.Query(ctx, query("HouseholdPoints"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]orb.Point{}
	for rows.Next() {
		var id int64
		var lon, lat float64
		if err := rows.Scan(&id, &lon, &lat); err != nil {
			return nil, err
		}
		out[id] = orb.Point{lon, lat}
	}
	return out, rows.Err()
}

func orderStatuses(ctx context.Context, db *store.DB) (map[int64]string, error) {
	rows, err := db.Query(ctx, query("OrderStatuses"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

// placedOrder is an order just placed: its depot (0 when none) and
// whether it is at risk from the start.
type placedOrder struct {
	id, depot int64
	atRisk    bool
}

func ordersPlaced(ctx context.Context, db *store.DB, ids []int64) ([]placedOrder, error) {
	rows, err := db.Query(ctx, query("OrdersPlaced"), ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []placedOrder
	for rows.Next() {
		var o placedOrder
		if err := rows.Scan(&o.id, &o.depot, &o.atRisk); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// openOrders counts the orders still to collect.
func openOrders(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, query("OrdersOpenCount")).Scan(&n)
	return n, err
}

func notificationsCount(ctx context.Context, db *store.DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, query("NotificationsCount")).Scan(&n)
	return n, err
}

// failedOrders returns the orders a pickup failed for at least once.
func failedOrders(ctx context.Context, db *store.DB) (map[int64]bool, error) {
	rows, err := db.Query(ctx, query("OrdersFailed"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// pickedWindows returns, by order, the window start of the stop that
// collected it.
func pickedWindows(ctx context.Context, db *store.DB) (map[int64]time.Time, error) {
	rows, err := db.Query(ctx, query("StopsPickedUp"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var ws, arr time.Time
		if err := rows.Scan(&id, &ws, &arr); err != nil {
			return nil, err
		}
		out[id] = ws
	}
	return out, rows.Err()
}

// windowNotifications returns, by household, when its window
// notifications were written, in order.
func windowNotifications(ctx context.Context, db *store.DB) (map[int64][]time.Time, error) {
	rows, err := db.Query(ctx, query("NotificationsOfWindow"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]time.Time{}
	for rows.Next() {
		var h int64
		var at time.Time
		if err := rows.Scan(&h, &at); err != nil {
			return nil, err
		}
		out[h] = append(out[h], at)
	}
	return out, rows.Err()
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
}

// weekOrderRows returns every order of the week, by id.
func weekOrderRows(ctx context.Context, db *store.DB) ([]weekOrderRow, error) {
	rows, err := db.Query(ctx, query("OrdersOfWeek"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []weekOrderRow
	for rows.Next() {
		var o weekOrderRow
		if err := rows.Scan(&o.id, &o.status, &o.placed, &o.promiseHours, &o.deadline, &o.ready, &o.dest, &o.depot, &o.atRisk, &o.reason, &o.household, &o.kg); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
