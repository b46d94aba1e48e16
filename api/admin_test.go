package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thugom/thugom/api"
)

// TestAdminMounts: River's UI and the metrics, for administrators only.
func TestAdminMounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ui, err := b.svc.RiverUI(ctx, "/admin/river")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(checkOpenAPI(t, api.New(api.Deps{DB: b.db, Service: b.svc, Secret: secret, RiverUI: ui, Metrics: b.svc.MetricsHandler()})))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if st, _ := get("/metrics", b.disp); st != http.StatusForbidden {
		t.Errorf("metrics for a dispatcher: %d", st)
	}
	if st, body := get("/metrics", b.admin); st != http.StatusOK || !strings.Contains(body, "# HELP") {
		t.Errorf("metrics: %d", st)
	}
	if st, _ := get("/admin/river", ""); st != http.StatusUnauthorized {
		t.Errorf("river ui without a token: %d", st)
	}
	if st, _ := get("/admin/river?access_token="+b.disp, ""); st != http.StatusForbidden {
		t.Errorf("river ui for a dispatcher: %d", st)
	}
	if st, _ := get("/admin/river?access_token="+b.admin, ""); st != http.StatusOK {
		t.Errorf("river ui for an administrator: %d", st)
	}
	// The UI's own API calls ride on the cookie.
	if st, body := get("/admin/river/api/features", ""); st != http.StatusOK {
		t.Errorf("river ui api with the cookie: %d %.200s", st, body)
	}
}
