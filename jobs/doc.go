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
//	send_sms            SendSMSArgs             one per notification, run at its send time (see SMS hours)
//	sla_watch           SLAWatchArgs            periodic, every Deps.SLAWatchEvery (5 min): at-risk and missed orders escalated once per level
//	morning_planning    MorningPlanningArgs     periodic, Deps.MorningAt (05:30 local): plan_depot_day for every depot with orders
//	evening_planning    EveningPlanningArgs     periodic, Deps.EveningAt (17:00 local): plan_depot_day of tomorrow for every depot with orders
//	housekeeping        HousekeepingArgs        periodic, hourly: forgets drivers' idempotency keys older than IdempotencyRetention
//	carrier_wake        WakeCarrierArgs         periodic, every minute with carriers configured: retries send_carrier jobs whose wake was lost
//
// The periodic jobs run only in a service with workers, leader-elected;
// a negative SLAWatchEvery turns them all off (tests and the simulation
// drive the clock themselves), a negative EveningAt only the evening one.
//
// # SMS hours
//
// Households are texted within Deps.WakingHours (thugom.WakingHours,
// default 06:30–21:00 local, THUGOM_WAKING_HOURS in cmd/thugom). A
// notification's send time is chosen when it is written
// (thugom.WakingHours.SendAt): at once inside waking hours; outside, the
// next morning, except answers to a household's own reply (at once) and
// urgent messages (a change, a cancellation) whose pickup starts before that
// morning plus an hour (at once: waiting would leave no time to act).
// send_sms snoozes until that time, and a message that can wait (the window,
// the packing reminder) snoozes to the next morning if a retry finds it
// outside waking hours. Deps.MaxSMSPerDay caps a household's messages a day.
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
// # Calls for the entry points
//
// Each user action is a Service method, called alike by the API, the SMS
// webhooks, the CLI and the simulation (demo/sim, `thugom simulate`, which
// drives this service on a simulated clock through Deps.Clock). Among them:
//
//	svc.ImportOrders(ctx, orders, keepGood, actor)   // orders in (the API, a marketplace CSV), their households, geocoding jobs; a quote's promise; promises lost at intake
//	svc.Quote, QuoteBatch                            // a marketplace's quote (thugom.Promise against the depot's capacity), stored with expires_at
//	svc.HandleInboundSMS(ctx, jobs.InboundSMS{...})  // SMS webhook: replies 1/2/0, duplicates, unknown numbers
//	svc.AnswerHousehold(ctx, jobs.Answer{...})       // a household's ready/postpone/cancel, by SMS or from its page
//	svc.RecordPickup(ctx, jobs.PickupEvent{...})     // pickup state machine: planned → en_route → arrived → picked_up | failed
//	svc.ApplyDriverEvents(ctx, batch)                // a driver phone's offline queue, replayed once
//	svc.MarkPacked(ctx, householdID, actor)          // the household's "packed" answer
//	svc.CancelOrder, LockOrder, MoveStop, HandOver   // the dispatcher's actions on orders and stops (one cancel for every actor: cancel.go)
//	svc.CreateToken, RevokeToken                     // API tokens, for the admin API and `thugom token` alike
//	svc.CreateVehicle, CreateDriver, PinHousehold    // the fleet and a household's corrected place
//	svc.RecordPositions, HouseholdLinked             // a phone's positions; a household opening its link
//	svc.ClaimRequest, SaveAnswer, ForgetRequest      // a driver's Idempotency-Key: one answer to every retry
//	svc.ReportBreakdown(ctx, vehicleID, actor)       // vehicle broken → re-plan
//	svc.BorrowVehicle, ReturnVehicle                 // a neighbouring depot's idle vehicle
//	svc.PublishDraft, DiscardDraft                   // a plan held for the dispatcher's review
//	svc.AcceptDropOff, CancelDropOff                 // a household bringing produce to a commune drop-off point
//	svc.PlanDepotDay, PreviewPlan, RequestPlan       // plan now, see a plan without writing it, or enqueue one
//	svc.EnqueuePlanTx / EnqueueReplanTx              // in the caller's transaction
//	svc.MetricsHandler(), svc.RiverUI(ctx, "/admin/river")
package jobs
