package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateWeekOutputContract: `thugom simulate --days N --json` prints
// as its last line one JSON object with days and total holding the fields
// outside checks read, elapsed_seconds at the top level, and --html writes
// a self-contained page.
func TestSimulateWeekOutputContract(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	html := filepath.Join(t.TempDir(), "week.html")
	orders := filepath.Join(t.TempDir(), "orders.csv")
	cmd := child(t, nil, "simulate", "--days", "2", "--households", "80", "--iterations", "300", "--json", "--html", html, "--orders-csv", orders, "--data-dir", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var rep map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not one JSON object: %v\n%s", err, lines[len(lines)-1])
	}
	if _, ok := rep["elapsed_seconds"]; !ok {
		t.Error("no elapsed_seconds")
	}
	var days []map[string]any
	var total map[string]any
	if err := json.Unmarshal(rep["days"], &days); err != nil || len(days) != 2 {
		t.Fatalf("days: %v (%d)", err, len(days))
	}
	if err := json.Unmarshal(rep["total"], &total); err != nil {
		t.Fatal(err)
	}
	fields := []string{"placed", "cancelled", "within_promise", "late", "never_collected", "within_promise_rate",
		"late_minutes_p95", "age_at_handover_p95_min", "window_notice_12h_rate", "km", "vehicles_used", "sms"}
	for i, a := range append(days, total) {
		for _, f := range fields {
			if _, ok := a[f].(float64); !ok {
				t.Errorf("object %d: %s missing or not a number", i, f)
			}
		}
		n := func(f string) int { v, _ := a[f].(float64); return int(v) }
		if n("placed") != n("within_promise")+n("late")+n("never_collected")+n("cancelled") {
			t.Errorf("object %d: counts do not add up: %v", i, a)
		}
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("<svg")) || bytes.Contains(b, []byte("src=")) || bytes.Contains(b, []byte("href=")) {
		t.Error("the HTML report is not self-contained with plots")
	}
	// --orders-csv: one line per order placed, outcomes as the total counts.
	f, err := os.Open(orders)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][8] != "outcome" {
		t.Fatalf("orders CSV: %v, %d lines", err, len(recs))
	}
	want := []string{"destination_province", "ready_from_at_placement", "promise_source", "quoted_earliest_by", "quoted_likely_by",
		"flagged_at_placement", "keepable_by", "earliest_possible_by", "second_truck_by"}
	if h := strings.Join(recs[0], ","); !strings.Contains(h, ",collected_first_day,"+strings.Join(want, ",")) {
		t.Errorf("orders CSV header %s: want the promise columns appended", h)
	}
	if _, ok := rep["promises"]; !ok {
		t.Error("no promises block")
	}
	// The carriers' block: one shipment per order picked up, the
	// deliveries the carriers told, and which source each order uses.
	var carriers struct {
		Picked   int `json:"orders_picked_up"`
		Created  int `json:"shipments_created"`
		Delivery struct {
			ByCarrier int `json:"by_carrier"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal(rep["carriers"], &carriers); err != nil || carriers.Picked == 0 || carriers.Created != carriers.Picked || carriers.Delivery.ByCarrier == 0 {
		t.Errorf("carriers block %+v (%v)", carriers, err)
	}
	if h := strings.Join(recs[0], ","); !strings.HasSuffix(h, ",delivered_at,delivery_source") {
		t.Errorf("orders CSV header %s: want delivered_at and delivery_source last", h)
	}
	// --promises quoted --compare: one report, both modes side by side.
	policyJSON := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyJSON, out, 0o600); err != nil {
		t.Fatal(err)
	}
	both := filepath.Join(t.TempDir(), "both.html")
	quoted := child(t, nil, "simulate", "--days", "2", "--households", "80", "--iterations", "300", "--json", "--promises", "quoted",
		"--html", both, "--compare", policyJSON, "--data-dir", dir)
	if b, err := quoted.CombinedOutput(); err != nil {
		t.Fatalf("simulate --promises quoted: %v\n%s", err, b)
	}
	if b, err := os.ReadFile(both); err != nil || !bytes.Contains(b, []byte("<th>quoted</th><th>policy</th>")) {
		t.Errorf("the compared report has no quoted and policy columns (%v)", err)
	}
	by := map[string]int{}
	for _, r := range recs[1:] {
		by[r[8]]++
	}
	n := func(f string) int { v, _ := total[f].(float64); return int(v) }
	if len(recs)-1 != n("placed") || by["within_promise"] != n("within_promise") || by["late"] != n("late") ||
		by["never_collected"] != n("never_collected") || by["cancelled"] != n("cancelled") {
		t.Errorf("orders CSV outcomes %v (%d lines) differ from the total %v", by, len(recs)-1, total)
	}
}

// The single day has no HTML or CSV report: asking for one is refused at
// once with the way out, not answered by writing nothing (issue 25).
func TestSimulateOneDayRefusesWeekReports(t *testing.T) {
	t.Parallel()
	html := filepath.Join(t.TempDir(), "day.html")
	cmd := child(t, nil, "simulate", "--html", html, "--data-dir", t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--days 2 or more") {
		t.Fatalf("simulate --html with one day: %v\n%s", err, out)
	}
	if _, err := os.Stat(html); !os.IsNotExist(err) {
		t.Fatalf("a report was written: %v", err)
	}
	// A carriers' outage is the week's, and says how to write it.
	for _, args := range [][]string{{"--carrier-outage", "10:00-11:00"}, {"--days", "2", "--carrier-outage", "11:00-10:00"}, {"--days", "2", "--carrier-outage", "10h"}} {
		out, err := child(t, nil, append([]string{"simulate", "--data-dir", t.TempDir()}, args...)...).CombinedOutput()
		if err == nil || (!strings.Contains(string(out), "carrier outage") && !strings.Contains(string(out), "--days 2 or more")) {
			t.Errorf("simulate %v: %v\n%s", args, err, out)
		}
	}
}
