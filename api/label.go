package api

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/jobs"
)

// The parcel's label at the depot hand-over (issue 23): GET
// /v1/orders/{id}/label opens the carrier's own label when it prints one
// (ViettelPost: its printing link, a redirect), thugom's otherwise (VNPost,
// or a carrier that gave none) as a printable A6 page with the waybill as a
// Code 128 barcode (label_code128.go); ?own=1 asks for thugom's always.
// GET /v1/orders/{id}/label.json is the same label as data. Opened from a
// link (the console's), it takes ?access_token= as the printable manifest
// does. An unknown order is 404, one without a waybill 409.

var labelTmpl = template.Must(template.New("label").Parse(string(webFile("label.html"))))

// carrierNames are the carriers' names as printed.
var carrierNames = map[string]string{thugom.CarrierViettelPost: "Viettel Post", thugom.CarrierVNPost: "VNPost"}

type labelPage struct {
	*jobs.OrderLabel
	CarrierName string
	Barcode     template.HTML
	WeightText  string
	CODText     string
	Printed     string
}

func (s *server) orderLabel(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := s.orderInScope(r) // carrierprice.go
		var l *jobs.OrderLabel
		if err == nil {
			l, err = s.deps.Service.OrderLabel(r.Context(), id)
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if format == "json" {
			writeJSON(w, http.StatusOK, l)
			return
		}
		if l.CarrierURL != "" && r.URL.Query().Get("own") == "" {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, l.CarrierURL, http.StatusSeeOther)
			return
		}
		page, err := newLabelPage(l)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := labelTmpl.Execute(&buf, page); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	}
}

func newLabelPage(l *jobs.OrderLabel) (*labelPage, error) {
	bars, err := code128SVG(l.Waybill, 2, 60)
	if err != nil {
		return nil, thugom.Errorf(thugom.EConflict, "carrier_waybill", "waybill %q cannot be printed as a barcode: %v", l.Waybill, err)
	}
	p := &labelPage{OrderLabel: l, CarrierName: carrierNames[l.Carrier], Barcode: template.HTML(bars), //nolint:gosec // G203: code128SVG's own markup, the text escaped
		WeightText: strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(l.WeightKg, 'f', 2, 64), "0"), ".") + " kg",
		Printed:    l.PrintedAt.In(thugom.Local).Format("15:04 02/01/2006")}
	if p.CarrierName == "" {
		p.CarrierName = l.Carrier
	}
	if l.CODAmount > 0 {
		p.CODText = fmtVND(l.CODAmount)
	}
	return p, nil
}
