package jobs

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/store"
)

// Packaging task statuses.
const (
	PackagingOpen      = thugom.PackagingOpen
	PackagingPacked    = thugom.PackagingPacked
	PackagingCancelled = thugom.PackagingCancelled
)

// PackItem is one order's produce to pack.
type PackItem struct {
	ProductCode string
	WeightKg    float64
	KgPerBox    float64
}

// Packaging is what a household needs to pack its orders.
type Packaging struct {
	Boxes int     `json:"boxes"`
	Nets  int     `json:"nets"` // foam nets (lưới xốp), one per fragile fruit
	Kg    float64 `json:"kg"`
}

// netsPerKg: fragile fruit travels in foam nets, one per fruit. Custard
// apple (na) runs about 3 fruits a kilo, persimmon (hồng) 4, dragon fruit
// (thanh long) 2; mandarins, star anise, peanuts, grass jelly and bánh chưng
// need none. Matched on the product code.
var netsPerKg = []struct {
	code string
	n    float64
}{
	{"custard", 3}, {"na", 3}, {"persimmon", 4}, {"hong", 4}, {"dragon", 2}, {"thanh_long", 2}, {"thanhlong", 2},
}

// PackagingFor computes boxes (each order packed in its product's boxes)
// and foam nets for a household's orders.
func PackagingFor(items []PackItem) Packaging {
	var p Packaging
	for _, it := range items {
		if it.WeightKg <= 0 {
			continue
		}
		per := it.KgPerBox
		if per <= 0 {
			per = 5
		}
		p.Boxes += int(math.Ceil(it.WeightKg/per - 1e-9))
		p.Kg += it.WeightKg
		code := strings.ToLower(it.ProductCode)
		for _, n := range netsPerKg {
			if code == n.code || strings.HasPrefix(code, n.code+"_") || strings.HasPrefix(code, n.code+"-") || strings.Contains(code, n.code) && len(n.code) > 3 {
				p.Nets += int(math.Ceil(it.WeightKg * n.n))
				break
			}
		}
	}
	p.Kg = math.Round(p.Kg*10) / 10
	return p
}

