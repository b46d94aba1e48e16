package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
	"github.com/thugom/thugom/geo"
	"github.com/thugom/thugom/store"
	"github.com/thugom/thugom/store/pgtest"
)

type noticeBundle struct {
	db    *store.DB
	svc   *Service
	now   time.Time
	hh    int64
	phone string
}

func noticeSetup(t *testing.T, now time.Time) *noticeBundle {
	t.Helper()
	db := pgtest.New(t)
	ctx := context.Background()
	day := thugom.Day(now)
	sc, err := demo.Build(geo.Default().Gazetteer(), demo.Options{Seed: 3, Households: 3, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	var seeded *demo.Seeded
	if err := db.InTx(ctx, func(tx pgx.Tx) error {
		seeded, err = demo.Seed(ctx, tx, sc, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b := &noticeBundle{db: db, now: now, hh: seeded.HouseholdIDs[0]}
	b.svc, err = New(db, Deps{Clock: func() time.Time { return b.now }, SLAWatchEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	if b.phone, err = store.HouseholdPhone(ctx, db, b.hh); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *noticeBundle) notify(t *testing.T, d thugom.SMSData, key string, urgent bool) int {
	t.Helper()
	var n int
	err := b.db.InTx(context.Background(), func(tx pgx.Tx) error {
		var err error
		n, err = b.svc.notify(context.Background(), tx, b.hh, b.phone, d, key, urgent)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type noticeRow struct {
	kind, status string
	sendAt       time.Time
}

func (b *noticeBundle) rows(t *testing.T) []noticeRow {
	t.Helper()
	rows, err := b.db.Query(context.Background(), `SELECT kind, status, send_at FROM notifications WHERE household_id = $1 ORDER BY id`, b.hh)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (noticeRow, error) {
		var n noticeRow
		return n, r.Scan(&n.kind, &n.status, &n.sendAt)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func localAt(day time.Time, h, m int) time.Time {
	return thugom.Day(day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// A window told at night waits for 06:30; a change before it left is
// merged into one window message; a cancellation of a window never told
// is not told at all.
func TestNotifyMergesPendingMessages(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	b := noticeSetup(t, localAt(day, 22, 0).Add(-24*time.Hour)) // 22:00 the evening before
	win := func(h int) thugom.SMSData {
		return thugom.SMSData{Kind: thugom.SMSPickupWindow, Depot: "Buu cuc", WindowStart: localAt(day, h, 0), WindowEnd: localAt(day, h+1, 0)}
	}
	if n := b.notify(t, win(9), "w1", false); n != 1 {
		t.Fatalf("window: %d queued", n)
	}
	ch := win(10)
	ch.Kind = thugom.SMSPickupChanged
	if n := b.notify(t, ch, "c1", false); n != 1 {
		t.Fatalf("change: %d queued", n)
	}
	got := b.rows(t)
	if len(got) != 2 || got[0].status != "superseded" || got[1].status != "queued" || got[1].kind != string(thugom.SMSPickupWindow) {
		t.Fatalf("after the change: %+v; want the first superseded, the second a queued window", got)
	}
	if !got[1].sendAt.Equal(localAt(day, 6, 30)) {
		t.Errorf("a window told at 22:00 leaves at %s, want 06:30", got[1].sendAt.In(thugom.Local))
	}
	if n := b.notify(t, thugom.SMSData{Kind: thugom.SMSPickupCancelled, Depot: "Buu cuc"}, "x1", true); n != 0 {
		t.Fatalf("cancellation of a window never told: %d queued", n)
	}
	got = b.rows(t)
	if len(got) != 3 || got[1].status != "superseded" || got[2].status != "superseded" {
		t.Fatalf("after the cancellation: %+v; want nothing left to send", got)
	}
	// The same event twice is one message.
	if n := b.notify(t, win(11), "w2", false); n != 1 {
		t.Fatal("new window not queued")
	}
	if n := b.notify(t, win(11), "w2", false); n != 0 {
		t.Fatal("the same event queued twice")
	}
}

// At most four messages a household a day; the fifth is recorded as
// suppressed and gets no send job.
func TestNotifyCapsMessagesPerDay(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	b := noticeSetup(t, localAt(day, 10, 0))
	for i, want := range []int{1, 1, 1, 1, 0, 0} {
		if n := b.notify(t, thugom.SMSData{Kind: thugom.SMSReplyReady}, "ack:"+string(rune('a'+i)), true); n != want {
			t.Errorf("message %d: queued %d, want %d", i+1, n, want)
		}
	}
	got := b.rows(t)
	var suppressed int
	for _, r := range got {
		if r.status == "suppressed" {
			suppressed++
		}
	}
	if suppressed != 2 {
		t.Errorf("%d suppressed of %d, want 2", suppressed, len(got))
	}
	var jobs int
	if err := b.db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1`, KindSendSMS).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 4 {
		t.Errorf("%d send jobs, want 4", jobs)
	}
	// The next day counts afresh.
	b.now = b.now.Add(24 * time.Hour)
	if n := b.notify(t, thugom.SMSData{Kind: thugom.SMSReplyReady}, "ack:next", true); n != 1 {
		t.Error("next day's first message suppressed")
	}
}

// An urgent change at 02:45 waits for 06:30 when the pickup is at 09:00,
// and leaves at once when the pickup is at 07:00.
func TestNotifyUrgentAtNight(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 9, 15, 0, 0, 0, 0, thugom.Local)
	b := noticeSetup(t, localAt(day, 2, 45))
	for _, c := range []struct {
		h    int
		want time.Time
	}{{9, localAt(day, 6, 30)}, {7, localAt(day, 2, 45)}} {
		b.hh = 0 // no merging between the two cases: each is its own household-less message
		d := thugom.SMSData{Kind: thugom.SMSPickupChanged, Depot: "Buu cuc", WindowStart: localAt(day, c.h, 0), WindowEnd: localAt(day, c.h+1, 0)}
		key := "u" + string(rune('0'+c.h))
		b.notify(t, d, key, true)
		var at time.Time
		if err := b.db.QueryRow(context.Background(), `SELECT send_at FROM notifications WHERE idempotency_key = $1`, key).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if !at.Equal(c.want) {
			t.Errorf("change for %02d:00 told at 02:45 leaves %s, want %s", c.h, at.In(thugom.Local), c.want.In(thugom.Local))
		}
	}
}
