package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
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
	cmd := child(t, nil, "simulate", "--days", "2", "--households", "80", "--iterations", "300", "--json", "--html", html, "--lang", "en", "--orders-csv", orders, "--carriers", "--data-dir", dir)
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
	if !bytes.Contains(b, []byte("<h1>A harvest of 2 days</h1>")) || !bytes.Contains(b, []byte("Why were orders late?")) {
		t.Error("--lang en: the report is not in English or not titled by its days")
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
	// In Vietnamese, the default.
	if b, err := os.ReadFile(both); err != nil || !bytes.Contains(b, []byte("<th>báo giá (quoted)</th><th>theo sàn (policy)</th>")) ||
		!bytes.Contains(b, []byte("<h1>2 ngày thu hoạch</h1>")) {
		t.Errorf("the compared report has no quoted and policy columns, or is not in Vietnamese (%v)", err)
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

// TestSimulateOneDayReports: `--days 1` is the week's machinery for one
// day, with the week's reports: --html and --orders-csv are both written,
// and the headline's denominator is every order placed (less the
// cancelled), each of them a line of the CSV (issue 25).
func TestSimulateOneDayReports(t *testing.T) {
	t.Parallel()
	html := filepath.Join(t.TempDir(), "day.html")
	orders := filepath.Join(t.TempDir(), "orders.csv")
	cmd := child(t, nil, "simulate", "--days", "1", "--households", "80", "--iterations", "300", "--json", "--html", html, "--orders-csv", orders, "--data-dir", dataDir(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simulate --days 1: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var rep struct {
		Days  []json.RawMessage `json:"days"`
		Total struct {
			Placed         int     `json:"placed"`
			Cancelled      int     `json:"cancelled"`
			WithinPromise  int     `json:"within_promise"`
			Late           int     `json:"late"`
			NeverCollected int     `json:"never_collected"`
			Rate           float64 `json:"within_promise_rate"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not the report: %v", err)
	}
	tot := rep.Total
	if len(rep.Days) != 1 || tot.Placed == 0 || tot.Placed != tot.WithinPromise+tot.Late+tot.NeverCollected+tot.Cancelled {
		t.Fatalf("one day's account: %d days, %+v", len(rep.Days), tot)
	}
	if want := float64(tot.WithinPromise) / float64(tot.Placed-tot.Cancelled); tot.Rate < want-0.0001 || tot.Rate > want+0.0001 {
		t.Errorf("headline rate %v, want %v (within promise of all orders placed, less the cancelled)", tot.Rate, want)
	}
	f, err := os.Open(orders)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs)-1 != tot.Placed {
		t.Fatalf("orders CSV: %v, %d lines for %d orders placed", err, len(recs)-1, tot.Placed)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	// In Vietnamese by default, titled by its one day, the headline of
	// every order placed (fewer than 1000 here: no thousands separator).
	headline := fmt.Sprintf("%d trên %d đơn đã đặt", tot.WithinPromise, tot.Placed)
	if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("<h1>Một ngày thu hoạch</h1>")) || !bytes.Contains(b, []byte(headline)) {
		t.Errorf("the day's HTML report has no plots, no title of one day or no headline %q", headline)
	}
}

// A bad --lang is refused at once, exit code 2 as any bad flag, with the
// values it takes; nothing is written.
func TestSimulateBadLang(t *testing.T) {
	t.Parallel()
	html := filepath.Join(t.TempDir(), "day.html")
	cmd := child(t, nil, "simulate", "--html", html, "--lang", "fr", "--data-dir", t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), `--lang: language "fr": want vi or en`) {
		t.Fatalf("simulate --lang fr: %v\n%s", err, out)
	}
	if _, err := os.Stat(html); !os.IsNotExist(err) {
		t.Fatalf("a report was written: %v", err)
	}
	// A carriers' outage says how to write it; refused with the flag
	// package's exit code, before any database, as a bad --carriers.
	for _, args := range [][]string{{"--carriers=maybe"}, {"--carrier-outage", "11:00-10:00"}, {"--carrier-outage", "10h"}} {
		out, err := child(t, nil, append([]string{"simulate", "--data-dir", t.TempDir()}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "carrier") {
			t.Errorf("simulate %v: %v\n%s", args, err, out)
		}
	}
}
