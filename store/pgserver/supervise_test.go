package pgserver

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestSupervisedRestartAfterKill9: kill -9 of a supervised postmaster; the
// supervisor starts a new one on the same data, committed rows kept; Stop
// ends supervision. Bounded by one minute.
func TestSupervisedRestartAfterKill9(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := filepath.Join(tempDir(t), "pg")
	s, err := Start(ctx, Config{Dir: dir, Supervise: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	exec1(t, ctx, s.URL("postgres"), "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)")
	first := s.Pid()
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for {
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			if s.Pid() != first {
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("no postmaster answered within a minute of the kill: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(t, ctx, s.URL("postgres")); n != 1 {
		t.Fatalf("%d rows after the restart, want 1", n)
	}
	// The supervisor counts the restart once its start returned, a moment
	// after the new postmaster answers.
	for s.Restarts() == 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Restarts() != 1 {
		t.Errorf("%d restarts, want 1", s.Restarts())
	}
	select {
	case <-s.Done():
		t.Fatal("Done closed while supervised")
	default:
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-ctx.Done():
		t.Fatal("Done not closed after Stop")
	}
	if _, ok := runningPostmaster(dir); ok {
		t.Error("a postmaster runs after Stop")
	}
}
