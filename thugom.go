package thugom

import (
	"time"

	"github.com/paulmach/orb"
)

// Local is the business time zone, Asia/Ho_Chi_Minh (UTC+7, no daylight
// saving). A fixed zone so the binary needs no tzdata.
var Local = time.FixedZone("ICT", 7*3600)

// Day returns the local calendar day of t as midnight in Local.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Local)
}

// Carrier codes.
const (
	CarrierVNPost      = "vnpost"
	CarrierViettelPost = "viettelpost"
)

// Marketplaces where households sell; orders are unique per marketplace.
const (
	MarketplacePostmart = "postmart" // VNPost's postmart.vn
	MarketplaceVoso     = "voso"     // ViettelPost's voso.vn
)

// Carrier is a postal carrier that collects produce.
type Carrier struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Marketplace string `json:"marketplace"`
}

// Depot kinds.
const (
	DepotPostOffice = "post_office" // bưu cục
	DepotCommune    = "commune"     // commune cultural post office (điểm bưu điện văn hóa xã)
)

// Depot is a post office where vehicles start, unload and hand produce over
// to line-haul trucks.
type Depot struct {
	ID          int64     `json:"id"`
	CarrierID   int64     `json:"carrier_id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Address     string    `json:"address"`
	CommuneCode string    `json:"commune_code"`
	Point       orb.Point `json:"point"` // [lon, lat]
	H3          string    `json:"h3"`
	OpensAt     int       `json:"opens_at"`  // seconds since local midnight
	ClosesAt    int       `json:"closes_at"` // seconds since local midnight
}

// Departure is a daily line-haul truck leaving a depot.
type Departure struct {
	ID      int64  `json:"id"`
	DepotID int64  `json:"depot_id"`
	Name    string `json:"name"`
	// DepartsAt is the time of day the truck leaves, seconds since local midnight.
	DepartsAt int `json:"departs_at"`
	// CutoffAt is the latest time of day produce must be at the depot to
	// make this truck, seconds since local midnight (≤ DepartsAt).
	CutoffAt int `json:"cutoff_at"`
	// Destinations are the destination province codes this truck serves
	// (e.g. "20" Lạng Sơn, "01" Hà Nội); empty means all.
	Destinations []string `json:"destinations"`
	// TransitHours is the time from departure to delivery at the farthest
	// destination served.
	TransitHours float64 `json:"transit_hours"`
}

// Vehicle kinds.
const (
	VehicleMotorbike = "motorbike"
	VehicleVan       = "van"
)

// Vehicle statuses.
const (
	VehicleActive = "active"
	VehicleBroken = "broken"
	VehicleOff    = "off"
)

// Vehicle collects produce from households for one depot.
type Vehicle struct {
	ID              int64   `json:"id"`
	CarrierID       int64   `json:"carrier_id"`
	DepotID         int64   `json:"depot_id"`
	Code            string  `json:"code"`
	Kind            string  `json:"kind"`
	CapacityKg      float64 `json:"capacity_kg"`
	CapacityParcels int     `json:"capacity_parcels"`
	ShiftStart      int     `json:"shift_start"` // seconds since local midnight
	ShiftEnd        int     `json:"shift_end"`   // seconds since local midnight
	MaxTrips        int     `json:"max_trips"`
	Status          string  `json:"status"`
}

// Driver drives a vehicle of a carrier.
type Driver struct {
	ID        int64  `json:"id"`
	CarrierID int64  `json:"carrier_id"`
	DepotID   int64  `json:"depot_id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"` // E.164, +84…
	VehicleID *int64 `json:"vehicle_id,omitempty"`
	Active    bool   `json:"active"`
}

// Geocode precisions, from best to worst (the values of geo.Precision,
// plus manual). "" means no point: not geocoded yet, or not found
// (Household.GeocodedAt set).
const (
	PrecisionNone     = ""
	PrecisionManual   = "manual"   // pinned by a person
	PrecisionGPSPin   = "gps_pin"  // the household's own phone position
	PrecisionAddress  = "address"  // street / house
	PrecisionVillage  = "village"  // thôn, bản
	PrecisionCommune  = "commune"  // xã, phường (centroid)
	PrecisionDistrict = "district" // old 2021 district only
	PrecisionProvince = "province"
)

// Household sells produce and is where pickups happen.
type Household struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Phone   string `json:"phone"`   // E.164, +84…
	Address string `json:"address"` // as written by the seller
	// Filled by geocoding.
	CommuneCode string    `json:"commune_code,omitempty"` // 2025 commune code
	Village     string    `json:"village,omitempty"`
	Point       orb.Point `json:"point"` // [lon, lat]; valid when Precision != ""
	H3          string    `json:"h3,omitempty"`
	Precision   string    `json:"precision"`
	Confidence  float64   `json:"confidence"`
	// Pinned: the point was set by a person; geocoding must not move it.
	Pinned bool `json:"pinned"`
	// SharesCollection: the household opted in to a village collection
	// point shared with neighbours in the same H3 cell.
	SharesCollection bool       `json:"shares_collection"`
	GeocodedAt       *time.Time `json:"geocoded_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
}

