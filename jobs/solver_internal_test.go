package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/thugom/thugom/store/pgtest"
)

// A planning job carries the solver settings of the process that asked for
// it, whichever way it was enqueued; the worker solves with them, within
// MaxPlanBudget, and a job without them with its own.
func TestPlanJobsCarryTheirSolver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	log := slog.New(slog.DiscardHandler)
	asker, err := New(db, Deps{Logger: log, PlanBudget: 7 * time.Second, PlanIterations: 50})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := New(db, Deps{Logger: log, PlanBudget: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res, err := asker.Client().Insert(ctx, ReplanArgs{DepotID: 1, Day: "2026-11-23", Cause: CauseDispatcher, RequestedAt: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got ReplanArgs
	if err := json.Unmarshal(res.Job.EncodedArgs, &got); err != nil {
		t.Fatal(err)
	}
	if got.Solver == nil || *got.Solver != (Solver{BudgetMS: 7000, Iterations: 50}) {
		t.Fatalf("re-plan args carry %+v, want the asker's 7000 ms and 50 iterations", got.Solver)
	}
	if b, it := worker.solverOf(got.Solver); b != 7*time.Second || it != 50 {
		t.Errorf("the worker solves it with %v and %d iterations, want the asker's", b, it)
	}
	if b, it := worker.solverOf(nil); b != 20*time.Second || it != 0 {
		t.Errorf("an old job without settings: %v and %d iterations, want the worker's 20s and 0", b, it)
	}
	if b, _ := worker.solverOf(&Solver{BudgetMS: int64(time.Hour / time.Millisecond)}); b != MaxPlanBudget {
		t.Errorf("an hour's budget is solved in %v, want MaxPlanBudget", b)
	}
	if to := worker.planJobTimeout(got.Solver); to != planTimeout(7*time.Second) || to >= worker.deps.RescueStuckJobsAfter {
		t.Errorf("timeout %v: want planTimeout(7s) = %v, under River's rescue after %v", to, planTimeout(7*time.Second), worker.deps.RescueStuckJobsAfter)
	}
	// Settings given by the caller are kept; a plan from scratch gets them too.
	res, err = asker.Client().Insert(ctx, PlanDepotDayArgs{DepotID: 1, Day: "2026-11-23", Solver: &Solver{BudgetMS: 300}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var plan PlanDepotDayArgs
	if err := json.Unmarshal(res.Job.EncodedArgs, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Solver == nil || *plan.Solver != (Solver{BudgetMS: 300}) {
		t.Errorf("plan args carry %+v, want the caller's 300 ms", plan.Solver)
	}
}
