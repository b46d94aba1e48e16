// Package fakecarrier serves the carriers' HTTP APIs as thugom's connectors
// call them (jobs/carrier_viettelpost.go, jobs/carrier_vnpost.go): the
// documented shapes of ViettelPost's partner API v2 and VNPost's MyVNPost,
// with their logins, their answers and their refusals, kept in memory. Tests
// and the demo run them in place of the carriers; faults (a 429 with its
// Retry-After, a 5xx, an answer lost after the order was made) and a hold
// (a create that waits until released) are scripted.
//
// The fakes answer an order number they have seen with the order they made
// for it: the carriers' uniqueness on the partner's order number, which a
// resend after a lost answer relies on.
package fakecarrier

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatusPath is where each fake serves the post office's status interface
// (jobs' StatusURL: the transitions the partner APIs have no call for),
// under its base URL.
const StatusPath = "/operator/status"

// Fault is one scripted answer to the next create or cancel.
type Fault struct {
	// Status is the HTTP status answered (429, 500, 503, …); 0 with Lose.
	Status int
	// RetryAfter is the Retry-After header in seconds (429).
	RetryAfter int
	// Lose makes the order, then answers 502: the answer is lost.
	Lose bool
}

// Order is an order a fake carrier holds.
type Order struct {
	Reference string // the partner's order number
	Waybill   string
	ID        string // the carrier's own id (VNPost)
	Cancelled bool
	Fields    map[string]any // the request as received
	// Updates are the partner's updates and the operator's statuses
	// received after the create, in order: "approve" (ViettelPost's
	// UpdateOrder TYPE 1), "cancel", or the status's code or name.
	Updates []string
}

// core is what both fakes share: orders, faults, the hold, counts.
type core struct {
	mu      sync.Mutex
	orders  map[string]*Order // by reference
	byBill  map[string]*Order
	byID    map[string]*Order
	seq     int
	faults  []Fault
	hold    chan struct{}
	arrived chan struct{}
	creates int // create requests received (faulted or not)
	logins  int
	down    bool
	refused int // requests answered 503 while down
	courier *Courier
	carried map[string]bool // waybills the courier took
}

// deliver hands the order of waybill bill, handed over at at, to the
// courier (when the fake delivers).
func (c *core) deliver(bill string, at time.Time) error {
	c.mu.Lock()
	o, cr := c.byBill[bill], c.courier
	var cp Order
	if o != nil {
		cp = *o
	}
	// A handover told again (a resend after a lost answer) is carried once.
	again := c.carried[bill]
	if o != nil && cr != nil {
		c.carried[bill] = true
	}
	c.mu.Unlock()
	if o == nil || cr == nil || again {
		return nil
	}
	return cr.handedOver(cp, at)
}

// Down takes the carrier down (every create and update answered 503) or
// back up.
func (c *core) Down(down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = down
}

// Refused counts the requests answered 503 while down.
func (c *core) Refused() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refused
}

func newCore() core {
	return core{orders: map[string]*Order{}, byBill: map[string]*Order{}, byID: map[string]*Order{}, carried: map[string]bool{}}
}

// Fail scripts the answers to the next creates and cancels, in order.
func (c *core) Fail(f ...Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, f...)
}

// Hold makes the next create wait until release is called; arrived is
// closed when that create has come in.
func (c *core) Hold() (arrived <-chan struct{}, release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hold, c.arrived = make(chan struct{}), make(chan struct{})
	h := c.hold
	var once sync.Once
	return c.arrived, func() { once.Do(func() { close(h) }) }
}

// Orders returns the orders made, cancelled ones included.
func (c *core) Orders() []Order {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Order, 0, len(c.orders))
	for _, o := range c.orders {
		cp := *o
		cp.Updates = append([]string(nil), o.Updates...)
		out = append(out, cp)
	}
	return out
}

// update records what the partner told about the order of waybill bill
// (by its carrier's id when byID); false when there is none. A scripted
// fault answers first (done).
func (c *core) update(w http.ResponseWriter, key string, byID bool, what string) (found, done bool) {
	if fault, ok := c.nextFault(); ok {
		writeFault(w, fault)
		return false, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.byBill[key]
	if byID {
		o = c.byID[key]
	}
	if o == nil {
		return false, false
	}
	if what == "cancel" {
		o.Cancelled = true
	}
	o.Updates = append(o.Updates, what)
	return true, false
}

// Order returns the order made for reference, if any.
func (c *core) Order(reference string) (Order, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.orders[reference]
	if !ok {
		return Order{}, false
	}
	cp := *o
	cp.Updates = append([]string(nil), o.Updates...)
	return cp, true
}

// Creates counts the create requests received.
func (c *core) Creates() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creates
}

// Logins counts the logins.
func (c *core) Logins() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logins
}

// nextFault pops the next scripted fault.
func (c *core) nextFault() (Fault, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		c.refused++
		return Fault{Status: http.StatusServiceUnavailable}, true
	}
	if len(c.faults) == 0 {
		return Fault{}, false
	}
	f := c.faults[0]
	c.faults = c.faults[1:]
	return f, true
}

// begin starts a create: counts it, holds it while a hold is set, and
// answers a scripted fault; it returns the fault when the order is to be
// made first (Lose), and done when the answer is written.
func (c *core) begin(w http.ResponseWriter, r *http.Request) (lose *Fault, done bool) {
	c.mu.Lock()
	c.creates++
	c.mu.Unlock()
	c.waitHold(r)
	fault, faulted := c.nextFault()
	switch {
	case !faulted:
		return nil, false
	case fault.Lose:
		return &fault, false
	}
	writeFault(w, fault)
	return nil, true
}

// waitHold blocks a create while a hold is set.
func (c *core) waitHold(r *http.Request) {
	c.mu.Lock()
	h, a := c.hold, c.arrived
	c.hold, c.arrived = nil, nil
	c.mu.Unlock()
	if h == nil {
		return
	}
	close(a)
	select {
	case <-h:
	case <-r.Context().Done():
	}
}

// make records an order for reference, or returns the one made before.
func (c *core) make(reference string, fields map[string]any, waybill func(n int) (bill, id string)) *Order {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.orders[reference]; ok {
		return o
	}
	c.seq++
	bill, id := waybill(c.seq)
	o := &Order{Reference: reference, Waybill: bill, ID: id, Fields: fields}
	c.orders[reference], c.byBill[bill] = o, o
	if id != "" {
		c.byID[id] = o
	}
	return o
}

// writeFault answers a scripted fault (a lost answer is a 502).
func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	status := f.Status
	if f.Lose || status == 0 {
		status = http.StatusBadGateway
	}
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// decode reads a POST's JSON body, answering a refusal (refuse) when it
// is not JSON and 405 when it is not a POST.
func decode(w http.ResponseWriter, r *http.Request, refuse func(http.ResponseWriter, string)) (map[string]any, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	var m map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&m); err != nil {
		refuse(w, "invalid json")
		return nil, false
	}
	return m, true
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) float64 {
	f, _ := m[k].(float64)
	return f
}

// missing names what a create lacks (a required field, a positive weight
// in grams); "" when nothing.
func missing(body map[string]any, required []string, weight string) string {
	for _, k := range required {
		if strings.TrimSpace(str(body, k)) == "" {
			return k + " is required"
		}
	}
	if num(body, weight) <= 0 {
		return weight + " (grams) must be positive"
	}
	return ""
}
