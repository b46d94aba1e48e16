package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
	"github.com/thugom/thugom/store/pgtest"
)

// idemBundle runs n identical requests with one Idempotency-Key against
// s.idempotent; fn sees the run number and the requests meet for certain:
// the first holder's fn returns only once all the others wait on its key.
func idemRun(t *testing.T, n int, fn func(run int64) (int, any, error)) []*httptest.ResponseRecorder {
	t.Helper()
	db := pgtest.New(t)
	svc, err := jobs.New(db, jobs.Deps{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{deps: Deps{DB: db, Service: svc}, log: discardLogger(), now: time.Now}
	var (
		mu      sync.Mutex
		waiting = map[string]bool{}
		allWait = make(chan struct{})
		runs    atomic.Int64
	)
	s.idempotencyWait = func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		waiting[r.Header.Get("X-Request")] = true
		if len(waiting) == n-1 && allWait != nil {
			close(allWait)
			allWait = nil
		}
	}
	ctx := context.WithValue(context.Background(), principalKey, &principal{Role: thugom.RoleDriver, DriverID: 7, TokenID: 3})
	recs := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for i := range recs {
		recs[i] = httptest.NewRecorder()
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"happened_at":"2026-11-23T05:55:00+07:00"}`
			r := httptest.NewRequestWithContext(ctx, "POST", "/v1/stops/1/pickup", strings.NewReader(body))
			r.Header.Set("Idempotency-Key", "k1")
			r.Header.Set("X-Request", string(rune('a'+i)))
			s.idempotent(recs[i], r, []byte(body), func(context.Context) (int, any, error) {
				run := runs.Add(1)
				if run == 1 {
					mu.Lock()
					ch := allWait
					mu.Unlock()
					if ch != nil {
						<-ch
					}
				}
				return fn(run)
			})
		}()
	}
	wg.Wait()
	return recs
}

func TestIdempotencyConcurrentSameAnswer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	recs := idemRun(t, 8, func(run int64) (int, any, error) {
		calls.Add(1)
		return http.StatusOK, map[string]int64{"run": run}, nil
	})
	if calls.Load() != 1 {
		t.Errorf("the handler ran %d times for one key, want 1", calls.Load())
	}
	for i, rec := range recs {
		if rec.Code != http.StatusOK || rec.Body.String() != recs[0].Body.String() {
			t.Errorf("answer %d: %d %s, want %d %s", i, rec.Code, rec.Body, recs[0].Code, recs[0].Body)
		}
	}
	if got := recs[0].Body.String(); got != "{\"run\":1}\n" {
		t.Errorf("answer %q, want the first run's", got)
	}
}

func TestIdempotencyFailedHolderLetsAWaiterRun(t *testing.T) {
	t.Parallel()
	recs := idemRun(t, 4, func(run int64) (int, any, error) {
		if run == 1 {
			return 0, nil, errors.New("the first attempt failed")
		}
		return http.StatusOK, map[string]int64{"run": run}, nil
	})
	var failed, ok int
	for _, rec := range recs {
		switch {
		case rec.Code == http.StatusInternalServerError:
			failed++
		case rec.Code == http.StatusOK && rec.Body.String() == "{\"run\":2}\n":
			ok++
		default:
			t.Errorf("answer %d %s", rec.Code, rec.Body)
		}
	}
	if failed != 1 || ok != 3 {
		t.Errorf("%d failed and %d answered as run 2, want 1 and 3", failed, ok)
	}
}
