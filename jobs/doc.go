// Package jobs runs thugom's durable operations on River (riverqueue.com)
// over the application's PostgreSQL: geocoding households, planning and
// re-planning each depot's day, packaging and pickup tasks, SMS to
// households, and the SLA watch.
//
// # Service
//
//	svc, err := jobs.New(db, jobs.Deps{Workers: 4, Logger: log})
//	svc.Start(ctx)          // workers + periodic jobs (leader-elected)
//	defer svc.Stop(ctx)     // graceful: running jobs finish until ctx ends
//	svc.Client()            // *river.Client[pgx.Tx]: InsertTx in the caller's transaction
//
// With Deps.Workers == 0 the service is insert-only: a process that only
// enqueues (an API server) shares the queue with any number of `thugom
// worker` processes on other machines; River's FOR UPDATE SKIP LOCKED hands
// each job to one of them and leader election runs the periodic jobs once.
//
// # Job kinds
//
//	geocode_household   GeocodeHouseholdArgs    address → point, H3 cell; pins teach village centres; depot and SLA of new orders
//	plan_depot_day      PlanDepotDayArgs        unique per depot and day while queued or running; planning queue
//	replan              ReplanArgs              the rest of the day after a change; bursts coalesce
//	packaging_reminder  PackagingReminderArgs   scheduled before the window; skipped if packed or re-planned
//	pickup_follow_up    PickupFollowUpArgs      failed pickup: back to planning while the deadline allows, else escalate
//	send_sms            SendSMSArgs             one per notification; outside Deps.WakingHours it snoozes, except urgent
//	sla_watch           SLAWatchArgs            periodic: at-risk and missed orders escalated once per level
//	morning_planning    MorningPlanningArgs     periodic, 05:30 local: plan_depot_day for every depot with orders
//	evening_planning    EveningPlanningArgs     periodic, 17:00 local: plan_depot_day of tomorrow for every depot with orders
//
// # Guarantees
//
// Every job writes its rows in one transaction; jobs it causes are inserted
// in that same transaction. A plan, its routes, stops, tasks and
// notifications commit together; a worker killed mid-plan leaves nothing
// and the retry plans once. Tasks are unique (one pickup task per stop, one
// packaging task per household and day) and notifications are unique per
// event (an idempotency key), so retries never duplicate them. send_sms marks
// the notification sent, writes the outbox and completes its job in one
// transaction (exactly once with the outbox provider); a remote gateway
// gets the idempotency key to drop the rare repeat of a send whose
// transaction was lost.
//
// # Calls for the API
//
//	svc.HandleInboundSMS(ctx, jobs.InboundSMS{...})  // SMS webhook: replies 1/2/0, duplicates, unknown numbers
//	svc.RecordPickup(ctx, jobs.PickupEvent{...})     // pickup state machine: planned → en_route → arrived → picked_up | failed
//	svc.MarkPacked(ctx, householdID, actor)          // the household's "packed" answer
//	svc.ReportBreakdown(ctx, vehicleID, actor)       // vehicle broken → re-plan
//	svc.EnqueuePlanTx / EnqueueReplanTx              // in the caller's transaction
//	svc.MetricsHandler(), svc.RiverUI(ctx, "/admin/river")
//
// Simulate runs the demo day on a simulated clock (thugom simulate).
package jobs
