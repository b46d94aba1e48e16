package api

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/thugom/thugom"
)

// CSV import of a marketplace's orders: POST /v1/orders/import
// (Content-Type text/csv). The first line names the columns (any order,
// case-insensitive); lines are numbered from 1 = the header. Every bad row
// is reported with its line; nothing is imported unless ?keep_good=true.
var csvColumns = []string{"marketplace", "marketplace_order_id", "household_name", "phone", "address", "product",
	"weight_kg", "parcels", "cod_amount", "destination_province", "placed_at", "promise_hours", "ready_from",
	"ready_until", "depot", "note", "receiver_name", "receiver_phone", "receiver_address", "receiver_district_id",
	"receiver_ward_id", "receiver_district", "receiver_ward"}

var csvRequired = []string{"marketplace", "marketplace_order_id", "phone", "address", "product", "weight_kg"}

const maxCSVRows = 100_000

func (s *server) importCSV(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "text/csv" && mt != "application/csv") {
		s.writeProblem(w, r, errf(codeUnsupported, "", "Content-Type must be text/csv"))
		return
	}
	keepGood, err := optBool(r.URL.Query().Get("keep_good"), "keep_good")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	keep := keepGood != nil && *keepGood
	p := principalOf(r.Context())
	text, enc, err := decodeCSVText(r.Body)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	orders, bad, err := parseOrdersCSV(strings.NewReader(text))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !s.hasService(w, r) {
		return
	}
	if len(bad) > 0 && !keep { // refused: every bad row named, the unreadable and the invalid
		invalid, err := s.deps.Service.CheckOrders(r.Context(), orders, p.coreActor())
		if err == nil {
			err = &batchError{Rows: byLine(append(bad, orderRows(invalid)...))}
		}
		s.writeProblem(w, r, err)
		return
	}
	res, invalid, dups, err := s.importOrders(r.Context(), p, orders, keep)
	if err == nil && res == nil {
		err = &batchError{Rows: append(invalid, dups...)}
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	bad = append(byLine(append(bad, invalid...)), dups...)
	res.Rejected = len(bad)
	res.Encoding = enc
	if bad != nil {
		res.Errors = bad
	}
	status := http.StatusCreated
	if res.Imported == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, res)
}

// parseOrdersCSV reads every row as an order for the core to check. A CSV
// that cannot be read at all (bad quoting, no header) is an error; rows
// that cannot be read (a field count, a number, a time) are collected.
func parseOrdersCSV(body io.Reader) ([]thugom.NewOrder, []problemRow, error) {
	cr := csv.NewReader(body)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	col, names, err := csvHeader(cr)
	if err != nil {
		return nil, nil, err
	}
	var (
		orders []thugom.NewOrder
		bad    []problemRow
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, nil, csvReadError(err, line)
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if len(orders)+len(bad) >= maxCSVRows {
			return nil, nil, errf(codeTooLarge, "", "more than %d rows; split the file", maxCSVRows)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		rowErr := func(field, code, msg string) {
			bad = append(bad, problemRow{Line: line, Field: field, Code: code, Message: msg})
		}
		if len(rec) != len(names) {
			rowErr("", codeInvalid, fmt.Sprintf("%d fields, the header has %d", len(rec), len(names)))
			continue
		}
		if i, err := badCell(rec); err != nil {
			_, _, _, msg, _ := appError(err)
			rowErr(names[i], codeInvalid, fmt.Sprintf("column %d: %s", i+1, msg))
			continue
		}
		in := orderIn{Marketplace: get("marketplace"), MarketplaceOrderID: get("marketplace_order_id"),
			Household: householdIn{Name: get("household_name"), Phone: get("phone"), Address: get("address")},
			Product:   get("product"), DestinationProvince: get("destination_province"), Depot: get("depot"), Note: get("note"),
			Buyer: thugom.Buyer{Name: get("receiver_name"), Phone: get("receiver_phone"), Address: get("receiver_address"),
				DistrictID: get("receiver_district_id"), WardID: get("receiver_ward_id"), District: get("receiver_district"),
				Ward: get("receiver_ward")}}
		var ferr error
		num := func(c string, dst *float64) {
			if v := get(c); v != "" && ferr == nil {
				f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
				if err != nil {
					ferr = errf(codeInvalid, c, "%q is not a number", v)
				}
				*dst = f
			}
		}
		integer := func(c string, dst *int64) {
			if v := get(c); v != "" && ferr == nil {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					ferr = errf(codeInvalid, c, "%q is not a whole number", v)
				}
				*dst = n
			}
		}
		stamp := func(c string) *time.Time {
			v := get(c)
			if v == "" || ferr != nil {
				return nil
			}
			t, err := parseCSVTime(v)
			if err != nil {
				ferr = errf(codeInvalid, c, "%q is not a time (RFC 3339 or YYYY-MM-DD HH:MM local)", v)
				return nil
			}
			return &t
		}
		var w float64
		var parcels, cod, promise int64
		if get("weight_kg") != "" {
			num("weight_kg", &w)
			in.WeightKg = &w
		}
		integer("parcels", &parcels)
		integer("cod_amount", &cod)
		integer("promise_hours", &promise)
		in.PlacedAt, in.ReadyFrom, in.ReadyUntil = stamp("placed_at"), stamp("ready_from"), stamp("ready_until")
		in.Parcels, in.CODAmount, in.PromiseHours = int(parcels), cod, int(promise)
		if ferr == nil && (parcels > 1000 || promise > 1000) {
			ferr = errf(codeInvalid, "parcels", "too large")
		}
		if ferr != nil {
			code, field, _, msg, _ := appError(ferr)
			rowErr(csvField(field), code, msg)
			continue
		}
		o := newOrder(in)
		o.Line = line
		orders = append(orders, o)
	}
	if len(orders)+len(bad) == 0 {
		return nil, nil, &thugom.Error{Code: codeInvalid, Line: 2, Message: "no rows after the header"}
	}
	return orders, bad, nil
}

