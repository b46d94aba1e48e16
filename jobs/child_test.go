package jobs_test

// childEnv, when set, makes the test binary a worker process (see
// TestKillWorker).
const childEnv = "THUGOM_JOBS_CHILD"

func childMain() int { return 0 }