// Geocoded reports whether the household has a usable point.
func (h *Household) Geocoded() bool { return h.Precision != PrecisionNone }

// Product is a kind of produce.
type Product struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`    // English
	NameVI string `json:"name_vi"` // Vietnamese
	// FreshnessHours bounds the time from pickup to the buyer.
	FreshnessHours int `json:"freshness_hours"`
	// KgPerBox is the weight one packaging box holds.
	KgPerBox float64 `json:"kg_per_box"`
}

// Order statuses.
const (
	OrderReceived   = "received"    // imported, not planned
	OrderPlanned    = "planned"     // on a route
	OrderPickedUp   = "picked_up"   // collected from the household
	OrderHandedOver = "handed_over" // on the line-haul truck
	OrderFailed     = "failed"      // pickup failed, deadline gone
	OrderPostponed  = "postponed"   // household asked for tomorrow
	OrderCancelled  = "cancelled"
)

// MaxOrderKg is the largest weight one order may have.
const MaxOrderKg = 500

// Order is one marketplace order to pick up from a household.
type Order struct {
	ID                 int64   `json:"id"`
	Marketplace        string  `json:"marketplace"`
	MarketplaceOrderID string  `json:"marketplace_order_id"`
	CarrierID          int64   `json:"carrier_id"`
	DepotID            *int64  `json:"depot_id,omitempty"`
	HouseholdID        int64   `json:"household_id"`
	ProductID          int64   `json:"product_id"`
	WeightKg           float64 `json:"weight_kg"`
	Parcels            int     `json:"parcels"`
	CODAmount          int64   `json:"cod_amount"` // VND to collect on delivery
	// DestinationProvince is the buyer's province code ("01" Hà Nội, "20"
	// Lạng Sơn ...).
	DestinationProvince string    `json:"destination_province"`
	PlacedAt            time.Time `json:"placed_at"`
	PromiseHours        int       `json:"promise_hours"`
	PromisedBy          time.Time `json:"promised_by"`
	// HandoverDeadline is the cutoff of the latest departure that still
	// meets the promise; nil until the SLA is computed.
	HandoverDeadline *time.Time `json:"handover_deadline,omitempty"`
	// ReadyFrom/ReadyUntil: when the produce is ready and someone is home.
	ReadyFrom       *time.Time `json:"ready_from,omitempty"`
	ReadyUntil      *time.Time `json:"ready_until,omitempty"`
	Status          string     `json:"status"`
	AtRisk          bool       `json:"at_risk"`
	AtRiskReason    string     `json:"at_risk_reason,omitempty"`
	LockedVehicleID *int64     `json:"locked_vehicle_id,omitempty"`
	Note            string     `json:"note,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// Plan statuses.
const (
	PlanPending    = "pending"
	PlanRunning    = "running"
	PlanDone       = "done"
	PlanFailed     = "failed"
	PlanSuperseded = "superseded" // a newer plan of the same depot and day exists
)