// tasksAndNotices creates a planned pickup stop's tasks (pickup; packaging,
// shared by the household's day), schedules the packing reminder and
// tells the household its window when it is new or changed.
func (p *planner) tasksAndNotices(ctx context.Context, g *group, st *thugom.Stop, prevWindow map[int64]time.Time) (tasks, sms int, err error) {
	tx, now, day := p.tx, p.now, DayString(p.day)
	hh := g.household
	items := make([]PackItem, 0, len(g.orders))
	products := map[string]bool{}
	for _, o := range g.orders {
		items = append(items, PackItem{ProductCode: o.Product.Code, WeightKg: o.Order.WeightKg, KgPerBox: o.Product.KgPerBox})
		products[o.Product.Code] = true
	}
	pack := PackagingFor(items)
	codes := make([]string, 0, len(products))
	for c := range products {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	id, err := store.InsertPickupTask(ctx, tx, st.ID, hh, st.Status, st.ArriveAt, map[string]any{
		"day": day, "orders": st.OrderIDs, "kg": math.Round(g.kg*10) / 10, "parcels": g.parcels,
	}, now)
	if err != nil {
		return 0, 0, err
	}
	if id != 0 {
		tasks++
	}
	taskID, status, created, err := store.UpsertPackagingTask(ctx, tx, st.ID, hh, st.WindowStart, map[string]any{
		"day": day, "boxes": pack.Boxes, "nets": pack.Nets, "kg": pack.Kg, "products": codes,
		"window_start": st.WindowStart, "window_end": st.WindowEnd, "stop_id": st.ID, "phone": g.phone,
		"depot": p.depot.Name,
	}, now)
	if err != nil {
		return 0, 0, err
	}
	if created {
		tasks++
	}
	if g.frozen != nil || g.part > 0 {
		return tasks, 0, nil // a second visit is told once the first is done (group.told)
	}
	if status == PackagingOpen {
		// The reminder goes ReminderBefore (≥ 1 h) ahead of the window; one
		// that would fall in the night goes the evening before (an early
		// window's produce is packed the evening before anyway).
		remind := st.WindowStart.Add(-p.s.deps.ReminderBefore)
		if !p.s.deps.WakingHours.Awake(remind) {
			remind = p.s.deps.WakingHours.LastEvening(remind, 30*time.Minute)
		}
		if remind.After(now) {
			if _, err := p.s.client.InsertTx(ctx, tx, PackagingReminderArgs{TaskID: taskID, WindowStart: st.WindowStart},
				&river.InsertOpts{ScheduledAt: realTime(now, remind)}); err != nil {
				return 0, 0, err
			}
		}
	}
	prev, told := prevWindow[hh]
	kind := thugom.SMSPickupWindow
	switch {
	case !told:
	case !prev.Equal(st.WindowStart):
		kind = thugom.SMSPickupChanged
	default:
		return tasks, 0, nil // same window: nothing to say
	}
	urgent := kind == thugom.SMSPickupChanged && st.WindowStart.Sub(now) < 3*time.Hour
	n, err := p.s.notify(ctx, tx, hh, g.phone, thugom.SMSData{
		Kind: kind, Depot: p.depot.Name, WindowStart: st.WindowStart, WindowEnd: st.WindowEnd,
		Orders: len(g.orders), WeightKg: g.kg, Boxes: pack.Boxes, Nets: pack.Nets, Link: p.s.householdShortLink(hh, st.WindowStart),
	}, fmt.Sprintf("%s:%d:%s:%s", kind, hh, day, st.WindowStart.In(thugom.Local).Format("1504")), urgent)
	return tasks, n, err
}

// realTime maps a business-clock instant to River's wall clock: River
// schedules on time.Now, the service on its own clock (simulations, tests).
func realTime(now, at time.Time) time.Time {
	return time.Now().Add(at.Sub(now))
}

// notify queues one SMS under an idempotency key (one message per event)
// and enqueues its send job at the time the notice rules give
// (thugom.WakingHours.SendAt: inside waking hours at once; outside, what
// can wait waits for the morning, and urgent news waits too unless the
// pickup is before then). Messages pile up into one: a new window, change
// or cancellation supersedes the household's messages of those kinds not
// yet sent (a change to a window never sent is told as the window; a
// cancellation of a window never sent is not told at all). A household
// gets at most MaxSMSPerDay messages a local day; more are recorded as
// suppressed. It returns 1 when queued, 0 otherwise.
func (s *Service) notify(ctx context.Context, tx pgx.Tx, householdID int64, phone string, d thugom.SMSData, key string, urgent bool) (int, error) {
	now := s.now()
	hh := householdID
	pickup := d.WindowStart
	if pickup.IsZero() && hh != 0 && (d.Kind == thugom.SMSPickupCancelled || d.Kind == thugom.SMSPickupFailed) {
		// The window this news is about is the one last told.
		w, err := store.LastToldWindow(ctx, tx, hh, now.Add(-12*time.Hour))
		if err != nil {
			return 0, err
		}
		pickup = w
	}
	status, why := thugom.NotificationQueued, ""
	if hh != 0 {
		switch d.Kind {
		case thugom.SMSPickupWindow, thugom.SMSPickupChanged, thugom.SMSPickupCancelled:
			merged, err := store.SupersedeNotices(ctx, tx, hh, []string{string(thugom.SMSPickupWindow), string(thugom.SMSPickupChanged),
				string(thugom.SMSPackReminder), string(thugom.SMSPickupCancelled)}, "merged into "+key, now.Add(-24*time.Hour))
			if err != nil {
				return 0, err
			}
			if len(merged) > 0 {
				s.metrics.sms.WithLabelValues(string(d.Kind), "merged").Add(float64(len(merged)))
				told, err := store.LastToldWindow(ctx, tx, hh, now.Add(-12*time.Hour))
				if err != nil {
					return 0, err
				}
				switch {
				case told.IsZero() && d.Kind == thugom.SMSPickupChanged:
					d.Kind = thugom.SMSPickupWindow // the household never heard the first window
				case told.IsZero() && d.Kind == thugom.SMSPickupCancelled:
					status, why = thugom.NotificationSuperseded, "the cancelled window was never told"
				}
			}
		}
	}
	body, err := thugom.RenderSMS(d)
	if err != nil {
		return 0, err
	}
	send := s.deps.WakingHours.SendAt(now, d.Kind, urgent, pickup)
	if status == thugom.NotificationQueued && hh != 0 {
		day := thugom.Day(send)
		n, err := store.NoticesOfDay(ctx, tx, hh, day, day.Add(24*time.Hour))
		if err != nil {
			return 0, err
		}
		if n >= s.deps.MaxSMSPerDay {
			status, why = thugom.NotificationSuppressed, fmt.Sprintf("over %d messages on %s", s.deps.MaxSMSPerDay, DayString(day))
		}
	}
	n := &store.Notice{Notification: thugom.Notification{HouseholdID: &hh, Phone: phone, Kind: string(d.Kind), Body: body,
		IdempotencyKey: key, CreatedAt: now, Status: status, Error: why}, SendAt: send}
	if d.Kind == thugom.SMSPickupWindow || d.Kind == thugom.SMSPickupChanged || d.Kind == thugom.SMSPackReminder {
		n.WindowStart = d.WindowStart
	}
	if householdID == 0 {
		n.HouseholdID = nil
	}
	id, err := store.InsertNotice(ctx, tx, n)
	if err != nil || id == 0 {
		return 0, err
	}
	if status != thugom.NotificationQueued {
		s.metrics.sms.WithLabelValues(string(d.Kind), status).Inc()
		return 0, nil
	}
	opts := &river.InsertOpts{}
	if send.After(now) {
		opts.ScheduledAt = realTime(now, send)
	}
	if _, err := s.client.InsertTx(ctx, tx, SendSMSArgs{NotificationID: id}, opts); err != nil {
		return 0, fmt.Errorf("enqueue sms: %w", err)
	}
	return 1, nil
}

type reminderWorker struct {
	river.WorkerDefaults[PackagingReminderArgs]
	s *Service
}

func (w *reminderWorker) Work(ctx context.Context, job *river.Job[PackagingReminderArgs]) error {
	_, err := w.s.RemindPackaging(ctx, job.Args.TaskID, job.Args.WindowStart)
	return cancelIfNotFound(err)
}

// RemindPackaging sends the packing reminder of a packaging task if it is
// still open and its window is still the one the reminder was for. It
// reports whether a message was queued.
func (s *Service) RemindPackaging(ctx context.Context, taskID int64, window time.Time) (bool, error) {
	sent := false
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		t, err := store.TaskByID(ctx, tx, taskID, true)
		if err != nil {
			return err
		}
		if t.Kind != thugom.TaskPackaging || t.Status != PackagingOpen || t.HouseholdID == nil {
			return nil
		}
		ws, _ := t.Payload["window_start"].(string)
		cur, err := time.Parse(time.RFC3339Nano, ws)
		if err != nil || !cur.Equal(window) {
			return nil //nolint:nilerr // an unreadable or another window: re-planned, the new window has its own reminder
		}
		we, _ := time.Parse(time.RFC3339Nano, str(t.Payload["window_end"]))
		n, err := s.notify(ctx, tx, *t.HouseholdID, str(t.Payload["phone"]), thugom.SMSData{
			Kind: thugom.SMSPackReminder, Depot: str(t.Payload["depot"]), WindowStart: cur, WindowEnd: we,
			Boxes: num(t.Payload["boxes"]), Nets: num(t.Payload["nets"]),
		}, fmt.Sprintf("reminder:%d:%s", t.ID, cur.UTC().Format(time.RFC3339)), false)
		sent = n > 0
		return err
	})
	return sent, err
}

