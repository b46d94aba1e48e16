package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkConsoleDropOffs measures the console's day (GET
// /v1/depots/{id}/console) on a 200-order day with twenty far households
// left out, each offered its commune's drop-off point: the candidates are
// computed on every load. The issue's budget for the console is 1 s to
// render after the data arrives; this is the data's part.
//
//	go test ./api -run '^$' -bench ConsoleDropOffs -benchtime 20x
func BenchmarkConsoleDropOffs(b *testing.B) {
	bd := setupOpts(b, false)
	bd.seedBig(200)
	for i := 0; i < 20; i++ {
		bd.farOrder(fmt.Sprintf("PM-FAR%02d", i))
	}
	url := fmt.Sprintf("%s/v1/depots/%d/console?date=%s", bd.srv.URL, bd.depot.ID, testNow.Format(time.DateOnly))
	fixes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+bd.disp)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var c struct {
			Issues []dropOffFix `json:"issues"`
		}
		if err := jsonDecode(res, &c); err != nil {
			b.Fatal(err)
		}
		fixes = 0
		for _, is := range c.Issues {
			for _, f := range is.Fixes {
				if f.Kind == "drop_off" {
					fixes++
				}
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(fixes), "drop_off_fixes")
}

func jsonDecode(res *http.Response, v any) error {
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	return jsonUnmarshal(body, v)
}