// Plan is the routing of one depot's day.
type Plan struct {
	ID         int64        `json:"id"`
	DepotID    int64        `json:"depot_id"`
	Day        time.Time    `json:"day"` // local midnight
	Version    int          `json:"version"`
	Status     string       `json:"status"`
	Algorithm  string       `json:"algorithm"`
	Stats      PlanStats    `json:"stats"`
	Error      string       `json:"error,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	FinishedAt *time.Time   `json:"finished_at,omitempty"`
	Routes     []Route      `json:"routes,omitempty"`
	Unassigned []Unassigned `json:"unassigned,omitempty"`
}

// PlanStats summarises a plan.
type PlanStats struct {
	Orders       int     `json:"orders"`
	Assigned     int     `json:"assigned"`
	Unassigned   int     `json:"unassigned"`
	Stops        int     `json:"stops"`
	VehiclesUsed int     `json:"vehicles_used"`
	DistanceM    int     `json:"distance_m"`
	DurationS    int     `json:"duration_s"`
	SolveMillis  int64   `json:"solve_ms"`
	Cost         float64 `json:"cost"`
	// Late counts the stops planned back after their handover deadline
	// (collected anyway, handed to the next departure); LateS sums by how
	// much. VehicleChanges counts the stops a re-plan moved to another
	// vehicle.
	Late           int `json:"late"`
	LateS          int `json:"late_s"`
	VehicleChanges int `json:"vehicle_changes"`
}

// Unassigned is an order a plan could not serve, with why and what would fix it.
type Unassigned struct {
	OrderID int64  `json:"order_id"`
	Reason  string `json:"reason"`
	Fix     string `json:"fix,omitempty"`
}

// Route is one vehicle's day in a plan; it may hold several trips.
type Route struct {
	ID        int64          `json:"id"`
	PlanID    int64          `json:"plan_id"`
	VehicleID int64          `json:"vehicle_id"`
	DriverID  *int64         `json:"driver_id,omitempty"`
	StartAt   time.Time      `json:"start_at"`
	EndAt     time.Time      `json:"end_at"`
	DistanceM int            `json:"distance_m"`
	DurationS int            `json:"duration_s"`
	LoadKg    float64        `json:"load_kg"`
	Line      orb.LineString `json:"line,omitempty"` // [lon, lat] points
	Stops     []Stop         `json:"stops,omitempty"`
}

// Stop kinds.
const (
	StopPickup = "pickup" // collect at a household (or collection point)
	StopDepot  = "depot"  // unload at the depot, hand over to a departure
)

// Stop statuses.
const (
	StopPlanned  = "planned"
	StopEnRoute  = "en_route"
	StopArrived  = "arrived"
	StopPickedUp = "picked_up"
	StopFailed   = "failed"
	StopSkipped  = "skipped"
	StopDone     = "done" // depot stop: unloaded
)

// Stop is one visit of a route, in order.
type Stop struct {
	ID          int64     `json:"id"`
	RouteID     int64     `json:"route_id"`
	Seq         int       `json:"seq"`  // 0-based position in the route
	Trip        int       `json:"trip"` // 0-based trip of the vehicle
	Kind        string    `json:"kind"`
	HouseholdID *int64    `json:"household_id,omitempty"`
	DepartureID *int64    `json:"departure_id,omitempty"` // depot stops
	ArriveAt    time.Time `json:"arrive_at"`              // planned ETA
	WindowStart time.Time `json:"window_start"`           // window shown to the household
	WindowEnd   time.Time `json:"window_end"`
	ServiceS    int       `json:"service_s"`
	LoadKg      float64   `json:"load_kg"`
	Parcels     int       `json:"parcels"`
	Status      string    `json:"status"`
	// LockedVehicleID: a dispatcher fixed this stop to a vehicle.
	LockedVehicleID *int64  `json:"locked_vehicle_id,omitempty"`
	OrderIDs        []int64 `json:"order_ids,omitempty"`
	// Filled when read for a manifest.
	Household *Household `json:"household,omitempty"`

	// DropOffPointID: a hub stop at a commune drop-off point (HouseholdID
	// nil), collecting what its households brought there.
	DropOffPointID *int64 `json:"dropoff_point_id,omitempty"`
}

// Task kinds.
const (
	TaskPackaging = "packaging"
	TaskPickup    = "pickup"
)

// Packaging task statuses (a pickup task has its stop's status).
const (
	PackagingOpen      = "open"
	PackagingPacked    = "packed"
	PackagingCancelled = "cancelled"
)

// Task is a piece of work of the day for a household or a driver.
type Task struct {
	ID          int64          `json:"id"`
	Kind        string         `json:"kind"`
	StopID      *int64         `json:"stop_id,omitempty"`
	HouseholdID *int64         `json:"household_id,omitempty"`
	OrderID     *int64         `json:"order_id,omitempty"`
	Status      string         `json:"status"`
	DueAt       *time.Time     `json:"due_at,omitempty"`
	Payload     map[string]any `json:"payload,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// Notification statuses.
const (
	NotificationQueued     = "queued"
	NotificationSent       = "sent"
	NotificationFailed     = "failed"
	NotificationSuperseded = "superseded" // a newer message of the household replaced it before it left
	NotificationSuppressed = "suppressed" // never sent: the household had its day's share of messages
)

// Notification is a message to a household (SMS).
type Notification struct {
	ID             int64      `json:"id"`
	HouseholdID    *int64     `json:"household_id,omitempty"`
	Phone          string     `json:"phone"`
	Kind           string     `json:"kind"`
	Body           string     `json:"body"`
	Status         string     `json:"status"`
	IdempotencyKey string     `json:"idempotency_key"`
	Provider       string     `json:"provider,omitempty"`
	Error          string     `json:"error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
}

// Event is one entry of the append-only journal: who did what, when.
type Event struct {
	ID      int64          `json:"id"`
	At      time.Time      `json:"at"`
	Actor   string         `json:"actor"`   // "dispatcher:12", "driver:3", "household:77", "system", "job:plan_depot_day"
	Action  string         `json:"action"`  // "order.create", "stop.pickup", ...
	Subject string         `json:"subject"` // "order:123"
	Payload map[string]any `json:"payload,omitempty"`
}

// Roles of API tokens.
const (
	RoleAdmin      = "admin"
	RoleDispatcher = "dispatcher"
	RoleDriver     = "driver"
	// RoleMarketplace asks for quotes and places orders, for its carrier
	// only.
	RoleMarketplace = "marketplace"
)

// Token is an API token; only its hash is stored.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CarrierID *int64     `json:"carrier_id,omitempty"`
	DriverID  *int64     `json:"driver_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// StoredAnswer is the answer given to the first request of an
// Idempotency-Key, replayed to its retries: RequestHash names the request
// (a retry with another body is refused); Status 0 means the first request
// is still at work.
type StoredAnswer struct {
	RequestHash []byte
	Status      int
	Body        []byte
}

// RequestClaim names the request holding an Idempotency-Key while it works.
type RequestClaim []byte