// csvHeader reads the header line: each column's index by name, and the
// names by index. A column twice, an unknown or a missing required column
// refuses the file.
func csvHeader(cr *csv.Reader) (map[string]int, []string, error) {
	header, err := cr.Read()
	if err != nil {
		return nil, nil, csvReadError(err, 1)
	}
	col := map[string]int{}
	names := make([]string, len(header)) // header is reused by the reader
	for i, h := range header {
		if err := checkText(fmt.Sprintf("column %d", i+1), h); err != nil {
			_, field, _, msg, _ := appError(err)
			return nil, nil, &thugom.Error{Code: codeInvalid, Field: field, Line: 1, Message: msg}
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, nil, &thugom.Error{Code: codeInvalid, Field: h, Line: 1, Message: fmt.Sprintf("column %q appears twice", h)}
		}
		if !slices.Contains(csvColumns, h) {
			return nil, nil, &thugom.Error{Code: codeInvalid, Field: h, Line: 1, Message: fmt.Sprintf("unknown column %q (known: %s)", h, strings.Join(csvColumns, ", "))}
		}
		col[h] = i
		names[i] = h
	}
	for _, c := range csvRequired {
		if _, ok := col[c]; !ok {
			return nil, nil, &thugom.Error{Code: codeInvalid, Field: c, Line: 1, Message: fmt.Sprintf("missing column %q", c)}
		}
	}
	return col, names, nil
}

// csvField maps JSON field names of an order's errors to CSV columns.
func csvField(f string) string {
	switch f {
	case "household.phone":
		return "phone"
	case "household.address":
		return "address"
	case "household.name":
		return "household_name"
	}
	return f
}

// byLine sorts rows by line (a row has one error: the order of the lines).
func byLine(rows []problemRow) []problemRow {
	slices.SortStableFunc(rows, func(a, b problemRow) int { return cmp.Compare(a.Line, b.Line) })
	return rows
}

func csvReadError(err error, line int) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, io.EOF) {
		return &thugom.Error{Code: codeMalformed, Line: 1, Message: "empty CSV: a header line is required"}
	}
	return &thugom.Error{Code: codeMalformed, Line: line, Message: fmt.Sprintf("malformed CSV: %v", err)}
}

func parseCSVTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "02/01/2006 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, thugom.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", v)
}

// CSV encodings the import reads: what marketplaces and older Vietnamese
// office software export.
const (
	encUTF8    = "utf-8"
	encUTF8BOM = "utf-8-bom"
	encCP1258  = "windows-1258"
	encLatin1  = "iso-8859-1"
)

// decodeCSVText reads the whole body and returns it as UTF-8 in NFC with
// the encoding it was read in. Valid UTF-8 (with or without a BOM) is taken
// as is; anything else is a single-byte legacy export: Windows-1258 when a
// byte only Vietnamese text uses there appears (đ, ơ, ư, ₫, the combining
// tone marks, or 0x80–0x9F, which are unused controls in Latin-1), Latin-1
// otherwise. UTF-16 is refused with a hint.
func decodeCSVText(body io.Reader) (string, string, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return "", "", csvReadError(err, 1)
	}
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return "", "", &thugom.Error{Code: codeInvalid, Line: 1, Message: "the CSV is UTF-16; export it as UTF-8 (or Windows-1258)"}
	}
	enc := encUTF8
	if rest, ok := bytes.CutPrefix(b, []byte("\ufeff")); ok {
		b, enc = rest, encUTF8BOM
	}
	if !utf8.Valid(b) {
		var cm *charmap.Charmap
		enc, cm = encLatin1, charmap.ISO8859_1
		for _, c := range b {
			if (c >= 0x80 && c <= 0x9F) || bytes.IndexByte(cp1258Vietnamese, c) >= 0 {
				enc, cm = encCP1258, charmap.Windows1258
				break
			}
		}
		if b, err = cm.NewDecoder().Bytes(b); err != nil {
			return "", "", &thugom.Error{Code: codeInvalid, Line: 1, Message: fmt.Sprintf("cannot read the CSV as %s: %v", enc, err)}
		}
	}
	return norm.NFC.String(string(b)), enc, nil
}

// cp1258Vietnamese are the bytes where Windows-1258 holds Vietnamese
// letters, tone marks or ₫ and Latin-1 holds letters Vietnamese text never
// uses (Ð Ì Ò Õ Ý Þ ì ð ò õ ý þ).
var cp1258Vietnamese = []byte{0xCC, 0xD0, 0xD2, 0xD5, 0xDD, 0xDE, 0xEC, 0xF0, 0xF2, 0xF5, 0xFD, 0xFE}

// badCell checks every cell of a record (checkText) and returns the index
// of the first bad one.
func badCell(rec []string) (int, error) {
	for i, c := range rec {
		if err := checkText("", c); err != nil {
			return i, err
		}
	}
	return 0, nil
}
