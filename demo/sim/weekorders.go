package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/thugom/thugom"
	"github.com/thugom/thugom/demo"
)

type weekOrder struct {
	day       int    // pickup day index
	household int    // index into the scenario's households
	carrier   string // its carrier's code (the marketplace's)
	order     thugom.NewOrder
}

// weekOrders makes the week's orders: the demo's first day, then for each
// further day the same households selling again (six in ten of them, a
// tenth twice), what they sold before. Placement hours follow the
// marketplaces: about half in the evening before (18:00–23:59), a quarter
// in the day (the day before, 08:00–17:00, when the promise is 48 h; the
// same day 09:30–14:00, ready within the hour, when it is 24 h), the rest
// in the night and the morning of the day (00:00–09:30). Ready windows are
// on the pickup day.
func weekOrders(sc *demo.Scenario, first []demo.OrderSpec, days int, rng *rand.Rand) []weekOrder {
	policy := thugom.DefaultPromisePolicy()
	type tmpl struct {
		carrier, product, dest string
	}
	byHousehold := map[int][]tmpl{}
	for _, o := range first {
		byHousehold[o.Household] = append(byHousehold[o.Household], tmpl{o.Carrier, o.Product, o.Order.DestinationProvince})
	}
	kgPerBox := map[string]float64{}
	for _, p := range sc.Products {
		kgPerBox[p.Code] = p.KgPerBox
	}
	// Sellers: the households that sold on the demo day, and as many again
	// among the others (taking a neighbour's produce).
	var sellers []int
	for hi := range sc.Households {
		if len(byHousehold[hi]) > 0 {
			sellers = append(sellers, hi)
		}
	}
	share := 0.6 * float64(len(sc.Households)) / float64(max(1, len(sellers))) // keep ~0.6 of households a day
	share = math.Min(share, 0.92)
	var out []weekOrder
	seq := 0
	for d := 0; d < days; d++ {
		day := sc.Day.AddDate(0, 0, d)
		for _, hi := range sellers {
			if rng.Float64() >= share {
				continue
			}
			n := 1
			if rng.IntN(10) == 0 {
				n = 2
			}
			ts := byHousehold[hi]
			for k := 0; k < n; k++ {
				t := ts[rng.IntN(len(ts))]
				if rng.IntN(5) == 0 {
					t.dest = []string{"01", "01", "79", "24", "20", "31"}[rng.IntN(6)]
				}
				kg := 3 + float64(rng.IntN(15))*0.5
				var placed time.Time
				switch r := rng.IntN(100); {
				case r < 50:
					placed = day.Add(-6*time.Hour + time.Duration(rng.IntN(360))*time.Minute)
				case r < 75 && policy.Promise(t.dest) >= 48*time.Hour:
					// Sold in the day before, ready tomorrow: a 48 h
					// promise leaves the time.
					placed = day.Add(-16*time.Hour + time.Duration(rng.IntN(540))*time.Minute)
				case r < 75:
					// Sold in the day, ready within the hour: a 24 h
					// promise is collected the same day.
					placed = day.Add(9*time.Hour + 30*time.Minute + time.Duration(rng.IntN(270))*time.Minute)
				default:
					placed = day.Add(time.Duration(rng.IntN(570)) * time.Minute)
				}
				placed = placed.Add(time.Duration(rng.IntN(60)) * time.Second)
				readyFrom := day.Add(7*time.Hour + time.Duration(rng.IntN(13))*15*time.Minute)
				if lo := placed.Add(time.Hour); readyFrom.Before(lo) {
					readyFrom = lo.Truncate(15 * time.Minute)
				}
				readyUntil := readyFrom.Add(4*time.Hour + time.Duration(rng.IntN(21))*15*time.Minute)
				if latest := day.Add(18 * time.Hour); readyUntil.After(latest) {
					readyUntil = latest
				}
				if !readyUntil.After(readyFrom.Add(2 * time.Hour)) {
					readyUntil = readyFrom.Add(2 * time.Hour)
				}
				market, prefix := thugom.MarketplacePostmart, "PM"
				if t.carrier == thugom.CarrierViettelPost {
					market, prefix = thugom.MarketplaceVoso, "VS"
				}
				seq++
				h := sc.Households[hi].Household
				if p, err := thugom.NormalizePhone("phone", h.Phone); err == nil {
					h.Phone = p
				}
				box := kgPerBox[t.product]
				if box <= 0 {
					box = 5
				}
				o := thugom.NewOrder{
					Marketplace: market, MarketplaceOrderID: fmt.Sprintf("%s-W%s-%06d", prefix, day.Format("060102"), seq),
					Product: t.product, WeightKg: &kg, Parcels: int(math.Ceil(kg / box)), DestinationProvince: t.dest,
					PlacedAt: &placed, PromiseHours: int(policy.Promise(t.dest) / time.Hour), ReadyFrom: &readyFrom, ReadyUntil: &readyUntil,
					HouseholdName: h.Name, HouseholdPhone: h.Phone, HouseholdAddress: h.Address,
				}
				out = append(out, weekOrder{day: d, household: hi, carrier: t.carrier, order: o})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].order.PlacedAt.Before(*out[j].order.PlacedAt) })
	return out
}