// MarkPacked records a household's "packed" answer (SMS reply 1 or the
// API) on its nearest open packaging task. It returns the task, or
// thugom.ErrNotFound when the household has nothing to pack.
func (s *Service) MarkPacked(ctx context.Context, householdID int64, actor string) (*thugom.Task, error) {
	var task *thugom.Task
	err := s.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		task, err = s.markPacked(ctx, tx, householdID, actor)
		return err
	})
	return task, err
}

func (s *Service) markPacked(ctx context.Context, tx pgx.Tx, householdID int64, actor string) (*thugom.Task, error) {
	t, err := store.OpenPackagingTask(ctx, tx, householdID, DayString(s.now()))
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, thugom.Errorf(thugom.ENotFound, "household_id", "household %d has no pickup to pack for", householdID)
	}
	if t.Status == PackagingPacked {
		return t, nil
	}
	now := s.now()
	if err := store.SetTaskStatus(ctx, tx, t.ID, PackagingPacked, now); err != nil {
		return nil, err
	}
	t.Status, t.UpdatedAt = PackagingPacked, now
	return t, s.event(ctx, tx, actor, "task.packed", fmt.Sprintf("task:%d", t.ID), map[string]any{"household_id": householdID})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	case int64:
		return int(x)
	}
	return 0
}
