// Package geo geocodes Lạng Sơn household addresses and models travel
// between them. It is pure Go over data embedded in the binary (geo/data,
// see its README for sources, licences and the attribution line) and knows
// nothing of the rest of thugom.
//
// # Gazetteer
//
// LoadGazetteer returns the embedded units, parsed once: the 65 communes
// of the 2025 structure with polygons (Gazetteer.Communes: code, name,
// type, population, label point, old codes), the 200 communes and 11
// districts of the 2021 structure with the old→new mapping (two communes
// were split), the 35 names that ceased in 2020 (resolved to their
// district) and the 15 VNPost post offices (Gazetteer.PostOffices, usable
// as depots). Codes are reused across structures: a Result or a Commune
// always says which structure a code belongs to (Structure2025 for
// CommuneCode, StructurePre2025 for OldCommuneCode and OldDistrictCode).
//
// Gazetteer.CommunesGeoJSON and ProvinceGeoJSON give the polygons
// simplified for a map (about 170 KB); show Attribution with them.
// Gazetteer.Reverse finds the 2025 commune and old district of a point,
// falling back to the nearest commune within BorderToleranceKm in the
// border slivers.
//
// # Geocoding
//
//	g := geo.Default()                       // loaded once, ~0.2–0.3 s
//	r := g.Geocode("Thôn Nà Lầu, xã Tân Văn, huyện Bình Gia, Lạng Sơn")
//	// r.CommuneCode "06115", r.OldCommuneCode "06121", r.OldDistrictCode "181",
//	// r.Precision "commune", r.Confidence 0.95, r.Cell (H3 res 9), r.Village "Thôn Nà Lầu"
//
//	r = g.GeocodeWith(addr, geo.Options{Pin: &geo.Point{Lat: 21.9, Lon: 106.4}, Villages: learned})
//
// The text is folded (NFC or NFD, diacritics and tone-mark placement
// removed, đ→d, case, punctuation), split into components by commas and by
// type words and their short forms (thôn, bản, khối, tổ; xã/X., phường/P.,
// thị trấn/TT; huyện/H., thành phố/TP; tỉnh/T., "LS"), and matched against
// the names of every structure, with a typo budget that grows with the
// length of the name. A name that stands for several units (Chi Lăng is a
// 2021 district, a xã and the town's old name in it, a xã of Tràng Định, a
// phường of the city, and a 2025 xã) is decided by the district or the type
// word; when nothing decides, the best guess comes with Candidates and a
// Confidence below 0.8 (Status "ambiguous"). Without a district the 2025
// reading is preferred, since the 2025 structure has no districts.
//
// Also understood: English type words after the name ("Tan Van Commune,
// Binh Gia District"), the order province-first, type words glued to the
// name ("XãTân Văn"), "(cũ)" and "nay là" (a second commune named backs
// the reading it shares), house numbers and streets (which favour wards and
// towns), the country, postcodes and phone numbers (ignored). Diacritics
// weigh per word: a name written with other marks ("Tân Thanh" for Tân
// Thành) is a weaker reading, and one-edit neighbours compete with it.
// An address that is only a coordinate pair is treated as a pin.
//
// A GPS pin is checked against the province and the named commune: a pin
// in (or within 0.5 km of) the commune gives precision "gps_pin"; a pin
// in another commune is flagged (Status "pin_mismatch") and the address is
// kept; a pin outside Vietnam or with latitude and longitude swapped is
// ignored with a Reason. Bad input (empty, binary, very long, another
// province) gives Status "not_found" or "outside_area", never a panic.
//
// # Learned villages
//
// Villages (thôn, bản) have no public coordinates. The service keeps, per
// VillageKey (MakeVillageKey(communeCode, village)), the RobustCentre of
// the pins of households naming that village, and hands them back through
// Options.Villages (any VillageLookup, e.g. a VillageSet); the next
// unpinned household of that village gets precision "village".
//
// # Travel model
//
// Matrix(points, profile) returns durations (s) and distances (m),
// row-major: great-circle distance × Profile.Detour at Profile.SpeedKmh
// (defaults Motorbike and Van, configurable). OSRM is a client for an
// OSRM-compatible /table service with the same Table result. FitTravel fits
// the detour factor and speeds from completed routes (thugom fittravel).
package geo
